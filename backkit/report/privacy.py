"""De-identification: :class:`Privacy`, the rules a report follows, applied by pure functions.

Names redacted, e-mail addresses and phone numbers removed, and dates shifted:
in the log, the plan, the check-ins and the dates people wrote in free text.

Examples
--------
>>> from backkit.report import Privacy
>>> Privacy("Patient A", date_shift=7).text("seen on 2025-03-01")
'seen on 2025-03-08'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ReportError
from ..i18n import gettext as _

if TYPE_CHECKING:
    import pandas as pd

    from ..plan import Plan

__all__ = ["Privacy"]

_MAX_SHIFT = 36_500  # days; a century either way catches a typo
_MAX_NAME = 60  # characters of a pseudonym or a real name
_WORD_BREAK = re.compile(r"[\s_.,;:/\\-]+")  # between the words of a name ("jane_doe")
# Combining marks count as letters: "Mária" typed as "Ma" + U+0301 + "ria" is one word.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_LETTER = rf"[^\W_]|[{_MARKS}]"


# --------------------------------------------------------------------------
# Dates written in text

_MONTHS = {
    "en": "january february march april may june july august september october november december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
}
_MONTHS_SHORT = "jan feb mar apr may jun jul aug sep oct nov dec"
_MONTH_WORDS: dict[str, tuple[int, list[str]]] = {}
for _names in [*_MONTHS.values(), _MONTHS_SHORT]:
    for _n, _word in enumerate(_names.split()):
        _MONTH_WORDS.setdefault(_word, (_n + 1, _names.split()))
_MONTH_WORDS.setdefault("sept", (9, _MONTHS_SHORT.split()))
_MONTH = "|".join(sorted((re.escape(w) for w in _MONTH_WORDS), key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th|º|ª|\.)"
#: The date forms :meth:`Privacy.text` shifts (see its docstring for the list in words).
_DATE_FORMS = [
    # 2025-01-08, 2025/01/08, 2025.01.08
    ("ymd", re.compile(r"(?<![\d/.-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d]|[/.-]\d)")),
    # 08/01/2025, 8.1.2025, 08-01-25 (day first, as in the UK; month first when the day is > 12)
    ("dmy", re.compile(r"(?<![\d/.-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d]|[/.-]\d)")),
    # 8 January 2025, 8th Jan, 1 de março de 2025, 1. März 2025
    (
        "d_month",
        re.compile(
            rf"(?<![\w])(\d{{1,2}})({_ORDINAL}?)(\s+(?:de\s+|of\s+)?)({_MONTH})(\.?)"
            rf"(,?\s+(?:de\s+)?\d{{4}})?(?![\w])",
            re.IGNORECASE,
        ),
    ),
    # January 8, 2025; Jan 8th
    (
        "month_d",
        re.compile(
            rf"(?<![\w])({_MONTH})(\.?\s+)(\d{{1,2}})((?:st|nd|rd|th)?)(,?\s+\d{{4}})?(?![\w])",
            re.IGNORECASE,
        ),
    ),
]
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().-]{6,}\d(?![\w])")
_MIN_PHONE_DIGITS = 9  # fewer is a measurement or a count, not a phone number
_TOKEN = re.compile("\x00(\\d+)\x00")


def _ordinal(day: int, suffix: str) -> str:
    if suffix.lower() not in ("st", "nd", "rd", "th"):
        return suffix
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _same_case(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word


def _shift_day(year: int | None, month: int, day: int, days: int) -> dt.date | None:
    try:
        # a date written without its year: 2000 is a leap year, so 29 Feb is a date
        return dt.date(year if year is not None else 2000, month, day) + dt.timedelta(days=days)
    except (ValueError, OverflowError):
        return None


def _shift_match(kind: str, m: re.Match[str], days: int) -> str | None:
    """The shifted text of one written date, in its own form; None when it is not a date."""
    if kind == "ymd":
        new = _shift_day(int(m[1]), int(m[3]), int(m[4]), days)
        if new is None:
            return None
        width = len(m[3]), len(m[4])
        return f"{new.year}{m[2]}{new.month:0{width[0]}d}{m[2]}{new.day:0{width[1]}d}"
    if kind == "dmy":
        first, second, written = int(m[1]), int(m[3]), int(m[4])
        year_full = written + 2000 if len(m[4]) == 2 else written
        month_first = first <= 12 < second  # 01/13/2025 can only be US style
        month, day = (first, second) if month_first else (second, first)
        new = _shift_day(year_full, month, day, days)
        if new is None:
            return None
        a, b = (new.month, new.day) if month_first else (new.day, new.month)
        y = f"{new.year % 100:02d}" if len(m[4]) == 2 else str(new.year)
        return f"{a:0{len(m[1])}d}{m[2]}{b:0{len(m[3])}d}{m[2]}{y}"
    word = m[4] if kind == "d_month" else m[1]
    month, names = _MONTH_WORDS[word.lower()]
    year_text = m[6] if kind == "d_month" else m[5]
    year = int(re.findall(r"\d{4}", year_text)[0]) if year_text else None
    day = int(m[1] if kind == "d_month" else m[3])
    new = _shift_day(year, month, day, days)
    if new is None:
        return None
    name = _same_case(names[new.month - 1], word)
    new_year = re.sub(r"\d{4}", str(new.year), year_text) if year_text else ""
    if kind == "d_month":
        return f"{new.day}{_ordinal(new.day, m[2])}{m[3]}{name}{m[5]}{new_year}"
    return f"{name}{m[2]}{new.day}{_ordinal(new.day, m[4])}{new_year}"


# --------------------------------------------------------------------------
# Privacy: pure functions on frames, plans and text


def _check_name(field_name: str, value: Any, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > _MAX_NAME:
        raise ReportError(
            _("{field} = {value}: give a name of 1 to {most} characters").format(
                field=field_name, value=repr(value), most=_MAX_NAME
            )
        )
    return unicodedata.normalize("NFC", value.strip())


@dataclass(frozen=True)
class Privacy:
    """How a report de-identifies a patient's data.

    Parameters
    ----------
    pseudonym : str, optional
        The name the report uses for the patient (default ``"Patient"``, in the
        kit's language).
    real_name : str, optional
        The patient's real name. Shown in the report *only* when given (for a
        report the clinic keeps); otherwise the report never has it.
    date_shift : int
        Days added to every date (negative moves back). A multiple of 7 keeps
        weekdays and the Monday-to-Sunday weeks as they were; any other shift
        rotates the plan's weekdays with the dates, so adherence is unchanged.
    include_notes : bool
        Keep free text: the patient's notes and check-in notes, the plan's
        name and notes, PSFS activity names and custom-measure names. Off by
        default: free text is where names, places and other people appear.
    redact : sequence of str
        Names to replace by the pseudonym wherever free text is kept. Each
        word of a multi-word entry is replaced on its own too, whole words
        only, any case, accents and all.

    Raises
    ------
    ReportError
        For an empty or over-long name, or a shift that is not a whole number
        of days within a century.

    Examples
    --------
    >>> from backkit.report import Privacy
    >>> Privacy("Patient A").name, Privacy("Patient A", real_name="Jane Doe").name
    ('Patient A', 'Jane Doe')
    """

    pseudonym: str | None = None
    real_name: str | None = None
    date_shift: int = 0
    include_notes: bool = False
    redact: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        put = object.__setattr__
        # Translators: the name a report shows for the patient when no other is given.
        pseudonym = _("Patient") if self.pseudonym is None else self.pseudonym
        put(self, "pseudonym", _check_name("pseudonym", pseudonym, required=True))
        put(self, "real_name", _check_name("real_name", self.real_name, required=False))
        shift = self.date_shift
        if isinstance(shift, str):
            with contextlib.suppress(ValueError):
                shift = int(shift.strip())
        if isinstance(shift, bool) or not isinstance(shift, int) or abs(shift) > _MAX_SHIFT:
            raise ReportError(
                _(
                    "date_shift = {value}: give a whole number of days from -{most} to {most}"
                ).format(value=repr(self.date_shift), most=_MAX_SHIFT)
            )
        put(self, "date_shift", shift)
        if not isinstance(self.include_notes, bool):
            raise ReportError(
                _("include_notes = {value}: give True or False").format(
                    value=repr(self.include_notes)
                )
            )
        words = [self.redact] if isinstance(self.redact, str) else list(self.redact or ())
        for word in words:
            if not isinstance(word, str) or not word.strip():
                raise ReportError(
                    _("redact: {value} is not a word to redact").format(value=repr(word))
                )
        put(self, "redact", tuple(unicodedata.normalize("NFC", w.strip()) for w in words))

    @property
    def name(self) -> str:
        """The name the report shows: the real name when given, else the pseudonym."""
        return self.real_name or str(self.pseudonym)  # a str once made (__post_init__)

    @property
    def days(self) -> dt.timedelta:
        """The date shift as a timedelta."""
        return dt.timedelta(days=self.date_shift)

    def _terms(self) -> list[str]:
        terms = set()
        for entry in self.redact:
            terms.add(entry)
            terms.update(part for part in _WORD_BREAK.split(entry) if len(part) >= 2)
        return sorted(terms, key=len, reverse=True)  # "Jane Doe" before "Jane"

    def text(self, value: Any) -> Any:
        """Return kept free text cleaned: names redacted, contacts removed, dates shifted.

        - every name in ``redact`` (and each of its words) becomes the
          pseudonym: whole words, any case, accented letters in either Unicode
          form ("Mária" typed with a combining accent is the same word);
        - e-mail addresses become "[e-mail removed]" and phone numbers (9 or
          more digits, with spaces, dots, dashes, brackets or a leading +)
          "[phone number removed]";
        - with a date shift, these written dates move by the shift, in their
          own form: ``2025-01-08`` (also with / or .), ``08/01/2025``,
          ``8.1.25`` (day first, month first only when the day is over 12),
          ``8 January 2025``, ``8th Jan``, ``1 de março de 2025``,
          ``January 8, 2025``, ``Jan 8th``: month names in English (and their
          three-letter short forms), Portuguese, Spanish, French and German.
          Not moved: weekday names, months without a day ("March 2025"),
          relative dates ("last Tuesday") and times of day.

        Missing values (None, NA) are returned as they are.

        Examples
        --------
        >>> from backkit.report import Privacy
        >>> Privacy("P", redact=["jane_doe"]).text("Jane's knee; JANE DOE rang")
        "P's knee; P rang"
        >>> Privacy("P", date_shift=3).text("30/12/2024, 1 de março, Jan 30th; +44 7700 900123")
        '02/01/2025, 4 de março, Feb 2nd; [phone number removed]'
        """
        if not isinstance(value, str):
            return value
        out = unicodedata.normalize("NFC", value.replace("\x00", ""))
        kept: list[str] = []

        def hold(text: str) -> str:  # shifted dates are set aside until the end
            kept.append(text)
            return f"\x00{len(kept) - 1}\x00"

        if self.date_shift:
            for kind, pattern in _DATE_FORMS:

                def shift(m: re.Match[str], k: str = kind) -> str:
                    return hold(_shift_match(k, m, self.date_shift) or m[0])

                out = pattern.sub(shift, out)
        out = _EMAIL.sub(_("[e-mail removed]"), out)
        phone = _("[phone number removed]")
        out = _PHONE.sub(
            lambda m: phone if sum(c.isdigit() for c in m[0]) >= _MIN_PHONE_DIGITS else m[0],
            out,
        )
        for term in self._terms():
            words = r"[\s_.-]+".join(re.escape(w) for w in _WORD_BREAK.split(term) if w)
            # whole words only, so "Ann" does not eat into "planning" or "Annália"
            whole = rf"(?<!{_LETTER})(?:{words})(?!{_LETTER})"
            shown = str(self.pseudonym).replace("\\", "\\\\")  # a str once made
            out = re.sub(whole, shown, out, flags=re.IGNORECASE)
        return _TOKEN.sub(lambda m: kept[int(m[1])], out)

    def log(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return a de-identified copy of a session-log frame.

        Times move by the date shift; session ids (which embed the date and
        time) become ``session-001``, ``session-002``... in time order; notes
        are emptied unless ``include_notes`` (then cleaned by :meth:`text`);
        plan ids are cleaned. The input frame is not changed.

        Examples
        --------
        >>> import backkit
        >>> from backkit.report import Privacy
        >>> log = backkit.sample_log(weeks=1)
        >>> out = Privacy("P", date_shift=-14).log(log)
        >>> (log["started_at"] - out["started_at"]).dt.days.unique().tolist()
        [14]
        >>> out["session_id"].iloc[0], bool(out["notes"].isna().all())
        ('session-001', True)
        """
        import numpy as np
        import pandas as pd

        out = frame.copy()
        for column in ("started_at", "ended_at"):
            if column in out:
                out[column] = out[column] + pd.Timedelta(days=self.date_shift)
        if "session_id" in out and len(out):
            # by codes, not by the ids' text: a million bouts take a second, not ten
            codes, ids = pd.factorize(out["session_id"])
            known = codes >= 0
            first = out.loc[known, "started_at"].groupby(codes[known], sort=False).min()
            order = first.sort_values(kind="stable").index.to_numpy()
            rank = np.empty(len(ids), dtype=np.int64)
            rank[order] = np.arange(1, len(order) + 1)
            width = max(3, len(str(len(order))))
            names = np.array([f"session-{n:0{width}d}" for n in range(1, len(order) + 1)], object)
            renamed = np.where(known, names[rank[codes] - 1], np.array(None, dtype=object))
            out["session_id"] = pd.Series(renamed, index=out.index).astype(
                frame["session_id"].dtype
            )
        if "notes" in out:
            if self.include_notes:
                out["notes"] = _each_distinct(out["notes"], self.text)
            else:
                out["notes"] = pd.Series(pd.NA, index=out.index, dtype=frame["notes"].dtype)
            out["notes"] = out["notes"].astype(frame["notes"].dtype)
        if "plan_id" in out:
            out["plan_id"] = _each_distinct(out["plan_id"], self._plan_id).astype(
                frame["plan_id"].dtype
            )
        return out

    def _plan_id(self, value: str) -> str:
        from .._checks import slug as _slug

        if not self.include_notes:
            return "plan"  # a plan's id is made from its name, which is free text
        return _slug(self.text(value.replace("-", " "))) or "plan"

    def plan(self, plan: Plan | None) -> Plan | None:
        """Return a de-identified copy of a plan: dates shifted, free text kept or not.

        Without ``include_notes`` the plan is called "Exercise plan" and has no
        notes; with it, its name and notes are cleaned by :meth:`text`. The
        author (the clinician) is kept. Named weekdays move with the dates, so
        a Monday plan shifted by 2 days becomes a Wednesday plan.

        Examples
        --------
        >>> import datetime as dt
        >>> from backkit.plan import Plan
        >>> from backkit.report import Privacy
        >>> plan = Plan("Jane's plan", items=["bridge"], weekdays=["mon"], notes="call Jane",
        ...             start=dt.date(2025, 3, 3))
        >>> out = Privacy("P", date_shift=2, redact=["Jane"]).plan(plan)
        >>> out.name, out.start.isoformat(), out.weekdays, out.notes
        ('Exercise plan', '2025-03-05', ('wed',), '')
        >>> Privacy("P", redact=["Jane"], include_notes=True).plan(plan).name
        "P's plan"
        """
        if plan is None:
            return None
        from ..plan import WEEKDAYS, Plan

        weekdays = None
        if plan.weekdays is not None:
            weekdays = tuple(
                WEEKDAYS[(WEEKDAYS.index(day) + self.date_shift) % 7] for day in plan.weekdays
            )
        return Plan(
            name=self.text(plan.name) if self.include_notes else _("Exercise plan"),
            author=plan.author,
            items=plan.items,
            start=plan.start + self.days,
            end=plan.end + self.days if plan.end is not None else None,
            days_per_week=plan.days_per_week if weekdays is None else None,
            weekdays=weekdays,
            notes=self.text(plan.notes) if self.include_notes else "",
        )

    def outcomes(self, frame: pd.DataFrame | None) -> pd.DataFrame | None:
        """Return de-identified outcome check-ins (``backkit.outcomes`` frame) or None.

        Dates move by the shift and check-in ids are renumbered. Free text
        (check-in notes, PSFS activity names, custom-measure names) is kept
        only with ``include_notes``, cleaned by :meth:`text`; otherwise notes
        are dropped, activities become "Activity 1", "Activity 2"... and custom
        measures "Custom measure 1"... in the order they first appear.

        Examples
        --------
        >>> from backkit.report import Privacy
        >>> from backkit.sample import sample_checkins
        >>> out = Privacy("P", date_shift=7).outcomes(sample_checkins(weeks=2))
        >>> str(out["date"].min().date()), out["checkin_id"].unique().tolist()
        ('2025-02-24', ['checkin-001', 'checkin-002'])
        >>> custom = out.loc[out["kind"] == "custom", "measure"]
        >>> sorted(set(out["item"].dropna())), sorted(set(custom))
        (['Activity 1', 'Activity 2', 'Activity 3', 'Activity 4'], ['Custom measure 1'])
        """
        if frame is None:
            return None
        import pandas as pd

        out = frame.copy()
        if "date" in out:
            out["date"] = out["date"] + pd.Timedelta(days=self.date_shift)
        if "checkin_id" in out and len(out):
            first = out.groupby("checkin_id", sort=False)["date"].min().sort_values(kind="stable")
            new_ids = {old: f"checkin-{n:03d}" for n, old in enumerate(first.index, start=1)}
            out["checkin_id"] = out["checkin_id"].map(new_ids).astype(frame["checkin_id"].dtype)
        if "item" in out:
            # Translators: an activity the patient named, its name left out: "Activity 2"
            activity = _("Activity {n}")
            out["item"] = self._free(out["item"], activity).astype(frame["item"].dtype)
        if "measure" in out and "kind" in out:
            custom = (out["kind"].astype("string") == "custom").fillna(False).to_numpy()
            renamed = self._free(out.loc[custom, "measure"], _("Custom measure {n}"))
            out["measure"] = out["measure"].astype(object)
            out.loc[custom, "measure"] = renamed.astype(object)
            out["measure"] = out["measure"].astype(frame["measure"].dtype)
        if "notes" in out:
            if self.include_notes:
                kept = out["notes"].map(self.text, na_action="ignore")
            else:
                kept = pd.Series(pd.NA, index=out.index)
            out["notes"] = kept.astype(frame["notes"].dtype)
        return out

    def _free(self, values: pd.Series, label: str) -> pd.Series:
        """Names a person typed: cleaned when kept, else neutral numbered labels.

        ``label`` is the label with the place of its number: ``"Activity {n}"``.
        """
        if self.include_notes:
            return values.map(self.text, na_action="ignore")
        order = {name: n for n, name in enumerate(dict.fromkeys(values.dropna()), start=1)}
        return values.map(lambda v: label.format(n=order[v]), na_action="ignore")


def _each_distinct(values: pd.Series, clean: Callable[[Any], Any]) -> pd.Series:
    """``values.map(clean)`` with missing values kept, calling ``clean`` once per distinct value.

    A log repeats its plan ids and notes on many rows: a million bouts hold a
    handful of distinct values.
    """
    import numpy as np
    import pandas as pd

    codes, distinct = pd.factorize(values)
    cleaned = np.array([clean(v) for v in distinct] + [None], dtype=object)
    return pd.Series(cleaned[codes], index=values.index)  # code -1 (missing) is the None
