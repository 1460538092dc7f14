"""One vocabulary for checking values: limits, dates, and a problem collector.

The catalogue, plans, the routine, the log and the check-ins all read their
limits from :data:`LIMITS`, suggest with :func:`backkit.errors.did_you_mean` and read dates
with :func:`parse_datetime` / :func:`parse_date`, so they agree on what is
valid and say it the same way. A :class:`Checker` reads the fields of one
incoming record and collects every problem, so the caller raises once with
all of them (scikit-learn's ``validate_params`` is the model).

Examples
--------
>>> from backkit._checks import LIMITS
>>> LIMITS["sets"].hi, LIMITS["pain"].text()
(20, 'a whole number from 0 to 10')
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import config
from .errors import BackkitError, Message, Problem, did_you_mean
from .i18n import N_

__all__ = [
    "CLOCK_SKEW",
    "EARLIEST",
    "LIMITS",
    "MAX_BOUT",
    "Checker",
    "FileText",
    "Limit",
    "is_missing",
    "one_line",
    "parse_date",
    "parse_datetime",
    "read_bounded",
    "slug",
]


@dataclass(frozen=True)
class Limit:
    """An inclusive range a number must fall in, and whether it must be whole.

    Examples
    --------
    >>> from backkit._checks import Limit
    >>> Limit(1, 20).text(), Limit(0, 600, whole=False).text()
    ('a whole number from 1 to 20', 'a number from 0 to 600')
    >>> Limit(1, 20).holds(21)
    False
    """

    lo: float
    hi: float
    whole: bool = True

    def holds(self, value: float) -> bool:
        """Whether ``value`` is inside the range (and whole, when it must be)."""
        return self.lo <= value <= self.hi and (not self.whole or value == int(value))

    def text(self) -> str:
        """The rule in words, for error messages."""
        if self.whole:
            return Message(
                N_("a whole number from {lo} to {hi}"), lo=f"{self.lo:g}", hi=f"{self.hi:g}"
            )
        return Message(N_("a number from {lo} to {hi}"), lo=f"{self.lo:g}", hi=f"{self.hi:g}")


#: Limits that catch typos and unit mistakes (a hold typed in minutes as
#: seconds, a year typed wrong) without judging the dose. One table for the
#: catalogue, plans, the routine and the log, so a dose one accepts the others
#: accept too.
LIMITS: dict[str, Limit] = {
    "sets": Limit(1, 20),  # sets prescribed; sets done may be 0
    "reps": Limit(1, 100),  # repetitions per set; done may be 0
    "hold_seconds": Limit(0, 600, whole=False),  # one hold, or one paced repetition
    "rep_seconds": Limit(1, 60, whole=False),  # one paced repetition (the squat)
    "rest_seconds": Limit(0, 600, whole=False),  # between repetitions, sets, sides
    "pain": Limit(0, 10),  # 0-10 numeric rating scale
    "effort": Limit(0, 10),
    "text": Limit(0, 2000),  # characters of notes
    "name": Limit(1, 100),  # characters of an id or a name
}
#: The longest a bout may last, from its start to its end.
MAX_BOUT = dt.timedelta(hours=4)
#: How far in the future a timestamp may be (clocks of two devices disagree).
CLOCK_SKEW = dt.timedelta(minutes=5)
#: The earliest time the kit accepts: earlier is a mistyped year.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


class FileText(str):
    """A cell read from a text file (a CSV file), where every value is text.

    :meth:`Checker.number` reads numbers from such cells (strictly: plain
    decimals, with ``decimal`` as the decimal mark), but refuses text given
    where a number is required from Python code, where ``"3"`` for a pain
    score is a mistake to point out, not to guess at.

    Examples
    --------
    >>> from backkit._checks import FileText, Checker, LIMITS
    >>> row = Checker({"a": FileText("3,5", decimal=","), "b": "3"}, "file x.csv, row 2")
    >>> row.number("a", LIMITS["hold_seconds"]), row.number("b", LIMITS["pain"])
    (3.5, None)
    >>> [p.message for p in row.problems]
    ['must be a whole number from 0 to 10, not text (give a number, not "3")']
    """

    decimal: str

    def __new__(cls, value: str, decimal: str = ".") -> FileText:
        cell = super().__new__(cls, value)
        cell.decimal = decimal
        return cell


def is_missing(value: Any) -> bool:
    """Whether ``value`` means "not given": None, blank text, NaN, ``pd.NA`` or ``pd.NaT``.

    Examples
    --------
    >>> is_missing(None), is_missing("  "), is_missing(float("nan")), is_missing(0)
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    # pandas.NA and pandas.NaT, without importing pandas
    return type(value).__name__ in ("NAType", "NaTType")


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: Any) -> dt.date:
    """Read a calendar date: a ``date``, a ``datetime`` (its date) or ``YYYY-MM-DD`` text.

    Raises
    ------
    BackkitError
        For anything else, including text with more after the date.

    Examples
    --------
    >>> parse_date("2025-01-20")
    datetime.date(2025, 1, 20)
    >>> parse_date("2025-01-20 trailing")
    Traceback (most recent call last):
    ...
    backkit.errors.BackkitError: is not a date (write it as YYYY-MM-DD)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise BackkitError(N_("is not a real date (check the day and month)")) from None
    raise BackkitError(N_("is not a date (write it as YYYY-MM-DD)"))


def parse_datetime(value: Any) -> dt.datetime:
    """Read a moment: a ``datetime``, a ``date`` (its midnight), numpy ``datetime64`` or ISO 8601.

    ISO text may end in ``Z`` on every supported Python. The result keeps its
    time zone, or has none when the input had none.

    Raises
    ------
    BackkitError
        When ``value`` is not a date and time.

    Examples
    --------
    >>> parse_datetime("2024-05-01T08:30:00Z")
    datetime.datetime(2024, 5, 1, 8, 30, tzinfo=datetime.timezone.utc)
    >>> parse_datetime("2024-05-01 08:30")
    datetime.datetime(2024, 5, 1, 8, 30)
    """
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not read "Z"
            text = text[:-1] + "+00:00"
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            pass
    elif type(value).__name__ == "datetime64":  # numpy, naive
        try:
            item = value.astype("datetime64[us]").item()
        except (ValueError, TypeError, AttributeError):
            item = None
        if isinstance(item, dt.datetime):
            return item
    elif type(value).__name__ == "Timestamp" and not is_missing(value):  # pandas
        return value.to_pydatetime()
    raise BackkitError(N_("is not a date and time (use ISO 8601, e.g. 2024-05-01T08:30)"))


def slug(text: str) -> str:
    """Return ``text`` as a lower-case id of letters, digits and hyphens.

    Examples
    --------
    >>> slug("Back plan: week 1")
    'back-plan-week-1'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Checker:
    """Reads the fields of one incoming record, collecting a :class:`Problem` for each bad one.

    Each reader returns the clean value, or None when the field is missing or
    bad (and then notes the problem); the caller raises once, with every
    problem, when :attr:`problems` is not empty.

    Parameters
    ----------
    raw : mapping
        The record as given.
    where : str
        Where it came from, for messages ("record", "file x.csv, row 5").
    tz : tzinfo, optional
        The zone naive times are read in (default UTC).
    now : datetime, optional
        The present, for "is in the future" (default: the real clock).
    needs_time : tuple of str
        Fields that :meth:`moment` refuses when given as an empty value
        (default the log's ``started_at``: a bout needs its time; leaving the
        field out is the caller's business, such as "now" for a live record).

    Examples
    --------
    >>> from backkit._checks import Checker, LIMITS
    >>> c = Checker({"pain": 11, "notes": "fine"}, "record")
    >>> c.number("pain", LIMITS["pain"]), c.text("notes", 2000)
    (None, 'fine')
    >>> [str(p) for p in c.problems]
    ['record: pain = 11: must be a whole number from 0 to 10']
    """

    raw: Mapping[str, Any]
    where: str
    tz: dt.tzinfo = dt.timezone.utc
    now: dt.datetime | None = None
    problems: list[Problem] = field(default_factory=list)
    needs_time: tuple[str, ...] = ("started_at",)

    def bad(self, name: str, value: Any, message: str) -> None:
        """Note a problem with field ``name``."""
        self.problems.append(Problem(self.where, name, value, message))

    def given(self, name: str) -> bool:
        """Whether field ``name`` has a value (not missing)."""
        return not is_missing(self.raw.get(name))

    def get(self, name: str) -> Any:
        """The raw value of ``name``, or None when it is missing."""
        value = self.raw.get(name)
        return None if is_missing(value) else value

    def unknown_keys(self, known: Sequence[str], what: str) -> None:
        """Note every key of the record that is not in ``known`` (``what`` names the kind)."""
        for key in self.raw:
            if key not in known:
                hint = did_you_mean(key, known)
                # Translators: {what} is a kind of field ("a column of the log"); {hint} is
                # " Did you mean 'x'?" or nothing
                message = Message(N_("is not {what}.{hint}"), what=Message(what), hint=hint)
                self.bad(str(key), self.raw[key], message)

    def text(self, name: str, limit: int) -> str | None:
        """Read text of at most ``limit`` characters (stripped)."""
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.bad(name, value, N_("must be text"))
            return None
        value = str(value).strip()
        unreadable = _unreadable(value)
        if unreadable:
            self.bad(name, _shown(value), unreadable)
            return None
        if len(value) > limit:
            long = Message(
                N_("is {length} characters long; at most {limit}"), length=len(value), limit=limit
            )
            self.bad(name, f"{value[:30]}...", long)
            return None
        return value

    def choice(self, name: str, options: Sequence[str]) -> str | None:
        """Read one of ``options`` (case and surrounding spaces ignored)."""
        value = self.get(name)
        if value is None:
            return None
        text = value.strip().lower() if isinstance(value, str) else value
        if text not in options:
            self.bad(
                name, value, Message(N_("must be one of {options}"), options=", ".join(options))
            )
            return None
        return text

    def number(self, name: str, limit: Limit) -> float | int | None:
        """Read a number within ``limit``; whole limits give an ``int``.

        Text is accepted only from a file (:class:`FileText`), and only when it
        is a plain decimal number ("3", "2.5"); from Python code a number must
        be a number.
        """
        raw = self.raw.get(name)
        if isinstance(raw, float) and math.isnan(raw):
            # from Python code NaN is a computation gone wrong, not "not given"
            # (files give empty cells, read as None): say so rather than store nothing
            rule = limit.text()
            self.bad(
                name,
                raw,
                Message(N_("must be {rule}, or None when there is none (NaN is not)"), rule=rule),
            )
            return None
        value = self.get(name)
        if value is None:
            return None
        if isinstance(value, str) and not isinstance(value, FileText):
            self.bad(
                name,
                value,
                Message(
                    N_('must be {rule}, not text (give a number, not "{value}")'),
                    rule=limit.text(),
                    value=value,
                ),
            )
            return None
        read = value
        if isinstance(value, FileText) and value.decimal != ".":
            # "3,5" from a semicolon-separated file is 3.5; "3.5" there is a typo
            text = value.strip()
            read = FileText("x" if "." in text else text.replace(value.decimal, "."))
        number = _as_number(read)
        if number is None and read is not value:
            self.bad(
                name,
                value,
                Message(
                    N_("must be {rule}, with a decimal comma as in the rest of the file"),
                    rule=limit.text(),
                ),
            )
            return None
        if number is None or not limit.holds(number):
            self.bad(name, value, Message(N_("must be {rule}"), rule=limit.text()))
            return None
        return int(number) if limit.whole else float(number)

    def moment(self, name: str) -> dt.datetime | None:
        """Read a date and time, as UTC; naive times are in :attr:`tz`.

        A field of :attr:`needs_time` given as an empty value (``NaT``, NaN,
        an empty cell of a file) is refused rather than read as "not given":
        a record needs the time it happened, and "now" would be wrong. A
        naive time that does not exist in :attr:`tz` (in the hour skipped
        when clocks go forward) is refused, naming the gap.
        """
        value = self.get(name)
        if value is None:
            raw = self.raw.get(name)
            if name in self.needs_time and name in self.raw and raw is not None:
                self.bad(name, _shown(raw), N_("is empty; a record needs the time it happened"))
            return None
        try:
            when = parse_datetime(value)
        except BackkitError as err:
            self.bad(name, value, err.problem)
            return None
        if when.tzinfo is None or when.utcoffset() is None:
            gap = _gap(when, self.tz)
            if gap:
                self.bad(name, value, gap)
                return None
            when = when.replace(tzinfo=self.tz)
        when = when.astimezone(dt.timezone.utc)
        now = self.now or config.now()
        if when > now + CLOCK_SKEW:
            self.bad(name, value, N_("is in the future"))
            return None
        if when < EARLIEST:
            before = Message(
                N_("is before {date}; check the year"), date=EARLIEST.date().isoformat()
            )
            self.bad(name, value, before)
            return None
        return when

    def day(self, name: str) -> dt.date | None:
        """Read a calendar date (``YYYY-MM-DD``)."""
        value = self.get(name)
        if value is None:
            return None
        try:
            return parse_date(value)
        except BackkitError as err:
            self.bad(name, value, err.problem)
            return None


_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return float(value.strip())
    return None


# C0 controls other than tab, newline and carriage return, and DEL: they
# cannot be stored in a spreadsheet or shown, and a NUL ends C strings early.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _unreadable(text: str) -> str | None:
    """Why ``text`` cannot be stored as it is, or None."""
    if _SURROGATE.search(text):
        return N_(
            "holds a lone surrogate (half of a character: the text was decoded wrongly); "
            "it cannot be stored as UTF-8"
        )
    control = _CONTROL.search(text)
    if control:
        return Message(
            N_("holds the control character {character} at position {position}; remove it"),
            character=f"U+{ord(control.group()):04X}",
            position=control.start() + 1,
        )
    return None


# Every character that ends a line somewhere: in a one-line field (a name, a
# title) it would start a new line in an iCalendar file, a CSV row or a header.
_LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x85\u2028\u2029]")


def one_line(text: str) -> str | None:
    r"""Why ``text`` cannot be a one-line field (a name, an author), or None.

    A line break, a control character or a lone surrogate is refused where a
    value is read, so no writer (a calendar, a report title) meets one.

    Examples
    --------
    >>> from backkit._checks import one_line
    >>> one_line("Back basics") is None
    True
    >>> one_line("Back basics\r\nX-WR-CALNAME:Other")
    'holds a line break at position 12; it must be one line'
    """
    found = _LINE_BREAK.search(text)
    if found:
        return Message(
            N_("holds a line break at position {position}; it must be one line"),
            position=found.start() + 1,
        )
    return _unreadable(text)


def read_bounded(path: str | Path, limit: int) -> tuple[bytes | None, str | None]:
    """At most ``limit`` bytes of the file ``path``, or why it is not read: ``(data, why)``.

    What is not a regular file (a device such as ``/dev/zero``, a folder, a
    pipe that would wait for ever) is refused before it is opened, and a file
    over ``limit`` bytes after reading one byte past it, so no input costs
    more than its limit. A missing file raises :class:`FileNotFoundError`.

    Examples
    --------
    >>> from backkit._checks import read_bounded
    >>> read_bounded("/dev/zero", 10)
    (None, 'is not a regular file (a device, a folder or a pipe)')
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        return None, N_("is not a regular file (a device, a folder or a pipe)")
    with path.open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        return None, Message(N_("is larger than {size}"), size=_size(limit))
    return data, None


def _size(count: int) -> str:
    # the units' symbols are the same in every language; the word "bytes" is not
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= size:
            return f"{count / size:g} {unit}"
    return Message.ngettext("{n} byte", "{n} bytes", count, n=count)


def _shown(value: Any) -> Any:
    """``value`` as a message may show it: at most 40 characters (its repr escapes the rest)."""
    if isinstance(value, str) and len(value) > 40:
        return f"{value[:40]}..."
    return value


def _gap(naive: dt.datetime, tz: dt.tzinfo) -> str | None:
    """Why the wall time ``naive`` does not exist in ``tz`` (the clocks skipped it), or None."""
    if _exists(naive, tz):
        return None
    before, after = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    jump = abs(after.utcoffset() - before.utcoffset())  # type: ignore[operator]
    start = _gap_start(naive, tz, jump)
    return Message(
        N_(
            "did not happen in {zone}: the clocks went forward {duration} there, from "
            "{start} to {end}; give the time with its UTC offset or check the hour"
        ),
        zone=str(tz),
        duration=_duration(jump),
        start=config.minute_text(start),
        end=f"{start + jump:%H:%M}",
    )


def _gap_start(naive: dt.datetime, tz: dt.tzinfo, jump: dt.timedelta) -> dt.datetime:
    """The first wall time of the gap that holds ``naive``, to the minute."""
    start = naive.replace(second=0, microsecond=0)
    for _ in range(int(jump / dt.timedelta(minutes=1))):
        earlier = start - dt.timedelta(minutes=1)
        if _exists(earlier, tz):
            break
        start = earlier
    return start


def _exists(naive: dt.datetime, tz: dt.tzinfo) -> bool:
    when = naive.replace(tzinfo=tz)
    return when.astimezone(dt.timezone.utc).astimezone(tz).replace(tzinfo=None) == naive


def _duration(span: dt.timedelta) -> Message:
    minutes = int(span.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        if hours == 1:
            return Message(N_("an hour"))
        return Message.ngettext("{n} hour", "{n} hours", hours, n=hours)
    return Message.ngettext("{n} minute", "{n} minutes", minutes, n=minutes)
