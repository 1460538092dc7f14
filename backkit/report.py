"""Patient reports: a review of a patient's log for the clinician, or for the patient.

:func:`build` reads a patient's log (and plan, check-ins and the clinician's
notes), works out the review (:class:`Review`: adherence, pain against the
minimal important change (MIC), pain-monitoring flags, per-exercise
effects, check-ins, how old the data are, the proposed next plan from
:func:`backkit.review.propose_next`), writes it for one audience
(:func:`document`: ``"clinician"``, third person, or ``"patient"``, second
person and plain words) and renders one self-contained HTML file with a
Jinja2 template that escapes every value (:func:`render_html`). With
``pdf=True`` the system's Chromium prints it (:func:`print_pdf`); backkit
never downloads a browser. The clinician review notebook shows the same
sections (:func:`section_html`).

Privacy is part of the report, not an afterthought. :class:`Privacy` holds the
rules and applies them with pure functions, before anything is drawn:

- the report names the patient by a **pseudonym**; the real name appears only
  when it is given (``real_name``);
- **free text** is everything a person typed: the patient's notes, check-in
  notes, the plan's name and notes, PSFS activity names and custom-measure
  names. It is left out unless ``include_notes`` (activities and measures are
  then called "Activity 1", "Custom measure 1", the plan "Exercise plan");
  when kept, it is cleaned (:meth:`Privacy.text`): names in ``redact`` become
  the pseudonym, e-mail addresses and phone numbers are removed, and dates
  are shifted;
- a **date shift** moves every date (bouts, the plan, check-ins, dates written
  in kept text, the PDF's own dates) by a whole number of days; session and
  check-in ids, which embed dates, are renumbered;
- the **input file's name and folder** never reach the report.

Examples
--------
>>> from backkit.report import Privacy
>>> p = Privacy("Patient A", date_shift=7, redact=["Jane Doe"])
>>> p.text("Jane said her back felt better on 2025-03-01 (jane@example.org)")
'Patient A said her back felt better on 2025-03-08 ([e-mail removed])'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from ._checks import read_bounded
from .errors import ReportError
from .store import write_atomically

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from .plan import Plan

__all__ = [
    "AUDIENCES",
    "CHROMIUM_FLAGS",
    "PAPERS",
    "Chart",
    "Document",
    "Inputs",
    "Privacy",
    "ReportError",
    "Review",
    "Section",
    "Table",
    "build",
    "chart_html",
    "chart_image",
    "document",
    "find_chromium",
    "load_inputs",
    "print_pdf",
    "render_html",
    "sample_paths",
    "section_html",
]

#: Who a report is written for: the clinician (third person) or the patient (second person).
AUDIENCES = ("clinician", "patient")
#: Paper sizes for the PDF, as CSS ``@page`` sizes.
PAPERS = {"a4": "A4", "letter": "letter"}
_MAX_SHIFT = 36_500  # days; a century either way catches a typo
_MAX_NAME = 60  # characters of a pseudonym or a real name
_MAX_NOTES = 20_000  # characters of the clinician's notes file
_WORD_BREAK = re.compile(r"[\s_.,;:/\\-]+")  # between the words of a name ("jane_doe")
# Combining marks count as letters: "Mária" typed as "Ma" + U+0301 + "ria" is one word.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_LETTER = rf"[^\W_]|[{_MARKS}]"
_CHART_DPI = 150  # print resolution; a chart prints at its own size (see _PRINT_WIDTH)
#: Inches: the width a report draws its charts at. Saved with a tight border they come
#: out about 7 inches wide, under the text width of A4 (210 mm less 2 x 15 mm margins,
#: 7.09 in) and of letter (7.32 in): each chart prints at its own size, and its text at
#: the sizes matplotlib was given.
_PRINT_WIDTH = 6.9
_CSS_PX = 96  # CSS pixels per inch, in print as on screen
_SHORT_TABLE = 14  # rows; a table this short is never split across pages
_KEEP_TEXT = 2  # paragraphs kept on one page with their heading
_KEEP_ROWS = 6  # a table this short stays on one page with its heading
_CHROMIUM_TIMEOUT = 120  # seconds to print one report
#: Flags for headless Chromium on a machine with no internet (also used by the browser tests).
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    # Any host but the loopback fails at once: the report needs nothing from outside.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


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
        raise ReportError(f"{field_name} = {value!r}: give a name of 1 to {_MAX_NAME} characters")
    return unicodedata.normalize("NFC", value.strip())


@dataclass(frozen=True)
class Privacy:
    """How a report de-identifies a patient's data.

    Parameters
    ----------
    pseudonym : str
        The name the report uses for the patient (default ``"Patient"``).
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

    pseudonym: str = "Patient"
    real_name: str | None = None
    date_shift: int = 0
    include_notes: bool = False
    redact: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "pseudonym", _check_name("pseudonym", self.pseudonym, required=True))
        put(self, "real_name", _check_name("real_name", self.real_name, required=False))
        shift = self.date_shift
        if isinstance(shift, str):
            with contextlib.suppress(ValueError):
                shift = int(shift.strip())
        if isinstance(shift, bool) or not isinstance(shift, int) or abs(shift) > _MAX_SHIFT:
            raise ReportError(
                f"date_shift = {self.date_shift!r}: give a whole number of days "
                f"from -{_MAX_SHIFT} to {_MAX_SHIFT}"
            )
        put(self, "date_shift", shift)
        if not isinstance(self.include_notes, bool):
            raise ReportError(f"include_notes = {self.include_notes!r}: give True or False")
        words = [self.redact] if isinstance(self.redact, str) else list(self.redact or ())
        for word in words:
            if not isinstance(word, str) or not word.strip():
                raise ReportError(f"redact: {word!r} is not a word to redact")
        put(self, "redact", tuple(unicodedata.normalize("NFC", w.strip()) for w in words))

    @property
    def name(self) -> str:
        """The name the report shows: the real name when given, else the pseudonym."""
        return self.real_name or self.pseudonym

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
        out = _EMAIL.sub("[e-mail removed]", out)
        out = _PHONE.sub(
            lambda m: (
                "[phone number removed]"
                if sum(c.isdigit() for c in m[0]) >= _MIN_PHONE_DIGITS
                else m[0]
            ),
            out,
        )
        for term in self._terms():
            words = r"[\s_.-]+".join(re.escape(w) for w in _WORD_BREAK.split(term) if w)
            # whole words only, so "Ann" does not eat into "planning" or "Annália"
            whole = rf"(?<!{_LETTER})(?:{words})(?!{_LETTER})"
            out = re.sub(whole, self.pseudonym.replace("\\", "\\\\"), out, flags=re.IGNORECASE)
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
        from ._checks import slug as _slug

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
        from .plan import WEEKDAYS, Plan

        weekdays = None
        if plan.weekdays is not None:
            weekdays = tuple(
                WEEKDAYS[(WEEKDAYS.index(day) + self.date_shift) % 7] for day in plan.weekdays
            )
        return Plan(
            name=self.text(plan.name) if self.include_notes else "Exercise plan",
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
            out["item"] = self._free(out["item"], "Activity").astype(frame["item"].dtype)
        if "measure" in out and "kind" in out:
            custom = (out["kind"].astype("string") == "custom").fillna(False).to_numpy()
            renamed = self._free(out.loc[custom, "measure"], "Custom measure")
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
        """Names a person typed: cleaned when kept, else neutral numbered labels."""
        if self.include_notes:
            return values.map(self.text, na_action="ignore")
        order = {name: n for n, name in enumerate(dict.fromkeys(values.dropna()), start=1)}
        return values.map(lambda v: f"{label} {order[v]}", na_action="ignore")


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


# --------------------------------------------------------------------------
# Charts in the report


def chart_image(chart: Any, *, sample: bool = False, dpi: int = 100) -> Chart:
    """Render a chart to an embedded PNG (a ``data:`` URI) with its titles as alt text.

    The figure is closed afterwards, so Jupyter does not show it a second time.

    Parameters
    ----------
    chart : Axes or Figure
        What a ``backkit.charts`` function returned.
    sample : bool
        Stamp the chart "SAMPLE DATA" (:func:`backkit.charts.mark_sample`).
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    Chart
        ``alt`` (plain text), ``src``, ``tall`` (a figure about as tall as it
        is wide, such as the outcome measures' stacked panels) and ``width``
        and ``height``: the figure's own size in CSS pixels (96 an inch), so
        that a page can print it at that size.

    Examples
    --------
    >>> import backkit
    >>> from backkit.report import chart_image
    >>> image = chart_image(backkit.plot_pain_trend(backkit.sample_log(weeks=2)))
    >>> image.alt, image.src.startswith("data:image/png;base64,"), image.tall
    ('Pain before exercise', True, False)
    >>> image.width > 800  # the chart's 9 inches (less what tight cropping takes), at 96 an inch
    True
    """
    import base64
    import io

    import matplotlib.pyplot as plt

    from .charts import mark_sample

    fig = getattr(chart, "figure", chart)
    suptitle = getattr(fig, "_suptitle", None)  # a multi-panel figure's own title
    if sample:
        if suptitle is not None and suptitle.get_text():
            # the stamp's corner is taken by the title there: say it in the title
            first, *rest = suptitle.get_text().split("\n")
            if "sample" not in first.lower():
                suptitle.set_text("\n".join([f"{first} (SAMPLE DATA)", *rest]))
        else:
            mark_sample(fig)
    titles = [t for ax in fig.axes if (t := ax.get_title())]
    if suptitle is not None:
        titles.insert(0, suptitle.get_text())
    width, height = fig.get_size_inches()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    png = buffer.getvalue()
    # the PNG's own size (IHDR: width and height, big-endian, at bytes 16-24), as saved
    pixels = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    data = base64.b64encode(png).decode("ascii")
    alt = " ".join("; ".join(titles).split()) or "chart"
    return Chart(
        alt,
        f"data:image/png;base64,{data}",
        tall=bool(height > 0.75 * width),
        width=round(pixels[0] * _CSS_PX / dpi),
        height=round(pixels[1] * _CSS_PX / dpi),
    )


def chart_html(chart: Any, *, sample: bool = False, dpi: int = 100) -> str:
    """Return a chart as an ``<img>`` with the PNG embedded and its titles as alt text.

    The same as :func:`chart_image`, as HTML for a notebook or the app.

    Examples
    --------
    >>> import backkit
    >>> from backkit.report import chart_html
    >>> html = chart_html(backkit.plot_pain_trend(backkit.sample_log(weeks=2)))
    >>> html.startswith('<img alt="Pain before exercise"'), "data:image/png;base64," in html
    (True, True)
    """
    import html

    image = chart_image(chart, sample=sample, dpi=dpi)
    alt = html.escape(image.alt, quote=True)
    return f'<img alt="{alt}" src="{image.src}" style="max-width:100%">'


# --------------------------------------------------------------------------
# Inputs


def sample_paths() -> tuple[Path, Path]:
    """The sample log (CSV) and plan (YAML) shipped inside the package.

    Examples
    --------
    >>> from backkit.report import sample_paths
    >>> [p.name for p in sample_paths()]
    ['sample_sessions.csv', 'sample_plan.yaml']
    """
    data = resources.files("backkit") / "data"
    return Path(str(data / "sample_sessions.csv")), Path(str(data / "sample_plan.yaml"))


@dataclass(frozen=True)
class Inputs:
    """What the clinician notebook reads: log, plan, check-ins, and whether it is a sample."""

    frame: Any
    plan: Any
    outcomes: Any
    is_sample: bool


def load_inputs(log_path: str | Path | None, plan_path: str | Path | None = None) -> Inputs:
    """Load a log and its plan for the clinician notebook; None for the shipped sample.

    With ``log_path=None`` the sample log is used, with its check-ins
    (:func:`backkit.sample.sample_checkins`), and the sample plan unless a
    plan is given. With a log and no plan, adherence is reported as days
    exercised, with no prescription to compare against.

    Examples
    --------
    >>> from backkit.report import load_inputs
    >>> inputs = load_inputs(None)
    >>> inputs.is_sample, inputs.plan.name, len(inputs.frame) > 500
    (True, 'Sample plan: seven exercises, strength work three days a week', True)
    """
    return _load(log_path, plan_path)[0]


def _load(
    log_path: str | Path | None, plan_path: str | Path | None, *, warnings: bool = False
) -> tuple[Inputs, tuple[pd.DataFrame, int, tuple[Any, ...]] | None]:
    """:func:`load_inputs`, and with ``warnings`` the warning-sign answers too (one read).

    A million-row log file is copied and read once, not once for each.
    """
    from .patientfile import read
    from .plan import Plan

    sample = log_path is None
    if sample:
        log_path, sample_plan = sample_paths()
        plan_path = plan_path if plan_path is not None else sample_plan
    data = read(Path(log_path).expanduser())  # type: ignore[arg-type]
    frame, outcomes, found = data.frame, data.outcomes, data.warnings if warnings else None
    if sample:
        from .sample import sample_checkins

        # the check-ins that go with the shipped sample log (same weeks and profile)
        outcomes = sample_checkins(weeks=12, seed=0, profile="improving")
    plan = Plan.load(plan_path) if plan_path is not None else None
    notes = frame["notes"].astype("string")
    is_sample = bool(notes.str.startswith("sample data").fillna(False).any())
    return Inputs(frame=frame, plan=plan, outcomes=outcomes, is_sample=is_sample), found


# --------------------------------------------------------------------------
# The review: what the report says, worked out once from the de-identified data


@dataclass(frozen=True)
class Review:
    """A patient's de-identified data and what the review works out from it.

    Build it with :meth:`load`; every table is computed from the
    de-identified copies only, so nothing the privacy rules left out can reach
    a report or a chart.

    Examples
    --------
    >>> from backkit.report import Review
    >>> review = Review.load(None)
    >>> review.is_sample, len(review.proposal.changes)
    (True, 7)
    """

    privacy: Privacy
    log: Any
    plan: Any
    outcomes: Any
    is_sample: bool
    notes: str | None = None
    #: (warning-sign answers, number of screenings, unresolved "yes" answers
    #: (backkit.gate)), None where the file holds none
    warnings: Any = None

    @property
    def unresolved(self) -> tuple[Any, ...]:
        """The "yes" answers no clearance has followed: no session starts until one is recorded."""
        return tuple(self.warnings[2]) if self.warnings is not None else ()

    @classmethod
    def load(
        cls,
        log_path: str | Path | None,
        plan_path: str | Path | None = None,
        privacy: Privacy | None = None,
        *,
        notes: str | None = None,
    ) -> Review:
        """Read a log (None: the sample) and plan, and de-identify them by ``privacy``.

        ``notes`` is the clinician's own text for the report; it is cleaned
        like kept free text (:meth:`Privacy.text`).
        """
        privacy = privacy or Privacy()
        inputs, warnings = _load(log_path, plan_path, warnings=True)
        if warnings is not None:
            answers, screenings, unresolved = warnings
            answers = answers.assign(date=[d + privacy.days for d in answers["date"]])
            warnings = (answers, screenings, unresolved)
        return cls(
            privacy=privacy,
            log=privacy.log(inputs.frame),
            plan=privacy.plan(inputs.plan),
            outcomes=privacy.outcomes(inputs.outcomes),
            is_sample=inputs.is_sample,
            notes=privacy.text(notes.strip()) if notes and notes.strip() else None,
            warnings=warnings,
        )

    # Each table below is worked out once per review (cached on first use): a
    # report reads them in several sections, and on a long log each costs seconds.
    @functools.cached_property
    def days(self) -> pd.Series:
        """The local day of every bout."""
        from .analysis import local_day

        return local_day(self.log)

    @functools.cached_property
    def weekly(self) -> pd.DataFrame:
        """Adherence per exercise and week (:func:`backkit.adherence.adherence`)."""
        from .adherence import adherence

        return adherence(self.log, self.plan)

    @functools.cached_property
    def per_week(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Sessions per week and exercise, and each week's adherence.

        :func:`backkit.analysis.weekly_adherence`: the summary words it, a chart draws it.
        """
        from .analysis import weekly_adherence

        return weekly_adherence(self.log, self.plan)

    @functools.cached_property
    def by_exercise(self) -> pd.DataFrame:
        """Adherence per exercise over the whole log."""
        weekly = self.weekly
        per = weekly.groupby("exercise_id", observed=True)
        table = per[["prescribed", "done", "partial", "credit"]].sum()
        table["adherence"] = table["credit"] / table["prescribed"].where(table["prescribed"] > 0)
        table["hold_ratio"] = per["hold_ratio"].mean()
        table.attrs.update(weekly.attrs)
        return table

    @functools.cached_property
    def pain_change(self) -> pd.DataFrame:
        """Weekly pain against the baseline (:func:`backkit.analysis.pain_change_by_week`)."""
        from .analysis import pain_change_by_week

        return pain_change_by_week(self.log)

    @functools.cached_property
    def flags(self) -> pd.DataFrame:
        """Pain-monitoring flags (:func:`backkit.analysis.pain_flags`)."""
        from .analysis import pain_flags

        return pain_flags(self.log)

    @functools.cached_property
    def effects(self) -> pd.DataFrame:
        """Pain straight after each exercise (:func:`backkit.analysis.immediate_effect`)."""
        from .analysis import immediate_effect

        return immediate_effect(self.log)

    @property
    def as_of(self) -> dt.date:
        """The day the review is for, on the report's (shifted) calendar.

        Today (:func:`backkit.config.today`) moved by the date shift, so that
        ages come out right without giving the shift away; for the sample
        data, the sample's own last day (it is a demonstration, not old data).
        """
        from . import config

        if self.is_sample and not self.log.empty:
            return cast(dt.date, self.days.max().date())
        return config.today() + self.privacy.days

    @property
    def stale(self) -> str | None:
        """How old the data are when the newest session is older than 4 weeks, else None.

        :func:`backkit.analysis.staleness`, the kit's one rule for stale data.
        """
        from .analysis import staleness

        return None if self.log.empty else staleness(self.days.max(), self.as_of)

    @functools.cached_property
    def proposal(self) -> Any:
        """The next plan (:func:`backkit.review.propose_next`), judged as of :attr:`as_of`."""
        from .review import propose_next

        # the tables the report shows anyway; adherence only against the plan given
        # (without one, the next plan is judged against the default plan)
        worked_out = {"effects": self.effects, "flags": self.flags}
        if self.plan is not None:
            worked_out["weekly"] = self.weekly
        return propose_next(
            self.log,
            self.plan,
            dates_shifted=bool(self.privacy.date_shift),
            as_of=self.as_of,
            worked_out=worked_out,
        )


# --------------------------------------------------------------------------
# The document: sections of plain blocks that the template escapes and lays out


@dataclass(frozen=True)
class Text:
    """A paragraph; ``lead`` is set in bold before it."""

    text: str
    lead: str = ""
    kind: str = "text"


@dataclass(frozen=True)
class Items:
    """A bulleted list, with an optional lead-in line."""

    items: tuple[str, ...]
    lead: str = ""
    kind: str = "items"


@dataclass(frozen=True)
class Table:
    """A table with people's headings; ``empty`` is said instead when it has no rows."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "Nothing to show yet."
    numeric: tuple[int, ...] = ()  # columns aligned right
    caption: str = ""
    wrap: tuple[int, ...] = ()  # columns whose text may wrap; the others stay on one line
    kind: str = "table"


@dataclass(frozen=True)
class Chart:
    """A chart as an embedded PNG with its titles as alt text.

    ``width`` and ``height`` are the figure's size in CSS pixels (96 an
    inch): the page shows it at that size, so it prints at its own size.
    """

    alt: str
    src: str
    tall: bool = False
    kind: str = "chart"
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Blank:
    """Lines to write on by hand, one labelled space per entry."""

    labels: tuple[str, ...]
    kind: str = "blank"


@dataclass(frozen=True)
class Section:
    """A heading and its blocks.

    ``boxed`` draws a frame (the safety signs); ``page_break`` starts the
    section on a new printed page.
    """

    title: str
    blocks: tuple[Any, ...]
    boxed: bool = False
    page_break: bool = False

    @property
    def keep(self) -> int:
        """How many blocks stay on one page with the heading.

        The text up to the first table (with it when it is a few rows), chart
        (with it unless it is a tall one) or list, and at most two paragraphs.
        """
        for n, block in enumerate(self.blocks):
            if block.kind == "table":
                return n + 1 if len(block.rows) <= _KEEP_ROWS else n
            if block.kind == "chart":
                return n if block.tall else n + 1
            if block.kind == "items" or n == _KEEP_TEXT:
                return n  # a list, or the rest of a long text, may run on to the next page
        return len(self.blocks)


@dataclass(frozen=True)
class Document:
    """A whole report: title, header lines, sections, audience and paper size."""

    title: str
    header: tuple[Text, ...]
    sections: tuple[Section, ...]
    audience: str = "clinician"
    paper: str = "a4"
    sample: bool = False


def _day(value: Any) -> str:
    """A date as "8 Jan 2025" (no platform-specific format codes)."""
    return f"{value.day} {value:%b %Y}"


def _num(value: Any, spec: str, none: str = "–") -> str:
    import pandas as pd

    if value is None or pd.isna(value):
        return none
    return format(float(value), spec)


def _exercise_name(exercise_id: Any, *, numbered: bool = True) -> str:
    """An exercise's name as people read it, never its id."""
    from .errors import UnknownExerciseError
    from .exercises import get_exercise

    try:
        ex = get_exercise(str(exercise_id))
    except UnknownExerciseError:
        return "An exercise not in this catalogue"
    return f"{ex.number}. {ex.name}" if numbered else ex.name


def _dose(exercise_id: str, dose: tuple[int, int, float]) -> str:
    from .exercises import get_exercise

    sets, reps, hold = dose
    what = f"{sets} set{'s' if sets != 1 else ''} of {reps}"
    with contextlib.suppress(Exception):
        if get_exercise(exercise_id).kind == "hold":
            what += f", hold {hold:g} s"
    return what


def _plural(n: float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


def _chart(draw: Callable[[Axes], Any], sample: bool, height: float) -> Chart:
    """Draw one chart on an Axes of the printed width, ``height`` inches tall.

    The chart functions take every text literally (:func:`backkit.charts.literal_text`).
    """
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(_PRINT_WIDTH, height), layout="constrained")
    return chart_image(draw(ax), sample=sample, dpi=_CHART_DPI)


# --------------------------------------------------------------------------
# Words: the sections of each audience


def _facts(review: Review, you: bool) -> list[str]:
    """The key facts in sentences: third person for the clinician, second for the patient."""
    log, name = review.log, review.privacy.name
    if log.empty:
        return [
            "You have not logged any exercise sessions yet."
            if you
            else f"{name} has not logged any exercise sessions yet."
        ]
    days = review.days
    sessions = log["session_id"].nunique()
    span = f"between {_day(days.min())} and {_day(days.max())}"
    if days.nunique() == 1:
        span = f"on {_day(days.min())}"
    lines = [
        f"You exercised on {_plural(days.nunique(), 'day')} {span} "
        f"({_plural(sessions, 'session')} in all)."
        if you
        else f"{name} logged {_plural(sessions, 'session')} on {_plural(days.nunique(), 'day')} "
        f"{span}."
    ]
    table = review.by_exercise
    if review.plan is not None and table["prescribed"].sum() > 0:
        share = table["credit"].sum() / table["prescribed"].sum()
        lines.append(
            f"You did {share:.0%} of the exercise sessions in your plan."
            if you
            else f"{name} did {share:.0%} of the prescribed exercise sessions "
            f"({table['credit'].sum():.1f} of {table['prescribed'].sum():g})."
        )
    change = review.pain_change
    if len(change) >= 2:
        from .analysis import shown_change

        # as many decimals as the verdict needs (never "5.0 to 3.0" beside "not meaningful")
        shown = shown_change(change.attrs["baseline"], change["pain"].iloc[-1])
        who = "Your pain" if you else "Pain"
        sentence = (
            f"{who} before exercise went from {shown.baseline}/10 in the first week "
            f"to {shown.latest}/10 in the latest week"
        )
        if not you:
            sentence += f", {_VERDICT_WORDS[str(change['status'].iloc[-1])]}"
        lines.append(sentence + ".")
    elif len(change) == 1:
        lines.append(
            ("Your pain" if you else "Pain")
            + f" before exercise was {change['pain'].iloc[0]:.1f}/10 on average so far"
            + (": too soon to see a trend." if you else "; too soon for a trend.")
        )
    if review.stale and you:
        lines.append(
            f"This review is from old data ({review.stale.replace('the newest', 'your newest')}), "
            "so it may not show how your back is now."
        )
    return lines


def _summary(review: Review) -> tuple[list[str], str | None]:
    """Third-person summary sentences for the first page, and the streaks sentence.

    :func:`backkit.narrative.summary` is, in order: what was logged, pain,
    adherence, the streaks, what was observed around single exercises and,
    last, the pain-monitoring flags. The first page keeps all but the streaks
    (section 1 gives them, beside adherence) and the single exercises
    (section 4 gives them in a table), so that it has room for the trend.
    """
    from . import narrative

    lines = narrative.summary(
        review.log,
        review.plan,
        subject=review.privacy.name,
        effects=review.effects,
        flags=review.flags,
        weekly=review.per_week,
    )
    streak = next((n for n, line in enumerate(lines) if line.startswith("Longest streak")), None)
    if streak is None:
        return lines, None
    return [*lines[:streak], *lines[streak + 1 :][-1:]], lines[streak]


def _header(review: Review, you: bool) -> tuple[Text, ...]:
    from . import __version__, config

    privacy, log, plan = review.privacy, review.log, review.plan
    lines = []
    if review.is_sample:
        lines.append(
            Text("This is the sample log shipped with backkit, not a patient's.", "Sample data.")
        )
    if log.empty:
        lines.append(Text("no exercise sessions logged yet.", "Log:"))
    else:
        days = review.days
        lines.append(
            Text(
                f"{_plural(log['session_id'].nunique(), 'session')} on "
                f"{_plural(days.nunique(), 'day')}, {_day(days.min())} to {_day(days.max())}.",
                "Log:",
            )
        )
    if plan is None:
        lines.append(Text("none given; adherence is counted as days exercised.", "Plan:"))
    else:
        until = f" to {_day(plan.end)}" if plan.end else ""
        by = f" (by {plan.author})" if plan.author else ""
        lines.append(
            Text(
                f"{plan.name}{by}: {_plural(len(plan.items), 'exercise')}, {_how_often(plan)}, "
                f"from {_day(plan.start)}{until}.",
                "Plan:",
            )
        )
    if review.stale and not you:
        lines.append(
            Text(
                f"{review.stale} (more than 4 weeks before this review): ask how the patient "
                "is now before acting on it; the next plan raises no dose from it.",
                "Stale data:",
            )
        )
    if not you:
        kept = [
            "named by a pseudonym" if privacy.real_name is None else "named (real name on request)",
            "all dates shifted by a fixed number of days"
            if privacy.date_shift
            else "dates as logged",
            "free text included, cleaned" if privacy.include_notes else "free text left out",
        ]
        lines.append(Text("; ".join(kept) + ".", "Privacy:"))
    made = "" if privacy.date_shift else f" on {_day(config.today())}"
    lines.append(Text(f"Prepared with backkit {__version__}{made}. Not a diagnosis."))
    return tuple(lines)


def _how_often(plan: Plan) -> str:
    from .plan import WEEKDAYS

    names = dict(zip(WEEKDAYS, _WEEKDAY_NAMES, strict=True))
    if plan.weekdays:
        when = ", ".join(names[d] for d in WEEKDAYS if d in plan.weekdays)
    else:
        when = "every day" if plan.days_per_week == 7 else f"any {plan.days_per_week} days a week"
    own = [item for item in plan.items if item.weekdays]
    if not own:
        return when
    # exercises on days of their own (strength work) are named, so "every day" is never wrong
    groups: dict[str, list[str]] = {}
    for item in own:
        days = ", ".join(names[d] for d in WEEKDAYS if d in (item.weekdays or ()))
        groups.setdefault(days, []).append(_exercise_name(item.exercise_id, numbered=False))
    apart = "; ".join(f"{' and '.join(who)} only on {days}" for days, who in groups.items())
    return f"{when}; {apart}"


_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_TERMS = (
    (
        "Adherence",
        "the share of the prescribed exercise sessions that were done; one exercise on one "
        "day is one session, and a session done in part counts in part. Frequency (days) and "
        "dose (time held against time planned) are reported apart.",
    ),
    (
        "Baseline",
        "the mean pain before exercise over the first 7 days of the log; for check-ins, "
        "the first check-in.",
    ),
    (
        "MIC",
        "minimal important change (Ostelo et al. 2008): the smallest improvement in pain "
        "that people with low back pain count as important, 2 points or 30% of the baseline. "
        "Smaller values have been reported (1.5 to 3.5 points, Abbott and Schmitt 2014); "
        "backkit asks for both 2 points and 30%, a conservative choice (from a high baseline "
        "a larger fall is needed: Farrar et al. 2001), and counts a rise of the same size as "
        "a meaningful worsening (the kit's choice). Here it is applied to weekly means of the "
        "ratings before exercise; the check-in's average pain over the last week is the "
        "closer match to what it was made for.",
    ),
    (
        "Pain-monitoring flags",
        "exercises and whole sessions that broke the kit's one pain rule, counted as flags "
        "(one exercise, or one whole session, in one session) and as sessions. Over the "
        "limit: {limit} (adapted from the pain-monitoring model of Silbernagel et al. 2007, "
        "from tendinopathy research, extrapolated to low back pain; measuring it from the "
        "pain before is backkit's own adaptation). A rise of {rise} points or more within the "
        "limit, or a session starting {rise} points or more higher than the one before: "
        "backkit's own rules, not the paper's, meaning do less next time.",
    ),
    (
        "95% confidence interval",
        "the range of mean changes in pain (after minus before an exercise) that fit the "
        "data; when the whole range is below zero, pain was lower after the exercise than "
        "before it, and when it is above zero, higher, which says nothing about how large "
        "the change is. Each week counts as one unit (sessions on nearby days are not "
        "independent), so it is a guide rather than a precise measurement. It describes "
        "what was observed, not what the exercise caused: back pain often changes on its own.",
    ),
)


def _terms() -> tuple[tuple[str, str], ...]:
    """The terms, with the pain rule's numbers filled in from ``safety.yaml``."""
    from . import safety

    words = {"limit": safety.limit_words(), "rise": safety.max_rise()}
    return tuple((term, text.format(**words)) for term, text in _TERMS)


def _adherence_glance(review: Review) -> Section:
    """The weekly adherence chart, on the second page (the summary says it in words)."""
    from . import charts

    if review.log.empty:
        return Section("Adherence", (Text("No exercise sessions logged yet."),))
    chart = _chart(
        lambda ax: charts.plot_adherence(review.log, review.plan, weekly=review.per_week, ax=ax),
        review.is_sample,
        2.5,
    )
    return Section("Adherence", (chart,))


def _adherence_section(review: Review, streaks: str | None = None) -> Section:
    """Adherence per exercise, the streaks, and the calendar once the log spans four weeks."""
    from . import charts

    title = "1. Adherence by exercise"
    if review.log.empty:
        return Section(title, (Text("No exercise sessions logged yet."),))
    table, plan = review.by_exercise, review.plan
    start, end = table.attrs["start"], table.attrs["end"]
    done, partial = int(table["done"].sum()), int(table["partial"].sum())
    if plan is None:
        text = (
            f"From {_day(start)} to {_day(end)}: {done} exercise sessions done in full and "
            f"{partial} in part (no plan given)."
        )
    else:
        text = (
            f"From {_day(start)} to {_day(end)}: {review.weekly.attrs['overall']:.0%} of the "
            f"{table['prescribed'].sum():g} prescribed exercise sessions were done "
            f"({done} in full, {partial} in part)."
        )
    if streaks:
        text += f" {streaks}"
    headers = ["Exercise", "Done in full", "Done in part", "Time held vs planned"]
    rows = []
    for exercise_id, r in table.iterrows():
        row = [_exercise_name(exercise_id), f"{r['done']:g}", f"{r['partial']:g}"]
        row.append(_num(r["hold_ratio"], ".0%"))
        if plan is not None:
            row[1:1] = [f"{r['prescribed']:g}", _num(r["adherence"], ".0%")]
        rows.append(tuple(row))
    if plan is not None:
        headers[1:1] = ["Sessions prescribed", "Adherence"]
    blocks: list[Any] = [
        Text(text),
        Table(
            tuple(headers), tuple(rows), "No exercises logged yet.", tuple(range(1, len(headers)))
        ),
    ]
    if review.days.nunique() >= 28:  # a calendar of a few weeks is a nearly empty grid
        blocks.append(
            _chart(lambda ax: charts.plot_calendar(review.log, plan, ax=ax), review.is_sample, 2.1)
        )
    return Section(title, tuple(blocks))


def _trend_section(review: Review) -> Section:
    """Pain before exercise over time, on the first page of the clinician's report."""
    from . import charts

    title = "Pain before exercise over time"
    if review.log.empty:
        return Section(title, (Text("No exercise sessions logged yet."),))
    if review.days.nunique() < 2:
        return Section(title, (Text("One day logged so far: too soon to draw a trend."),))
    chart = _chart(
        lambda ax: charts.plot_pain_trend(review.log, review.plan, ax=ax), review.is_sample, 2.5
    )
    return Section(title, (chart,))


def _pain_section(review: Review) -> Section:
    from .analysis import pain_mcid, shown_change

    change = review.pain_change
    points, percent = pain_mcid()
    rule = (
        f"a fall of at least {points:g} points and at least {percent:g}% of the baseline "
        "(both, a conservative choice)"
    )
    title = "2. Pain against the minimal important change (MIC)"
    if change.empty:
        return Section(title, (Text(f"No pain scores logged yet. MIC: {rule}."),))
    base, last = change.attrs["baseline"], change.iloc[-1]
    if len(change) < 2:
        return Section(
            title,
            (
                Text(
                    f"Baseline pain (first 7 days): {base:.1f}/10. Only one week logged: too "
                    f"soon to compare with the baseline. MIC: {rule}."
                ),
            ),
        )
    reached = change.index[change["mcid"].fillna(False).astype(bool)]
    latest = shown_change(base, last["pain"])
    pct = f" ({latest.percent})" if latest.percent else ""
    lines = [
        f"Baseline pain (first 7 days): {base:.1f}/10. MIC: {rule}; from this baseline, "
        f"{latest.needed} points.",
        f"Latest week (from {_day(change.index[-1])}): {latest.latest}/10, "
        f"{latest.change} points{pct} from the baseline of {latest.baseline}: "
        + f"{_VERDICT_WORDS[str(last['status'])]}.",
        f"First reached in the week from {_day(reached[0])}."
        if len(reached)
        else "Not reached in any week so far.",
        "The MIC was set for a person's rating of their usual pain; here it is applied to "
        "weekly means of the ratings before exercise, so read it as a guide (the check-ins' "
        "average pain, section 5, is the closer match).",
    ]
    shown = change.tail(12)
    rows = []
    for week, r in shown.iterrows():
        # the decimals the row's own verdict needs, so "Beyond the MIC" never contradicts it
        row = shown_change(base, r["pain"])
        rows.append(
            (
                _day(week),
                row.latest,
                row.change,
                row.percent or "–",
                "yes" if r["mcid"] is True or r["mcid"] == 1 else "no",
            )
        )
    caption = "The latest 12 weeks." if len(change) > 12 else ""
    table = Table(
        (
            "Week from",
            "Mean pain before exercise",
            "Change from baseline (points)",
            "Change (%)",
            "Beyond the MIC",
        ),
        tuple(rows),
        numeric=(1, 2, 3),
        caption=caption,
    )
    return Section(title, (Text(" ".join(lines)), table))


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


#: What a week's change in pain from baseline is called (``pain_change_by_week``'s status).
_VERDICT_WORDS = {
    "improved": "a clinically meaningful improvement",
    "worse": "a meaningful worsening (the kit's rule: a rise as large as a meaningful fall)",
    "no meaningful change": "not a clinically meaningful change",
}

_FLAG_WORDS = {
    "above-limit": "pain went over the limit",
    "rose-during": "pain rose by {rise}+ points within the limit",
    "higher-next-session": "pain at the start {rise}+ points higher than the session before",
}


def _flags_section(review: Review) -> Section:
    from . import safety
    from .analysis import FLAG_KINDS

    flags = review.flags
    rise = safety.max_rise()
    words = {k: w.format(rise=rise) for k, w in _FLAG_WORDS.items()}
    title = "3. Pain-monitoring flags"
    limits = Text(
        f"The kit's one pain rule (the same as the patient's timer advice): over the limit "
        f"means {safety.limit_words()}: stop that exercise for the day and do less next "
        f"time. A rise of {rise} points or more within the limit, or a session starting "
        f"{rise} points or more higher than the one before, means do less next time. One "
        "flag is one exercise, or one whole session, in one session."
    )
    if flags.empty:
        return Section(title, (limits, Text("No pain-monitoring flags.")))
    said = []
    for kind in FLAG_KINDS:
        rows = flags[flags["kind"] == kind]
        if len(rows):
            sessions = rows["session_id"].nunique()
            said.append(
                f"{words[kind]}: {_plural(len(rows), 'flag')} in {_plural(sessions, 'session')}"
            )
    latest = flags.tail(10)
    rows = []
    for r in latest.itertuples():
        known = not _missing(r.reference)
        pain = f"{r.reference:g} → {r.pain:g}" if known else f"{r.pain:g}/10"
        what = _exercise_name(r.exercise_id) if not _missing(r.exercise_id) else "Whole session"
        rows.append((_day(r.day), what, words.get(str(r.kind), "flagged"), pain))
    return Section(
        title,
        (
            limits,
            Text("; ".join(said) + ".", "Flags in the whole log:"),
            Table(
                ("Day", "Exercise", "What happened", "Pain"),
                tuple(rows),
                numeric=(3,),
                wrap=(2,),
                caption=f"The {_plural(len(rows), 'most recent flag')}."
                if len(rows) > 1
                else "The only flag.",
            ),
        ),
    )


def _effects_section(review: Review) -> Section:
    from . import charts
    from .safety import max_rise

    effects = review.effects
    rise = max_rise()
    title = "4. Pain straight after each exercise"
    if effects.empty:
        return Section(title, (Text("No bouts with pain rated before and after yet."),))
    words = {
        "lower": "lower after",
        "higher": "higher after",
        "unclear": "no clear difference",
        "identical": "the same every time",
        "too few": "too few to judge",
    }
    rows = tuple(
        (
            _exercise_name(exercise_id),
            f"{int(r['n'])}",
            f"{int(r['weeks'])}",
            _num(r["before"], ".1f"),
            _num(r["after"], ".1f"),
            _num(r["change"], "+.2f"),
            f"{_num(r['ci_low'], '+.2f')} to {_num(r['ci_high'], '+.2f')}",
            words.get(str(r["verdict"]), str(r["verdict"])),
        )
        for exercise_id, r in effects.iterrows()
    )
    blocks: list[Any] = [
        Text(
            "Each session with the exercise's own pain rated before and after gives one "
            "paired difference (both sides and repeats averaged): the mean change and its 95% "
            "confidence interval. The interval counts each week as one unit, because sessions "
            "on nearby days are not independent; it is a guide, not a precise measurement. "
            '"Higher" or "lower" says the interval excludes 0, not that the change is '
            f"large: the next plan changes a dose only for a mean rise of {rise} points or "
            "more, or a pain flag naming the exercise."
        ),
        Table(
            (
                "Exercise",
                "Sessions",
                "Weeks",
                "Pain before",
                "Pain after",
                "Mean change",
                "95% CI",
                "Verdict",
            ),
            rows,
            numeric=(1, 2, 3, 4, 5, 6),
            wrap=(0, 7),  # eight columns fit the page only if these may wrap
        ),
    ]
    if len(review.days.unique()) > 1:
        watch = cast(str, effects["change"].idxmax())  # the index holds exercise ids
        listed = set(effects.index) | {i.exercise_id for i in getattr(review.plan, "items", ())}
        blocks.append(
            _chart(
                lambda ax: charts.plot_pain_change(
                    review.log, review.plan, effect=review.effects, ax=ax
                ),
                review.is_sample,
                1.3 + 0.3 * len(listed),  # a bar a line
            )
        )
        blocks.append(
            _chart(
                lambda ax: charts.plot_exercise_history(review.log, watch, days=None, ax=ax),
                review.is_sample,
                2.8,
            )
        )
    return Section(title, tuple(blocks))


def _outcomes_section(review: Review) -> Section:
    from . import charts
    from . import outcomes as measures

    title = "5. Outcome check-ins"
    outcomes = review.outcomes
    if outcomes is None or outcomes.empty:
        return Section(title, (Text("No outcome check-ins in this log yet."),))
    change = measures.change_from_baseline(outcomes)
    latest = change.groupby("label", sort=False).tail(1)
    status = {"baseline": "baseline only"}
    rows = tuple(
        (
            str(r.label),
            _num(r.baseline_score, "g"),
            _num(r.score, "g") if r.status != "baseline" else "–",
            _num(r.change, "+g") if r.status != "baseline" else "–",
            status.get(str(r.status), str(r.status)),
        )
        for r in latest.itertuples()
    )
    first = change["date"].min()
    blocks: list[Any] = [
        Text(
            f"Baseline on {_day(first)}; latest check-in on {_day(change['date'].max())}. "
            "A change counts as improved or worse when it reaches the measure's threshold."
        ),
        Table(
            ("Measure", "Baseline", "Latest", "Change", "Verdict"),
            rows,
            numeric=(1, 2, 3),
            wrap=(0,),
        ),
    ]
    if change["date"].nunique() > 1:
        # panels short enough that the figure (about 2.7 inches besides them) fits a page
        panels = int(change.loc[change["item"].isna(), "measure"].nunique())
        fig = charts.plot_outcomes(
            review.log,
            outcomes,
            width=_PRINT_WIDTH,
            panel_height=min(1.1, (9.0 - 2.7) / max(1, panels)),
        )
        blocks.append(chart_image(fig, sample=review.is_sample, dpi=_CHART_DPI))
    return Section(title, tuple(blocks))


def _red_flags_section() -> Section:
    from . import safety

    flags = safety.rules()["clinician_red_flags"]
    sources = safety.rules()["sources"]
    items = tuple(f"{group.capitalize()}: {text}" for group, text in flags["groups"].items())
    tags = dict.fromkeys(
        tag for group in safety.clinician_red_flags() for tag in (*flags["sources"], *group.sources)
    )
    cite = "; ".join(sources[s] for s in tags if s in sources)
    note = " ".join(str(flags.get("note", "")).split())
    blocks = (Items(items), *((Text(note),) if note else ()), Text(f"Sources: {cite}"))
    return Section(flags["title"], blocks, boxed=True)


def _next_plan_rows(review: Review, numbered: bool) -> tuple[tuple[str, ...], ...]:
    proposal = review.proposal
    old = review.plan or proposal.plan
    rows = []
    for change in proposal.changes:
        i = change.exercise_id
        before = _dose(i, old.dose(i)) if any(x.exercise_id == i for x in old.items) else "–"
        after = _dose(i, proposal.plan.dose(i))
        dose = after if after == before else f"{before} → {after}"
        rows.append((_exercise_name(i, numbered=numbered), dose, f"{change.what}: {change.why}."))
    return tuple(rows)


def _next_plan_section(review: Review) -> Section:
    """The proposed plan, what changes and why: the second page of the clinician's report."""
    proposal = review.proposal
    nxt = proposal.plan
    stale = (
        (
            Text(
                f"{proposal.stale}: this plan raises no dose from it; ask how the patient is "
                "now before giving it.",
                "Made from stale data:",
            ),
        )
        if proposal.stale
        else ()
    )
    return Section(
        "Next plan",
        (
            *stale,
            Text(
                f"{_how_often(nxt)}, from {_day(nxt.start)} to {_day(nxt.end)}. Proposed by "
                "the kit's fixed rules (section 6): a starting point, to change to suit the "
                "patient.",
                "Next plan:",
            ),
            Table(
                ("Exercise", "Dose", "Change and why"),
                _next_plan_rows(review, True),
                wrap=(0, 1, 2),
            ),
        ),
    )


def _plan_rules_section() -> Section:
    """How :func:`backkit.review.propose_next` makes the next plan, in words."""
    from .safety import max_rise

    rise = max_rise()
    return Section(
        "6. How the next plan is made",
        (
            Text(
                "The kit's rules (backkit.review.propose_next): no dose changes before two weeks "
                "of logging; an exercise flagged for its own pain in the last two weeks (over "
                f"the limit, or a rise of {rise}+ points), or after which pain rose by {rise} "
                "points or more on average (its own ratings), steps back (one set fewer and the "
                "low end of its range, never more than before in any part of the dose) and its "
                "easier version is named; one after which pain was higher on average by less "
                "than that keeps its dose, to discuss with the patient; one done in at least "
                "80% of the prescribed sessions with no higher pain after it steps up within its "
                "range, "
                "unless whole sessions were flagged for pain in the last two weeks or the data "
                "are more than 4 weeks old; strength work stays off consecutive days; the rest "
                "stay as they are. Higher pain after an exercise is what was observed, not proof "
                "that the exercise caused it. A starting point: change it to suit the patient."
            ),
            Text(
                "The patient saves the plan file (for example next-plan.yaml) and runs "
                "backkit plan activate next-plan.yaml once; the app and today's session "
                "then show this plan.",
                "How the patient starts it:",
            ),
        ),
    )


def _notes_section(review: Review, title: str) -> Section:
    if review.notes:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", review.notes) if p.strip()]
        return Section(title, tuple(Text(" ".join(p.split())) for p in paragraphs))
    return Section(title, (Blank(("Assessment", "Plan and advice", "Reviewed by, date")),))


def _warnings_section(review: Review) -> Section:
    """The patient's warning-sign answers, boxed, before anything else the clinician reads."""
    title = "Warning-sign answers"
    if review.warnings is None:
        why = (
            "this is sample data"
            if review.is_sample
            else "a CSV export carries no screenings or check-ins"
        )
        text = (
            f"Not known from this file ({why}): ask the patient the warning-sign "
            "questions, or review their log file (.sqlite), which keeps the answers."
        )
        return Section(title, (Text(text),), boxed=True)
    answers, screenings, _ = review.warnings
    if answers.empty:
        said = (
            f"No warning-sign answers: {_plural(screenings, 'screening')} recorded, "
            "every question answered no, and no check-in reported new or further-spreading "
            "pain or tingling below the knee, or a worse morning after."
            if screenings
            else "No warning-sign screening is recorded in this log: ask the questions."
        )
        return Section(title, (Text(said),), boxed=True)
    rows = tuple(
        (_day(r.date), r.question, r.answer, f"{r.action}: {r.advice}")
        for r in answers.itertuples(index=False)
    )
    lead = Text(
        "Most serious first. A later all-no screening does not cancel these: every "
        "answer stays listed here with its date, so review each with the patient.",
    )
    if review.unresolved:
        # the gate is closed for the patient: the plan on page 2 waits for this
        lead = Text(
            f"{lead.text} {_plural(len(review.unresolved), 'screening')} with a \"yes\" "
            "has no clearance recorded: the patient's timer stays closed. See them about "
            "it before giving the next plan.",
            "Not to be started yet:",
        )
    table = Table(("Date", "Question", "Answer", "Action and advice shown"), rows, wrap=(1, 3))
    return Section(title, (lead, table), boxed=True)


def _clinician_sections(review: Review) -> tuple[Section, ...]:
    """The clinician's report: two pages that stand alone, then the detail.

    The first pages hold what a review needs: the warning-sign answers (always
    first), the summary, the pain trend, adherence and the next plan. The
    numbered sections, the terms, the red flags and the space for notes follow,
    from a new page once the log has a trend to draw (before that, the first
    part is not much over a page, and a new page would leave one half empty).
    """
    summary, streaks = _summary(review)
    detail = _adherence_section(review, streaks)
    return (
        _warnings_section(review),
        Section("Summary", tuple(Text(line) for line in summary)),
        _trend_section(review),
        _adherence_glance(review),
        _next_plan_section(review),
        replace(detail, page_break=review.days.nunique() >= 2),
        _pain_section(review),
        _flags_section(review),
        _effects_section(review),
        _outcomes_section(review),
        _plan_rules_section(),
        Section("Terms used in this report", (Items(tuple(f"{t}: {d}" for t, d in _terms())),)),
        _red_flags_section(),
        _notes_section(review, "Clinician's notes"),
    )


def _weekly_table(plan: Plan) -> Table:
    from .plan import WEEKDAYS

    rows = []
    # each exercise on its own days (strength work: Monday, Wednesday, Friday), else the plan's
    by_day = plan.weekdays or plan.days_per_week == 7 or any(i.weekdays for i in plan.items)
    for item in plan.items:
        i = item.exercise_id
        row = [_exercise_name(i, numbered=False), _dose(i, plan.dose(i))]
        days_of = item.weekdays or plan.weekdays
        if days_of or (by_day and plan.days_per_week == 7):
            row += ["✓" if not days_of or d in days_of else "" for d in WEEKDAYS]
        elif by_day:
            row += [f"any {plan.days_per_week} days a week", *[""] * (len(WEEKDAYS) - 1)]
        else:
            row.append(f"any {plan.days_per_week} days a week")
        rows.append(tuple(row))
    days = _WEEKDAY_NAMES if by_day else ("How often",)
    return Table(("Exercise", "How much", *days), tuple(rows))


def _patient_sections(review: Review) -> tuple[Section, ...]:
    from . import charts

    nxt = review.proposal
    changes = [
        f"{_exercise_name(c.exercise_id, numbered=False)}: {c.what} ({c.why})." for c in nxt.changes
    ]
    how = Section(
        "How to start your new plan",
        (
            Items(
                (
                    "Save the plan file you were sent (for example next-plan.yaml).",
                    "In a terminal, type: backkit plan activate next-plan.yaml",
                    "Then open the backkit app (type: backkit app). It shows the exercises "
                    "of this plan for each day, with a timer.",
                )
            ),
        ),
    )
    progress: list[Any] = [Text(line) for line in _facts(review, you=True)]
    if len(review.days.unique()) > 1:
        progress.append(
            _chart(
                lambda ax: charts.plot_pain_trend(review.log, review.plan, ax=ax),
                review.is_sample,
                3.1,
            )
        )
    if review.unresolved:
        # a "yes" still in force: what to do comes first, and no plan to start
        return tuple(
            [
                _open_warning_section(review),
                Section("How it went", tuple(progress)),
                _safety_section(),
            ]
        )
    sections = [
        Section("How it went", tuple(progress)),
        Section(
            "Your plan for the next four weeks",
            (
                Text(
                    f"From {_day(nxt.plan.start)} to {_day(nxt.plan.end)}. The kit proposes "
                    "it from fixed rules: go through it with your physiotherapist or doctor "
                    "before you start it."
                ),
                _weekly_table(nxt.plan),
                Items(tuple(changes), "What changes and why:"),
            ),
        ),
        how,
        _safety_section(),
    ]
    if review.notes:
        sections.insert(3, _notes_section(review, "Notes from your physiotherapist"))
    return tuple(sections)


def _open_warning_section(review: Review) -> Section:
    """The patient's unresolved warning-sign answers: what to do now, and why no plan is given."""
    from . import safety

    worst = max((u.action for u in review.unresolved), key=safety.ACTIONS.index)
    asked = {q.id: q.ask for q in safety.screening_questions()}
    said = tuple(asked.get(q, q) for u in review.unresolved for q in u.yes)
    return Section(
        "Before you exercise again",
        (
            Text(safety.screening_advice(worst)),
            Items(tuple(dict.fromkeys(said)), "You answered yes to:"),
            Text(
                "This report gives no new plan until a doctor or physiotherapist has seen you "
                "about these answers, since you gave them, and said you can exercise. When they "
                "have, record that in backkit (the form under the advice); your next report "
                "then gives a plan to go through with them before you start it."
            ),
        ),
        boxed=True,
    )


def _safety_section() -> Section:
    from . import safety

    r = safety.rules()
    pm = r["pain_monitoring"]
    blocks = (
        Items(tuple(r["emergency"]["signs"]), r["emergency"]["title"] + ":"),
        Items(tuple(r["urgent"]["signs"]), r["urgent"]["title"] + ":"),
        Items(tuple(r["stop_rules"]["rules"]), "While you exercise:"),
        Items(safety.pain_rule(), "How much pain is too much:"),
        Text(f"{' '.join(str(pm['note']).split())} {pm['rule_note']}"),
        Text("Sources: " + " ".join(r["sources"][k] for k in ("NHS", "NHSI", "SILBERNAGEL"))),
    )
    return Section("When to stop and get help", blocks, boxed=True)


def document(review: Review, audience: str = "clinician", *, paper: str = "a4") -> Document:
    """Write the review for one audience: the sections a report shows, in words.

    Parameters
    ----------
    review : Review
        The de-identified data and what was worked out from it.
    audience : {"clinician", "patient"}
        The clinician's report speaks of the patient in the third person. Its
        first two printed pages stand alone: the warning-sign answers (first,
        boxed), the summary, the pain trend, weekly adherence and the next
        plan; the detail follows (numbered sections 1 to 6), then the
        clinical terms explained once, the clinician red flags and space for
        the clinician's notes (or the notes). Charts are drawn at the size
        they print, with no text under 8 pt. The patient's
        report speaks to them in plain words: how it went, the next plan as a
        weekly table, how to start it, and when to stop and get help.
    paper : {"a4", "letter"}
        Paper size of the printed report.

    Examples
    --------
    >>> from backkit.report import Review, document
    >>> doc = document(Review.load(None), "patient")
    >>> doc.title, [s.title for s in doc.sections][:2]
    ('Your back exercise review', ['How it went', 'Your plan for the next four weeks'])
    >>> doc = document(Review.load(None), "clinician")
    >>> [s.title for s in doc.sections][:6]  # doctest: +NORMALIZE_WHITESPACE
    ['Warning-sign answers', 'Summary', 'Pain before exercise over time', 'Adherence',
     'Next plan', '1. Adherence by exercise']
    >>> [s.title for s in doc.sections if s.page_break]  # the detail starts a page
    ['1. Adherence by exercise']
    """
    if audience not in AUDIENCES:
        raise ReportError(f"audience = {audience!r}: give one of {', '.join(AUDIENCES)}")
    if paper not in PAPERS:
        raise ReportError(f"paper = {paper!r}: give one of {', '.join(PAPERS)}")
    you = audience == "patient"
    if you:
        title = "Your back exercise review"
        sections = _patient_sections(review)
        header = (Text(review.privacy.name, "For:"), *_header(review, you=True))
    else:
        title = f"Back exercise review: {review.privacy.name}"
        sections = _clinician_sections(review)
        header = _header(review, you=False)
    return Document(title, tuple(header), sections, audience, paper, review.is_sample)


# --------------------------------------------------------------------------
# HTML and PDF


def _template(name: str = "report.html.j2") -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda n: (resources.files("backkit") / "data" / n).read_text(encoding="utf-8")
        ),
        autoescape=True,  # every value a person typed is text, never markup
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(name)


def render_html(doc: Document) -> str:
    """Render a document as one self-contained HTML page; every value is escaped.

    Examples
    --------
    >>> from backkit.report import Document, Section, Table, Text, render_html
    >>> doc = Document("P <b>", (), (Section("S", (Text("<script>x</script>"),)),))
    >>> page = render_html(doc)
    >>> "<script>x" in page, "&lt;script&gt;x" in page
    (False, True)
    """
    return _template().render(doc=doc, page_size=PAPERS[doc.paper], sections=doc.sections)


def section_html(section: Section) -> str:
    """One section as an HTML fragment, for the review notebook (escaped like the report)."""
    return str(_template("report_blocks.html.j2").module.section(section))


def print_pdf(html: str, chromium: str, *, neutral_dates: bool = False) -> bytes:
    """Print an HTML page to PDF with the system's Chromium; return the PDF's bytes.

    The page is written to a private temporary folder (mode 0700) that is
    removed afterwards; Chromium runs headless with the kit's offline flags
    (:data:`CHROMIUM_FLAGS`) and a throw-away profile. With
    ``neutral_dates`` the PDF's creation and modification dates are set to
    1 January 2000, so a date-shifted report carries no real date.

    Raises
    ------
    ReportError
        When Chromium fails or writes no PDF, naming it and its last message.
    """
    with tempfile.TemporaryDirectory(prefix="backkit-pdf-") as tmp:
        folder = Path(tmp)
        page, target = folder / "report.html", folder / "report.pdf"
        page.write_text(html, encoding="utf-8")
        page.chmod(0o600)
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",  # containers run as root, where the sandbox cannot start
            "--disable-gpu",
            f"--print-to-pdf={target}",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",  # the same, for older Chromium
            f"--user-data-dir={folder / 'profile'}",
            *CHROMIUM_FLAGS,
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=_CHROMIUM_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ReportError(f"the PDF could not be printed with {chromium}: {err}") from None
        if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise ReportError(f"the PDF could not be printed with {chromium}: {last}")
        data = target.read_bytes()
    return _neutral_pdf_dates(data) if neutral_dates else data


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:(\d{4,14})([^)]*)\)")


def _neutral_pdf_dates(data: bytes) -> bytes:
    """Set the PDF's own dates to 2000-01-01, keeping every byte offset as it was."""

    def neutral(m: re.Match[bytes]) -> bytes:
        digits = b"20000101000000"[: len(m[2])].ljust(len(m[2]), b"0")
        zone = re.sub(rb"[0-9]", b"0", m[3])
        return m[0].replace(m[2] + m[3], digits + zone, 1)

    return _PDF_DATE.sub(neutral, data)


# --------------------------------------------------------------------------
# Progress


class _Progress:
    """A text progress bar on stderr: redrawn in place on a terminal, one line a step otherwise."""

    def __init__(self, total: int, *, enabled: bool, stream: TextIO | None = None):
        self.total = total
        self.done = 0
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if hasattr(self.stream, "isatty") else False
        self.label = ""
        self.start = time.monotonic()

    def step(self, label: str) -> None:
        if self.label:
            self.done += 1
        self.label = label
        self._draw(label, line=True)

    def detail(self, text: str, fraction: float) -> None:
        if self.tty:  # in-place updates only where they do not flood a log file
            self._draw(f"{self.label} {text}", extra=fraction)

    def abort(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")  # an error message starts on a line of its own
            self.stream.flush()

    def finish(self, text: str) -> None:
        self.done = self.total
        self._draw(f"{text} ({time.monotonic() - self.start:.1f} s)", line=True, end=True)

    def _draw(
        self, text: str, *, extra: float = 0.0, line: bool = False, end: bool = False
    ) -> None:
        if not self.enabled:
            return
        width = 24
        filled = int(width * min(1.0, (self.done + extra) / self.total))
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {text}"
        if self.tty:
            self.stream.write("\r\x1b[2K" + bar + ("\n" if end else ""))
        elif line:
            self.stream.write(bar + "\n")
        self.stream.flush()


# --------------------------------------------------------------------------
# Building


def find_chromium() -> str | None:
    """A system Chromium for PDFs: ``$BACKKIT_CHROMIUM``, /usr/bin/chromium, or on PATH.

    Returns the path, or None when there is none (then ``build(pdf=True)``
    says so before doing any work). backkit never downloads a browser.

    Examples
    --------
    >>> from backkit.report import find_chromium
    >>> find_chromium() is None or find_chromium().startswith("/")
    True
    """
    for candidate in (
        os.environ.get("BACKKIT_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _is_kind(path: Path, kind: str) -> bool:
    """Whether an existing file is one this command writes (so it may be replaced)."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "html":
        return b'<meta name="generator" content="backkit report' in head
    from .errors import BackkitError
    from .plan import Plan

    try:
        Plan.load(path)
    except (BackkitError, OSError, UnicodeError):
        return False
    return True


def _check_outputs(outputs: dict[Path, str], inputs: dict[str, Path | None]) -> None:
    """Refuse an output that is an input, or an existing file of another kind, before any work."""
    seen: dict[Path, str] = {}
    for path, kind in outputs.items():
        if path.is_dir():
            raise ReportError(f"output file {str(path)!r} is a folder; give a file name")
        key = path.resolve()
        if key in seen:
            raise ReportError(f"output file {str(path)!r} is given twice (as {seen[key]})")
        seen[key] = kind
        if not path.exists():
            continue
        for what, source in inputs.items():
            if source is not None and source.exists() and os.path.samefile(source, path):
                raise ReportError(
                    f"output file {str(path)!r} is the {what}; give another file name"
                )
        if not _is_kind(path, kind):
            wanted = {"html": "a backkit report", "pdf": "a PDF", "plan": "a backkit plan"}
            raise ReportError(
                f"output file {str(path)!r} exists and is not {wanted[kind]}; "
                "give a new file name (it was left as it is)"
            )


def _options(out: Path, pdf: bool, plan_out: Path | None, privacy: Privacy) -> str | None:
    """Refuse bad output options before any work; return the Chromium for a PDF."""
    if out.suffix.lower() not in (".html", ".htm"):
        raise ReportError(f"output file {str(out)!r}: give an .html file name")
    if plan_out is not None and plan_out.suffix.lower() not in (".yaml", ".yml"):
        raise ReportError(f"plan_out {str(plan_out)!r}: give a .yaml file name")
    if plan_out is not None and privacy.date_shift:
        raise ReportError(
            "saving the next plan (plan_out) with a date shift would give the patient a plan with "
            "shifted dates; make the plan from an unshifted report"
        )
    chromium = find_chromium() if pdf else None
    if pdf and chromium is None:
        raise ReportError(
            "no Chromium for the PDF (looked at $BACKKIT_CHROMIUM, /usr/bin/chromium "
            "and PATH); install one (Debian: apt-get install chromium) or leave out --pdf"
        )
    return chromium


def _read_notes(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        # UTF-8 has at most 4 bytes a character: more than that is over the limit unread
        data, why = read_bounded(path, 4 * _MAX_NOTES + 3)
    except OSError as err:
        raise ReportError(f"{path}: the clinician's notes cannot be read: {err.strerror}") from None
    too_long = f"{path}: the clinician's notes are over {_MAX_NOTES:,} characters: shorten them"
    if data is None:
        # more bytes than the longest notes can take: say so in characters, as below
        too_big = why is not None and why.startswith("is larger")
        raise ReportError(too_long if too_big else f"{path}: the clinician's notes file {why}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReportError(
            f"{path}: the clinician's notes are not UTF-8 text: save them as UTF-8"
        ) from None
    if len(text) > _MAX_NOTES:
        raise ReportError(too_long)
    return text


def _path(value: str | Path | None) -> Path | None:
    return Path(value).expanduser() if value is not None else None


def build(
    log: str | Path | None,
    *,
    plan: str | Path | None = None,
    out: str | Path = "report.html",
    audience: str = "clinician",
    notes: str | Path | None = None,
    paper: str = "a4",
    pseudonym: str = "Patient",
    real_name: str | None = None,
    date_shift: int = 0,
    include_notes: bool = False,
    redact: Sequence[str] = (),
    pdf: bool = False,
    plan_out: str | Path | None = None,
    progress: bool | TextIO = True,
) -> list[Path]:
    """Write a report of a patient's log for the clinician or the patient; return the files.

    Parameters
    ----------
    log : path or None
        The patient's exported log (``.csv``) or log file (``.sqlite``); None
        for the sample log (and, without ``plan``, the sample plan).
    plan : path, optional
        The patient's plan (YAML). Without one, adherence is days exercised.
    out : path
        The HTML file to write (default ``report.html``); the PDF goes beside
        it with the suffix ``.pdf``. An existing file is replaced only when it
        is a backkit report (and a PDF), never when it is one of the inputs.
    audience : {"clinician", "patient"}
        Who the report is for (:func:`document`).
    notes : path, optional
        A text file of the clinician's notes, shown in the report (cleaned
        like kept free text); without one the clinician's report leaves
        space to write them by hand.
    paper : {"a4", "letter"}
        Paper size of the PDF.
    pseudonym, real_name, date_shift, include_notes, redact
        De-identification; see :class:`Privacy`. The real name appears only
        when given.
    pdf : bool
        Also print a PDF with the system's Chromium. When none is found the
        call fails at once, before any work, naming where it looked.
    plan_out : path, optional
        Also save the proposed next plan (YAML), for the patient to activate.
        An existing file is replaced only when it is a backkit plan and not
        the ``plan`` given.
    progress : bool or file
        Show a progress bar on stderr (or on the file given).

    Returns
    -------
    list of Path
        The files written: the HTML report, then the PDF and the plan when asked.

    Raises
    ------
    ReportError
        For bad options, an output that is an input or another kind of file,
        missing files or no Chromium for a PDF. Nothing is written then.
    LogError, PlanError
        For invalid rows in the log, a damaged log file or an invalid plan, naming
        the file and row.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from backkit import report
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.html"
    >>> files = report.build(None, out=out, pseudonym="Patient A", progress=False)
    >>> files == [out], "data:image/png;base64" in out.read_text()
    (True, True)
    """
    from .plan import Plan

    privacy = Privacy(
        pseudonym,
        real_name=real_name,
        date_shift=date_shift,
        include_notes=include_notes,
        redact=tuple(redact or ()),
    )
    if audience not in AUDIENCES or paper not in PAPERS:
        document(Review(privacy, None, None, None, False), audience, paper=paper)  # says why
    out, plan_path, log_path = Path(out).expanduser(), _path(plan), _path(log)
    next_path, notes_path = _path(plan_out), _path(notes)
    chromium = _options(out, pdf, next_path, privacy)
    outputs = {out: "html"}
    if pdf:
        outputs[out.with_suffix(".pdf")] = "pdf"
    if next_path is not None:
        outputs[next_path] = "plan"
    inputs = {"patient's log": log_path, "patient's plan": plan_path, "notes file": notes_path}
    _check_outputs(outputs, inputs)
    stream = progress if hasattr(progress, "write") else None
    bar = _Progress(4 if pdf else 3, enabled=bool(progress), stream=stream)  # type: ignore[arg-type]
    try:
        bar.step("reading the log")
        text = _read_notes(notes_path)
        if plan_path is not None:
            Plan.load(plan_path)  # errors name the user's own file
        review = Review.load(log_path, plan_path, privacy, notes=text)
        bar.step("working out the review")
        doc = document(review, audience, paper=paper)
        page = render_html(doc)
        files = {out: page.encode("utf-8")}
        bar.step("writing the HTML report")
        if chromium is not None:
            bar.step("printing the PDF with Chromium")
            files[out.with_suffix(".pdf")] = print_pdf(
                page, chromium, neutral_dates=bool(privacy.date_shift)
            )
        if next_path is not None:
            files[next_path] = review.proposal.plan.to_yaml().encode("utf-8")
        # Written only now that every part is made: a failure leaves nothing behind.
        written = [
            write_atomically(p, functools.partial(Path.write_bytes, data=d))
            for p, d in files.items()
        ]
    except BaseException:
        bar.abort()
        raise
    bar.finish(f"wrote {', '.join(p.name for p in written)}")
    return written
