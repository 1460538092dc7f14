"""A clinician's caseload: every patient's log in a folder, summarised in one table.

:func:`load_caseload` reads each patient file in a folder (a ``.sqlite`` log
file, a ``.json`` or ``.csv`` export: :mod:`backkit.patientfile`, the kit's
one reader of them) and summarises it with :mod:`backkit.analysis` and
:mod:`backkit.adherence`; :meth:`Caseload.table` gives one row per patient,
sorted by who needs attention first, and :func:`plot_caseload` draws small
multiples of weekly pain and adherence. ``backkit caseload FOLDER`` and
``notebooks/35_caseload.ipynb`` show both.

Files and names
---------------
A file's name (without its suffix) is the patient's id, the one the clinician
gave when saving the export: the table shows it as it is. The kit cannot tell
an id from a name, so a clinician who keeps files under patients' names (or
shares the table) asks for ``pseudonymise=True`` (``--pseudonymise``): the
patients become "Patient 1" ... "Patient N", numbered in the order of the file
names, and no file name reaches the table or the chart (:func:`pseudonym_key`
gives the clinician the key, to keep apart). Two files with the same name
and different suffixes (``P017.csv``, ``P017.json``) are shown with their
suffixes. Every entry of the folder that is not read is named in
:attr:`Caseload.skipped` with the reason (one line each, for the clinician's
own screen): a file that cannot be read, a folder, a link to nothing, a pipe,
a file of another kind, a plan with no patient of its name. The clinician
must know which file to fix.

Nothing is written to or beside a patient's file: a log file is read from a
snapshot copy, an export into a log in memory. A full CSV export is read the
quick way (:func:`backkit.patientfile.summary_frame`: pandas, the columns the
summary needs, a vectorised check of the 0-10 scores); anything else is
validated row by row. A log file or a JSON export keeps the warning-sign
answers; a CSV export does not.

The summary is computed for all patients at once: their logs are stacked
into one frame keyed by patient (times parsed once), and each rule of
:mod:`backkit.analysis` and :mod:`backkit.adherence` runs once over it,
grouped by patient (their ``by=``), a few hundred patients at a time so that
memory stays bounded. Each patient's numbers are those of the same functions
on that patient's log alone (the tests compare them, value for value).

A patient's plan is the YAML file beside the log with the same name
(``P017.csv`` and ``P017.yaml``), else the plan given to :func:`load_caseload`;
without one, adherence is not computed (there is no prescription to compare
with).

Who needs attention (the sort order, :data:`ATTENTION_RULE`)
------------------------------------------------------------
1. warning-sign answers first, the most serious first (a "yes" to a red-flag
   screening question, new or further-spreading pain below the knee, a worse
   morning after: :func:`backkit.safety.warning_answers`; a log file or a
   JSON export keeps them);
2. then patients who stopped: no session for 7 days or more, the longest gap
   first (nothing logged yet before any gap): a patient who stopped cannot
   raise a pain flag, and may have stopped because of the pain;
3. then more flags about pain (pain-monitoring flags, a flare-up, pain higher
   than baseline, no improvement: :data:`FLAG_RULES`), and among as many,
   more pain-monitoring flags in the last 14 days;
4. then lower adherence this week (no plan or nothing prescribed yet: last);
5. then less improvement in pain since baseline (a rise first);
6. then the patient's id.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config
from .charts import literal_text
from .errors import BackkitError, shown
from .i18n import N_, ngettext
from .i18n import gettext as _
from .patientfile import (
    SUMMARY_COLUMNS,
    SUMMARY_LABELS,
    SUMMARY_NUMBERS,
    Listing,
    Warnings,
    listing,
    summary_frame,
)
from .safety import ACTIONS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .plan import Plan

__all__ = [
    "ATTENTION_RULE",
    "FLAG_RULES",
    "RECENT_DAYS",
    "Caseload",
    "PatientSummary",
    "attention_rule",
    "load_caseload",
    "plot_caseload",
    "pseudonym_key",
    "sample_caseload",
    "summarise",
    "summarise_many",
]

#: Days counted as "recent" for flags: two weeks, the span after which NHS
#: inform advises a review when self-care has not helped.
RECENT_DAYS = 14
#: Days without a session after which a patient is flagged (the kit's choice:
#: a whole week with no exercise logged).
GAP_DAYS = 7
#: The flags, in the words the table uses, and when each is raised.
FLAG_RULES = {
    "pain flags": (
        "pain-monitoring flags (backkit.analysis.pain_flags: the kit's one pain rule) in the "
        "last 14 days, counted as flags and as the sessions they fall in"
    ),
    "flare-up": "a flare-up day (backkit.analysis.flare_ups) in the last 14 days",
    "no session": "no session logged for 7 days or more (or nothing logged yet)",
    "stale data": (
        "the newest session is more than 4 weeks old (backkit.analysis.staleness): the "
        "row is not how the patient is now"
    ),
    "pain higher": (
        "this week's pain is higher than baseline by at least a meaningful change: 2 points "
        "and 30% of the baseline (the kit's choice: the same size as an improvement)"
    ),
    "no improvement": (
        "2 weeks or more logged and pain not meaningfully lower than baseline "
        "(NHS inform: see a GP or physiotherapist when not better after 2 weeks)"
    ),
}
# the sort rule's words, translated where shown (:func:`attention_rule`)
_ATTENTION_RULE = N_(
    "warning-sign answers first (the most serious first); then patients who stopped (no "
    "session for {gap_days} days or more, the longest first; nothing logged yet before "
    "them); then most flags about pain (pain-monitoring flags, a flare-up, pain higher than "
    "baseline, no improvement), and among as many, most pain-monitoring flags in the last "
    "{recent_days} days; then lowest adherence this week (no plan last); then least "
    "improvement in pain since baseline; then by patient"
)
#: The sort order of :meth:`Caseload.table`, in words.
ATTENTION_RULE = _ATTENTION_RULE.format(gap_days=GAP_DAYS, recent_days=RECENT_DAYS)
# the table's headings (translated where shown: :func:`_headings`)
_COLUMNS = {
    "patient": N_("Patient"),
    "weeks": N_("Weeks logged"),
    "week_adherence": N_("Adherence this week"),
    "overall_adherence": N_("Adherence overall"),
    "pain_change": N_("Pain change"),
    "verdict": N_("Change vs baseline"),
    "last_session": N_("Last session"),
    "flags": N_("Flags"),
}
# the words of each warning-sign action (the keys are safety.ACTIONS)
_ACTION_WORDS = {
    # Translators: a warning-sign answer that needs no action
    "none": N_("none"),
    # Translators: a warning-sign answer to take to the clinician (physiotherapist or GP)
    "clinician": N_("clinician"),
    # Translators: a warning-sign answer that needs urgent care (same day)
    "urgent": N_("urgent"),
    # Translators: a warning-sign answer that needs emergency care now
    "emergency": N_("emergency"),
}


def attention_rule() -> str:
    """:data:`ATTENTION_RULE` (the order of the caseload) in the kit's language.

    Examples
    --------
    >>> attention_rule() == ATTENTION_RULE  # in English
    True
    """
    return _(_ATTENTION_RULE).format(gap_days=GAP_DAYS, recent_days=RECENT_DAYS)


def _headings() -> dict[str, str]:
    """The table's headings in the kit's language, by column key."""
    return {key: _(heading) for key, heading in _COLUMNS.items()}


# --------------------------------------------------------------------------
# One patient's summary


@dataclass(frozen=True)
class PatientSummary:
    """One patient's row of the caseload, and the weekly series its chart panel draws.

    ``week_adherence`` and ``overall_adherence`` are fractions 0-1 (NaN without
    a plan or with nothing prescribed yet); ``pain_change`` is this week's (the
    last logged week's) mean pain before exercise minus the baseline (points,
    negative is a fall; NaN without scores); ``verdict`` says it in words;
    ``weekly_pain`` (0-10) and ``weekly_adherence`` (0-100 %) are indexed by
    week (the Monday). ``days_without`` counts the days from the last session
    to the day of the view (None when nothing is logged); ``pain_flags`` the
    pain-monitoring flags of the last 14 days.
    """

    patient: str
    weeks: int
    week_adherence: float
    overall_adherence: float
    baseline: float
    pain_change: float
    verdict: str
    last_session: dt.date | None
    flags: tuple[str, ...]
    weekly_pain: Any = field(repr=False)
    weekly_adherence: Any = field(repr=False)
    #: The warning-sign answers in words, the most serious first (log files only).
    warnings: tuple[str, ...] = ()
    #: Rank of the most serious warning-sign answer (0: emergency), or None.
    warning_rank: int | None = None
    #: Days from the last session to the day of the view; None when nothing is logged.
    days_without: int | None = None
    #: Pain-monitoring flags in the last 14 days.
    pain_flags: int = 0

    @property
    def stopped(self) -> float:
        """Days without a session when the patient stopped (7 or more; inf: nothing logged), else 0.

        Examples
        --------
        >>> import backkit
        >>> from backkit.caseload import summarise
        >>> log = backkit.sample_log(weeks=3)
        >>> summarise("P01", log, as_of="2025-03-09").stopped
        0
        >>> summarise("P01", log, as_of="2025-05-08").stopped
        60
        """
        if self.days_without is None:
            return math.inf
        return self.days_without if self.days_without >= GAP_DAYS else 0

    @property
    def attention(self) -> tuple:
        """The sort key of :data:`ATTENTION_RULE` (smaller needs attention sooner)."""
        week = self.week_adherence
        change = self.pain_change
        about_pain = len(self.flags) - (self.stopped > 0)  # every flag but having stopped
        return (
            math.inf if self.warning_rank is None else self.warning_rank,
            -self.stopped,
            -about_pain,
            -self.pain_flags,
            math.inf if math.isnan(week) else week,
            math.inf if math.isnan(change) else -change,
            self.patient,
        )


#: The column of the stacked frame that says whose row it is (the patient's position).
_KEY = "patient"
#: Bouts summarised at once (about 300 patient-years): beyond, memory grows, not speed.
_CHUNK_ROWS = 500_000


class _Stack:
    """Patients' frames stacked into one, column by column, with a ``patient`` code.

    Each frame is reduced as it comes: times become UTC nanoseconds, numbers
    floats, and text is kept as arrays of its values, coded once for the
    whole stack (one pass of pandas' hashing, not one per file): labels
    become categories, session ids numbers. A session id is a patient's own:
    every rule groups sessions within a patient.
    """

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in SUMMARY_COLUMNS}
        self.sizes: list[int] = []

    def add(self, frame: pd.DataFrame) -> None:
        """Add one patient's frame: a log frame, or a CSV export's columns read as they are."""
        import numpy as np
        import pandas as pd

        started = frame["started_at"]
        if not isinstance(started.dtype, pd.DatetimeTZDtype):
            started = pd.to_datetime(started, format="ISO8601", utc=True)
        columns = {"started_at": started.dt.tz_convert("UTC").dt.as_unit("ns").to_numpy("i8")}
        for name in SUMMARY_LABELS:
            columns[name] = frame[name].to_numpy(dtype=object)
        for name in SUMMARY_NUMBERS:
            if name in frame:
                values = frame[name]
                if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iuf":
                    columns[name] = values.to_numpy(dtype=float)  # numpy's: no gaps to mark
                else:
                    # pandas-stubs have no overload for pd.array(Series, dtype=...)
                    typed = pd.array(values, dtype="Float64")  # type: ignore[call-overload]
                    columns[name] = typed.to_numpy(dtype=float, na_value=np.nan)
            else:  # an older log: no session ratings
                columns[name] = np.full(len(frame), np.nan)
        for name, values in columns.items():
            self.columns[name].append(values)
        self.sizes.append(len(frame))

    def frame(self) -> pd.DataFrame:
        """The stack: the log's columns (times in the kit's zone), and ``patient``."""
        import numpy as np
        import pandas as pd

        from .config import kit_timezone

        def joined(name: str, dtype: Any) -> Any:
            parts = self.columns.pop(name)
            return np.concatenate(parts) if parts else np.array([], dtype=dtype)

        # the numbers joined straight into one block, as pandas keeps them (no second copy)
        numbers = np.empty((len(SUMMARY_NUMBERS), sum(self.sizes)))
        for row, name in enumerate(SUMMARY_NUMBERS):
            parts = self.columns.pop(name)
            if parts:
                np.concatenate(parts, out=numbers[row])
        out = pd.DataFrame(numbers.T, columns=list(SUMMARY_NUMBERS), copy=False)
        times = pd.DatetimeIndex(joined("started_at", "i8").view("datetime64[ns]"), tz="UTC")
        out["started_at"] = times.tz_convert(kit_timezone())
        codes, _ = pd.factorize(joined("session_id", object))
        # a number for each id; none (NaN) for a bout without one, as pandas groups them
        out["session_id"] = np.where(codes < 0, np.nan, codes)
        for name in SUMMARY_LABELS[1:]:
            codes, words = pd.factorize(joined(name, object))
            out[name] = pd.Categorical.from_codes(codes, categories=pd.Index(words, dtype=object))
        out[_KEY] = np.repeat(np.arange(len(self.sizes)), self.sizes)
        return out


def _stacked(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    stack = _Stack()
    for frame in frames:
        stack.add(frame)
    return stack.frame()


def _split(series: pd.Series) -> dict[int, pd.Series]:
    """A series indexed by ``(patient, week)``, sorted: each patient's, indexed by week."""
    import numpy as np
    import pandas as pd

    codes = series.index.get_level_values(_KEY).to_numpy()
    weeks = pd.DatetimeIndex(series.index.get_level_values(-1), name="week")
    values = series.to_numpy()
    edges = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True]) if len(codes) else ()
    return {
        int(codes[a]): pd.Series(values[a:b], index=weeks[a:b], name=series.name)
        for a, b in itertools.pairwise(edges)
    }


def _recent_counts(
    stack: pd.DataFrame, since: pd.Timestamp
) -> tuple[dict[int, tuple[int, int]], dict[int, int]]:
    """Pain-monitoring flags (and the sessions they fall in) and flare-up days, per patient.

    Counted on or after ``since``: ``flags[code]`` is ``(flags, sessions)``.
    They are :func:`backkit.analysis.pain_flags` and
    :func:`backkit.analysis.flare_ups` themselves (one home for those rules),
    on every patient's whole log at once: each patient's flags are those of
    their log alone.
    """
    from .analysis import flare_ups, pain_flags

    found = pain_flags(stack, by=_KEY)
    found = found[(found["day"] >= since).to_numpy()]
    grouped = found.groupby(_KEY)["session_id"]
    flags = {
        int(code): (int(n), int(s))
        for code, n, s in zip(grouped.size().index, grouped.size(), grouped.nunique(), strict=True)
    }
    days = flare_ups(stack, by=_KEY).index.to_frame(index=False)
    flares = days[(days["day"] >= since).to_numpy()].groupby(_KEY).size()
    return flags, {int(code): int(n) for code, n in flares.items()}


def _adherence(
    stack: pd.DataFrame, plans: Sequence[Plan | None], as_of: dt.date
) -> tuple[dict[int, float], dict[int, float], dict[int, Any]]:
    """Per patient code: this week's and the overall adherence (0-1), and the weekly percent.

    :func:`backkit.analysis.weekly_adherence` of each patient's log, from the
    plan's start to the day of the view (or the plan's end, if sooner); a
    patient without a plan, or whose plan has not started, has none.
    """
    import pandas as pd

    from .analysis import weekly_adherence

    ends = {}
    for code, plan in enumerate(plans):
        if plan is None:
            continue
        end = min(as_of, plan.end) if plan.end is not None else as_of
        if end >= plan.start:
            ends[code] = end
    if not ends:
        return {}, {}, {}
    _, weeks = weekly_adherence(stack, {c: plans[c] for c in ends}, end=ends, by=_KEY)
    # taken off the table: pandas would deep-copy it into every patient's rows
    overall_by = weeks.attrs.pop("overall")
    weekly = _split(weeks["percent"])
    this_week: dict[int, float] = {}
    for code, percent in weekly.items():
        monday = pd.Timestamp(ends[code] - dt.timedelta(days=ends[code].weekday()))
        this_week[code] = float(percent.get(monday, math.nan)) / 100
    overall = {int(c): math.nan if v is None else v for c, v in overall_by.items()}
    return this_week, overall, weekly


def _verdict(baseline: float, latest: float, weeks: int) -> str:
    """Pain change vs baseline in words: :func:`backkit.analysis.change_status`, the one rule."""
    from .analysis import change_status

    # the verdict is kept in English (the flags compare it); shown through _() in _cells
    if math.isnan(baseline) or math.isnan(latest):
        return N_("no pain scores")
    if weeks < 2:
        return N_("too early (under 2 weeks)")
    words = {"improved": N_("meaningful improvement"), "worse": N_("higher than baseline")}
    status = change_status(baseline, latest - baseline)
    return words.get(status, N_("no meaningful change"))


def _flags(
    pain_flags: tuple[int, int],
    flares: int,
    weeks: int,
    verdict: str,
    last: dt.date | None,
    as_of: dt.date,
) -> tuple[str, ...]:
    from .analysis import staleness

    out = []
    flags, sessions = pain_flags
    # the flags are words for people, in the kit's language when the summary is made
    if flags:
        out.append(
            ngettext(
                "pain flags: {flags} in {sessions} session (last {days} days)",
                "pain flags: {flags} in {sessions} sessions (last {days} days)",
                sessions,
            ).format(flags=flags, sessions=sessions, days=RECENT_DAYS)
        )
    if flares:
        out.append(_("flare-up in {days} days").format(days=RECENT_DAYS))
    stale = staleness(last, as_of)
    if last is None:
        out.append(_("nothing logged yet"))
    elif stale:
        out.append(_("stale data: {age}").format(age=stale))
    elif (as_of - last).days >= GAP_DAYS:
        days = (as_of - last).days
        out.append(
            ngettext("no session for {days} day", "no session for {days} days", days).format(
                days=days
            )
        )
    # the same verdict the table shows: one rule for "higher" and "not better"
    if verdict == "higher than baseline":
        out.append(_("pain higher than baseline"))
    elif verdict == "no meaningful change":
        out.append(_("no meaningful improvement after 2 weeks"))
    return tuple(out)


def summarise_many(
    patients: Sequence[str],
    frames: Sequence[pd.DataFrame],
    plans: Sequence[Plan | None],
    *,
    as_of: dt.date | str | None = None,
) -> list[PatientSummary]:
    """Summarise many patients at once: their logs stacked, one pass of each rule over all.

    The numbers are those of :mod:`backkit.analysis` and :mod:`backkit.adherence`
    for each patient alone: the same functions, run on the stacked logs
    grouped by patient (the tests compare them with one patient at a time).
    ``frames`` may hold ``started_at`` as ISO text (a CSV read as it is) or as
    times.
    """
    return _summaries(patients, _stacked(frames), plans, _as_of(as_of))


def _summaries(
    patients: Sequence[str], stack: pd.DataFrame, plans: Sequence[Plan | None], day: dt.date
) -> list[PatientSummary]:
    """:func:`summarise_many` of the stacked frame (:class:`_Stack`)."""
    import pandas as pd

    from .analysis import baseline_pain, local_day, weekly_pain

    local = local_day(stack)
    inside = (local < pd.Timestamp(day + dt.timedelta(days=1))).to_numpy()
    if not inside.all():
        stack, local = stack[inside], local[inside]
    whose = stack[_KEY]
    weeks = (local - pd.to_timedelta(local.dt.day_of_week, unit="D")).groupby(whose).nunique()
    last = local.groupby(whose).max()
    week_adh, overall_adh, weekly_adh = _adherence(stack, plans, day)
    baseline = baseline_pain(stack, by=_KEY)
    weekly = _split(weekly_pain(stack, by=_KEY)["before_mean"].dropna())
    flags, flares = _recent_counts(stack, pd.Timestamp(day - dt.timedelta(days=RECENT_DAYS - 1)))
    empty = pd.Series([], index=pd.DatetimeIndex([], name="week"), dtype=float)
    out = []
    for code, patient in enumerate(patients):
        n_weeks = int(weeks.get(code, 0))
        last_day = last[code].date() if code in last.index else None
        base = float(baseline.get(code, math.nan))
        pain = weekly.get(code, empty)
        pain.index = pd.DatetimeIndex(pain.index, name="week")
        latest = float(pain.iloc[-1]) if len(pain) else math.nan
        verdict = _verdict(base, latest, n_weeks)
        recent = flags.get(code, (0, 0))
        out.append(
            PatientSummary(
                patient=patient,
                weeks=n_weeks,
                week_adherence=week_adh.get(code, math.nan),
                overall_adherence=overall_adh.get(code, math.nan),
                baseline=base,
                pain_change=latest - base,
                verdict=verdict,
                last_session=last_day,
                flags=_flags(recent, flares.get(code, 0), n_weeks, verdict, last_day, day),
                weekly_pain=pain.rename("pain"),
                weekly_adherence=weekly_adh.get(code, empty),
                days_without=None if last_day is None else (day - last_day).days,
                pain_flags=recent[0],
            )
        )
    return out


def summarise(
    patient: str,
    frame: pd.DataFrame,
    plan: Plan | None = None,
    *,
    as_of: dt.date | str | None = None,
) -> PatientSummary:
    """Summarise one patient's log for the caseload table (see the module docstring).

    Parameters
    ----------
    patient : str
        The id shown in the table.
    frame : DataFrame
        The patient's session log (:meth:`backkit.SessionLog.frame`).
    plan : Plan, optional
        The patient's plan; without one, adherence is NaN.
    as_of : date or 'YYYY-MM-DD', optional
        The day the caseload is looked at (default :func:`backkit.config.today`):
        "this week" is its Monday-to-Sunday week, days missed up to it count,
        and bouts after it are left out.

    Examples
    --------
    >>> import backkit
    >>> from backkit.caseload import summarise
    >>> s = summarise("P01", backkit.sample_log(weeks=4), backkit.sample_plan(),
    ...               as_of="2025-03-16")
    >>> s.weeks, s.last_session.isoformat(), s.verdict
    (4, '2025-03-14', 'meaningful improvement')
    """
    return summarise_many([patient], [frame], [plan], as_of=as_of)[0]


# --------------------------------------------------------------------------
# The caseload


@dataclass(frozen=True)
class Caseload:
    """Every readable patient of a folder, sorted by attention, and the files skipped.

    ``skipped`` holds one line per unreadable file, naming it and the problem.
    """

    patients: tuple[PatientSummary, ...]
    skipped: tuple[str, ...]
    as_of: dt.date
    key: tuple[tuple[str, str], ...] = ()  # (shown id, file name) when pseudonymised

    def table(self) -> pd.DataFrame:
        """One row per patient, in attention order, with headings and values for people.

        The flags of a patient are one text, separated by semicolons; for a
        page, :meth:`to_html` (or the caseload itself, shown in a notebook)
        lists them one to a line, in full, with no index column.

        Examples
        --------
        >>> import backkit
        >>> from backkit.caseload import Caseload, summarise
        >>> s = summarise("P01", backkit.sample_log(weeks=3), backkit.sample_plan(),
        ...               as_of="2025-03-09")
        >>> Caseload((s,), (), s.last_session).table().iloc[0]["Adherence this week"]
        '96%'
        """
        import pandas as pd

        rows = [{**_cells(p), "flags": "; ".join(_flag_lines(p))} for p in self.patients]
        return pd.DataFrame(rows, columns=list(_COLUMNS)).rename(columns=_headings())

    def to_text(self, width: int = 110, *, skipped: bool = True) -> str:
        r"""The table as plain text, with the sort rule and the skipped files below it.

        The flags of each patient are listed one to a line in the last column,
        wrapped (never cut) to fit ``width`` characters where the other columns
        leave room for 30 or more. With ``skipped=False`` the skipped files are
        left out (the command line says them on its error stream).

        Examples
        --------
        >>> import backkit
        >>> from backkit.caseload import Caseload, summarise
        >>> s = summarise("P01", backkit.sample_log(weeks=3), backkit.sample_plan(),
        ...               as_of="2025-03-20")
        >>> view = Caseload((s,), (), s.last_session + dt.timedelta(days=11))
        >>> lines = view.to_text().splitlines()
        >>> lines[0]
        'Caseload on 20 Mar 2025: 1 patient'
        >>> flags = lines[1].index("Flags")  # the last column, one flag (or more lines) a line
        >>> print("\n".join(line[flags:] for line in lines[1:6]))
        Flags
        <BLANKLINE>
        no session for 11 days
        no meaningful improvement after 2
          weeks
        """
        import textwrap

        lines = [_heading(self)]
        if self.patients:
            lines += _text_table(self.patients, width)
        else:
            lines.append(
                _("no readable patient files ({skipped} skipped)").format(skipped=len(self.skipped))
                if self.skipped
                else _("no patient files")
            )
        sorted_by = _("Sorted: {rule}.").format(rule=attention_rule())
        lines += textwrap.wrap(sorted_by, width, break_long_words=False)
        if skipped:
            lines += [_skipped(line) for line in self.skipped]
        return "\n".join(lines)

    def to_html(self) -> str:
        """The table as an HTML ``<table>``: no index column, each flag in full on its own line.

        Every value is escaped. Warning-sign answers are in bold.

        Examples
        --------
        >>> import backkit
        >>> from backkit.caseload import Caseload, summarise
        >>> s = summarise("P<1>", backkit.sample_log(weeks=3), as_of="2025-03-20")
        >>> page = Caseload((s,), (), s.last_session).to_html()
        >>> ">P&lt;1&gt;</td>" in page, "no session for 11 days<br>" in page
        (True, True)
        """
        import html

        def cell(text: str, key: str) -> str:
            align = "right" if key in _NUMERIC else "left"
            keep = "; white-space:nowrap" if key == "last_session" else ""  # a date stays whole
            return f'<td style="text-align:{align}; vertical-align:top{keep}">{text}</td>'

        head = "".join(
            f'<th style="text-align:{"right" if k in _NUMERIC else "left"}">{html.escape(h)}</th>'
            for k, h in _headings().items()
        )
        rows = []
        for p in self.patients:
            cells = [cell(html.escape(v), k) for k, v in _cells(p).items()]
            flags = [
                f"<strong>{html.escape(f)}</strong>" if f in p.warnings else html.escape(f)
                for f in _flag_lines(p)
            ]
            cells.append(cell("<br>".join(flags), "flags"))
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return (
            '<table class="backkit-caseload">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        """What a notebook shows: the day, the table, the sort rule and the files skipped."""
        import html

        nobody = _("no readable patient files")
        sorted_by = _("Sorted: {rule}.").format(rule=attention_rule())
        parts = [
            f"<p><strong>{html.escape(_heading(self))}</strong></p>",
            self.to_html() if self.patients else f"<p>{html.escape(nobody)}</p>",
            f"<p>{html.escape(sorted_by)}</p>",
        ]
        parts += [f"<p>{html.escape(_skipped(line))}</p>" for line in self.skipped]
        return "\n".join(parts)


def _heading(caseload: Caseload) -> str:
    """The first line of a caseload: its day and how many patients."""
    count = len(caseload.patients)
    return ngettext(
        "Caseload on {day}: {count} patient", "Caseload on {day}: {count} patients", count
    ).format(day=_day_text(caseload.as_of), count=count)


def _skipped(line: str) -> str:
    """A skipped file's line (its name and the problem) as shown under the table."""
    # Translators: {file_and_problem} is a file's name, a colon and why it was not read
    return _("skipped {file_and_problem}").format(file_and_problem=shown(line))


_NUMERIC = ("weeks", "week_adherence", "overall_adherence", "pain_change")
_WRAPPED = {"verdict": 14}  # text columns wrapped at these widths (at a space)


def _cells(p: PatientSummary) -> dict[str, str]:
    """One patient's row for people (every column but the flags)."""
    return {
        "patient": p.patient,
        "weeks": str(p.weeks),
        "week_adherence": _percent(p.week_adherence),
        "overall_adherence": _percent(p.overall_adherence),
        "pain_change": _points(p.baseline, p.pain_change),
        "verdict": _(p.verdict),
        "last_session": _day_text(p.last_session),
    }


def _flag_lines(p: PatientSummary) -> tuple[str, ...]:
    """The warning-sign answers, then the other flags; "none" when there are none."""
    return (*p.warnings, *p.flags) or (_("none"),)


def _text_table(patients: Sequence[PatientSummary], width: int) -> list[str]:
    """Rows of text, each cell wrapped (never cut), the flags one to a line in the last column."""
    import textwrap

    rows = [_cells(p) for p in patients]
    headings = _headings()
    keys = list(_COLUMNS)[:-1]
    widths = {}
    for k in keys:
        values = [r[k] for r in rows]
        longest = max(len(w) for v in values for w in v.split())
        widths[k] = max(longest, min(_WRAPPED.get(k, 99), max(map(len, values))))
        widths[k] = max(widths[k], *(len(w) for w in headings[k].split()))
    used = sum(widths.values()) + 2 * len(keys)
    flags_width = max(30, width - used)

    def lines_of(k: str, text: str) -> list[str]:
        return textwrap.wrap(text, widths[k], break_long_words=False) or [""]

    def block(cells: list[list[str]]) -> list[str]:
        out = []
        for n in range(max(map(len, cells))):
            parts = []
            for k, cell in zip([*keys, "flags"], cells, strict=True):
                text = cell[n] if n < len(cell) else ""
                if k == "flags":
                    parts.append(text)
                elif k in _NUMERIC:
                    parts.append(text.rjust(widths[k]))
                else:
                    parts.append(text.ljust(widths[k]))
            out.append("  ".join(parts).rstrip())
        return out

    lines = block([lines_of(k, headings[k]) for k in keys] + [[headings["flags"]]])
    for p, r in zip(patients, rows, strict=True):
        flags = [
            line
            for flag in _flag_lines(p)
            for line in textwrap.wrap(flag, flags_width, subsequent_indent="  ")
        ]
        lines += block([lines_of(k, r[k]) for k in keys] + [flags])
    return lines


def _percent(x: float) -> str:
    return _("no plan") if math.isnan(x) else f"{x * 100:.0f}%"


def _points(baseline: float, change: float) -> str:
    """The change as shown beside the verdict: decimals enough that the two agree."""
    from .analysis import shown_change

    if math.isnan(change) or math.isnan(baseline):
        return _("not scored")
    text = shown_change(baseline, baseline + change).change
    if config.language() == "en":
        return text
    # the same digits, written as the kit's language writes numbers (a decimal comma)
    sign = text[0] if text[0] in "+-" else ""
    digits = len(text.split(".")[1]) if "." in text else 0
    return sign + config.number_text(abs(float(text)), digits)


def _day_text(day: dt.date | None) -> str:
    return _("none") if day is None else config.day_text(day)


def load_caseload(
    folder: str | Path | Iterable[str | Path],
    *,
    plan: Plan | str | Path | None = None,
    as_of: dt.date | str | None = None,
    pseudonymise: bool = False,
) -> Caseload:
    r"""Read and summarise every patient file of a folder; unreadable files are skipped.

    Parameters
    ----------
    folder : path-like, or an iterable of files
        The folder of patient files (``.sqlite`` log files, ``.json`` and
        ``.csv`` exports: :func:`backkit.patientfile.listing`), or the files
        themselves.
    plan : Plan or path, optional
        The plan of patients without a plan file of their own beside the log.
    as_of : date or 'YYYY-MM-DD', optional
        The day of the view (default today).
    pseudonymise : bool
        Show "Patient 1" ... "Patient N" (numbered in file-name order)
        instead of the file names.

    Returns
    -------
    Caseload
        Patients sorted by :data:`ATTENTION_RULE`; ``skipped`` names every
        entry of the folder that was not read and why (one line each): a
        file that could not be read, a folder, a file of another kind.

    Examples
    --------
    >>> import pathlib, tempfile, backkit
    >>> from backkit.caseload import load_caseload
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for i, profile in enumerate(["improving", "flare-up"]):
    ...     with backkit.SessionLog(":memory:") as log:
    ...         rows = backkit.sample_log(weeks=4, seed=i, profile=profile)
    ...         _ = log.record_many(rows.astype(object).where(rows.notna(), None)
    ...                             .to_dict("records"))
    ...         _ = log.export_csv(folder / f"P0{i + 1}.csv")
    >>> _ = (folder / "P03.csv").write_text("not,a,log\n1,2\n")
    >>> view = load_caseload(folder, plan=backkit.sample_plan(), as_of="2025-03-16")
    >>> view.table()["Patient"].tolist(), len(view.skipped)
    (['P02', 'P01'], 1)
    """
    from .plan import Plan

    day = _as_of(as_of)
    found = listing(folder, plan=plan if isinstance(plan, (str, Path)) else None)
    if isinstance(plan, (str, Path)):
        plan = Plan.load(plan)
    names, plans, skipped, key, read, warnings = [], [], list(found.skipped), [], [], []
    summaries: list[PatientSummary] = []
    stack = _Stack()  # each file is stacked as it is read
    for number, path in enumerate(found.files, start=1):
        shown = (
            _("Patient {number}").format(number=number)
            if pseudonymise
            else _patient_name(path, found)
        )
        try:
            frame, answers = summary_frame(path)
            own = Plan.load(found.plans[path]) if path in found.plans else plan
        except (BackkitError, OSError) as err:
            skipped.append(f"{path.name}: {_one_line(err, path)}")
            continue
        stack.add(frame)
        del frame
        warnings.append(answers)
        plans.append(own)
        names.append(shown)
        read.append(path)
        if pseudonymise:
            key.append((shown, path.name))
        if sum(stack.sizes) >= _CHUNK_ROWS:
            # a clinic is summarised a few hundred patients at a time, so that memory
            # stays bounded; each patient's rows are their own, whatever the chunk
            done = len(summaries)
            summaries += _summaries(names[done:], stack.frame(), plans[done:], day)
            stack = _Stack()
    done = len(summaries)
    summaries += _summaries(names[done:], stack.frame(), plans[done:], day)
    patients = [_with_warnings(s, answers) for s, answers in zip(summaries, warnings, strict=True)]
    patients.sort(key=lambda p: p.attention)
    skipped.sort()
    return Caseload(tuple(patients), tuple(skipped), day, tuple(key))


def _patient_name(path: Path, found: Listing) -> str:
    """The file's name without its suffix, or with it when another file has the same stem."""
    twins = sum(1 for f in found.files if f.stem == path.stem)
    return path.stem if twins == 1 else path.name


def _with_warnings(summary: PatientSummary, found: Warnings | None) -> PatientSummary:
    """``summary`` with a patient file's warning-sign answers (None: a CSV keeps none)."""
    if found is None or found[0].empty:
        return summary
    answers = found[0]
    # Translators: a warning-sign answer in the caseload: its action, day, question and answer
    said = _("WARNING SIGN ({action}, {day}): {question} {answer}")
    words = tuple(
        said.format(
            action=_(_ACTION_WORDS.get(action, action)),
            day=_day_text(day),
            question=question,
            answer=answer,
        )
        for action, day, question, answer in zip(
            answers["action"], answers["date"], answers["question"], answers["answer"], strict=True
        )
    )
    top = answers["action"].iloc[0]
    rank = list(reversed(ACTIONS)).index(top) if top in ACTIONS else len(ACTIONS)
    return replace(summary, warnings=words, warning_rank=rank)


def _as_of(as_of: dt.date | str | None) -> dt.date:
    from ._checks import parse_date

    return parse_date(as_of) if as_of is not None else config.today()


def _one_line(err: Exception, path: Path) -> str:
    if isinstance(err, OSError):
        return err.strerror or type(err).__name__
    problem = getattr(err, "problem", None)
    text = shown(problem) if problem else str(err)
    text = str(text).replace(str(path), path.name)
    return " ".join(text.split())[:300]


def pseudonym_key(caseload: Caseload) -> pd.DataFrame:
    """Which file each "Patient N" came from (empty unless pseudonymised); keep it apart.

    Examples
    --------
    >>> from backkit.caseload import Caseload, pseudonym_key
    >>> import datetime as dt
    >>> pseudonym_key(Caseload((), (), dt.date(2025, 3, 3), (("Patient 1", "jo.csv"),)))
         patient    file
    0  Patient 1  jo.csv
    """
    import pandas as pd

    return pd.DataFrame(list(caseload.key), columns=["patient", "file"])


def sample_caseload(
    folder: str | Path, patients: int = 12, *, weeks: int = 12, start: dt.date | str | None = None
) -> list[Path]:
    """Write a folder of made-up patients (``sample_log`` exports) to try the caseload on.

    Patient ``i`` gets profile ``PROFILES[i % 3]``, seed ``i`` and a log of
    between 1 and ``weeks`` weeks (every seventh patient only a few days),
    all starting on ``start`` (the sample's start by default); the sample plan
    is saved beside them as ``plan.yaml``. Files are named ``S001.csv`` ... so
    they read as ids, not names.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from backkit.caseload import sample_caseload
    >>> [p.name for p in sample_caseload(pathlib.Path(tempfile.mkdtemp()), 2, weeks=2)]
    ['S001.csv', 'S002.csv']
    """
    from .logfiles import write_csv
    from .sample import PROFILES, sample_log, sample_plan

    root = Path(folder).expanduser()
    out = []
    for i in range(patients):
        length = 1 if i % 7 == 3 else max(1, weeks - (i * 5) % max(1, weeks // 2))
        frame = sample_log(weeks=length, seed=i, profile=PROFILES[i % 3], start=start)
        if i % 7 == 3:
            frame = frame[frame["started_at"] < frame["started_at"].min() + _days(3)]
        out.append(write_csv(frame, root / f"S{i + 1:03d}.csv"))
    sample_plan(start).save(root / "plan.yaml")
    return out


def _days(n: int) -> Any:
    import pandas as pd

    return pd.Timedelta(days=n)


# --------------------------------------------------------------------------
# Small multiples


@literal_text
def plot_caseload(
    caseload: Caseload | Sequence[PatientSummary], *, columns: int = 5, height: float = 1.9
) -> Figure:
    r"""Small multiples: one panel per patient, weekly adherence (bars) and pain (line), by date.

    Panels are in the table's order (attention first) and share their scales,
    so patients compare at a glance: the same weeks on every panel's time axis
    (labelled with the date of a week's Monday, "3 Mar"), from the first week
    any patient logged to the week of the view, so a patient who stopped shows
    the empty weeks since; bars are the week's adherence (0-100 %, left axis;
    none without a plan), the line the week's mean pain before exercise (0-10,
    right axis). A panel with warning-sign answers says so at its top right;
    the others give their number of flags there.

    Parameters
    ----------
    caseload : Caseload or sequence of PatientSummary
        What :func:`load_caseload` (or :func:`summarise`) computed.
    columns : int
        Panels per row.
    height : float
        Height of a row of panels, in inches.

    Returns
    -------
    Figure
        One Axes per patient (labelled ``"patient: <id>"``) plus its twin for pain.

    Examples
    --------
    >>> import backkit
    >>> from backkit.caseload import plot_caseload, summarise
    >>> s = summarise("P01", backkit.sample_log(weeks=3), backkit.sample_plan(),
    ...               as_of="2025-03-09")
    >>> fig = plot_caseload([s])
    >>> [ax.get_title(loc="left") for ax in fig.axes if ax.get_label().startswith("patient")]
    ['P01']
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['17 Feb\n2025', '24 Feb', '3 Mar']
    """
    import textwrap

    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    import pandas as pd

    from .charts import OKABE_ITO

    patients = list(caseload.patients if isinstance(caseload, Caseload) else caseload)
    n = max(1, len(patients))
    cols = max(1, min(columns, n))
    rows = math.ceil(n / cols)
    width = max(2.8 * cols, 6.4)  # one or two panels still leave the title a line
    title = _("Weekly adherence (bars, %) and pain before exercise (line, 0-10)")
    fig, grid = plt.subplots(
        rows, cols, figsize=(width, height * rows + 0.8), squeeze=False, sharex=True,
        sharey=True, layout="constrained",
    )  # fmt: skip
    fig.suptitle(textwrap.fill(title, int(width * 10)))  # about 10 characters an inch
    for ax in grid.flat[len(patients) :]:
        ax.set_visible(False)
    if not patients:
        grid.flat[0].set_visible(True)
        grid.flat[0].text(0.5, 0.5, _("no patients"), ha="center", va="center")
        return fig
    weeks = [w for p in patients for w in (*p.weekly_adherence.index, *p.weekly_pain.index)]
    last = max(weeks, default=None)
    if isinstance(caseload, Caseload):
        day = pd.Timestamp(caseload.as_of)
        last = day - pd.Timedelta(days=day.day_of_week)
    first = min(weeks, default=last)
    for ax, p in zip(grid.flat, patients, strict=False):
        _patient_panel(ax, p, OKABE_ITO)
    if first is not None and last is not None:
        span = (last - first).days // 7 + 1
        ax = grid.flat[0]
        # the weeks shown, Monday to Sunday (the next Monday is no week of the view)
        ax.set_xlim(first - pd.Timedelta(hours=12), last + pd.Timedelta(days=6, hours=12))
        # Mondays, at most four labelled on a panel
        ax.xaxis.set_major_locator(
            mdates.WeekdayLocator(byweekday=mdates.MO, interval=max(1, math.ceil(span / 4)))
        )
        ax.xaxis.set_major_formatter(_WeekLabels())
    for ax in grid.flat[: len(patients)]:
        ax.tick_params(axis="x", labelbottom=True)  # every panel dated, not only the bottom row
    return fig


class _WeekLabels:
    """Tick labels "3 Mar", with the year under the first label and under each January's."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        import matplotlib.dates as mdates

        day = mdates.num2date(x)
        label = config.day_text(day, year=False)
        return f"{label}\n{day.year}" if pos == 0 or (day.month == 1 and day.day <= 7) else label


def _patient_panel(ax: Any, p: PatientSummary, colours: dict[str, str]) -> None:
    """One patient's panel: adherence bars and the pain line at the middle of each week."""
    import pandas as pd

    middle = pd.Timedelta(days=3.5)
    ax.set_label(f"patient: {p.patient}")
    ax.set_title(p.patient, fontsize=9, loc="left")
    adherence = p.weekly_adherence
    if len(adherence):
        ax.bar(adherence.index + middle, adherence.fillna(0).to_numpy(), width=6,
               color=colours["sky"])  # fmt: skip
    else:
        ax.text(0.5, 0.85, _("no plan"), transform=ax.transAxes, ha="center", fontsize=8)
    ax.set_ylim(0, 100)
    ax.tick_params(labelsize=8)
    pain_ax = ax.twinx()
    pain_ax.set_label(f"pain: {p.patient}")
    pain_ax.set_ylim(0, 10)
    pain_ax.tick_params(labelsize=8)
    pain = p.weekly_pain
    if pain is not None and len(pain):
        pain_ax.plot(pain.index + middle, pain.to_numpy(), color=colours["vermillion"], lw=1.5,
                     marker=".", ms=3)  # fmt: skip
    if p.warnings:
        ax.set_title(_("warning-sign answers"), fontsize=8, loc="right", fontweight="bold",
                     color=colours["vermillion"])  # fmt: skip
    elif p.flags:
        ax.set_title(ngettext("{n} flag", "{n} flags", len(p.flags)).format(n=len(p.flags)),
                     fontsize=8, loc="right", color=colours["vermillion"])  # fmt: skip
