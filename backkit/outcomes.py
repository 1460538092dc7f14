"""Outcome measures: weekly check-ins of pain and function, and change from baseline.

Clinicians judge a back-pain programme by its outcomes. A *check-in* records,
for one day, any of:

- **pain**: average and worst pain over the last 7 days, on the 0-10 numeric
  rating scale (measures ``pain_average`` and ``pain_worst``);
- the **Patient-Specific Functional Scale** (PSFS; Stratford et al. 1995, free
  to use with attribution): up to 3 activities the person finds hard (as its
  instructions ask; backkit accepts 1 to 5), each
  rated 0 (unable) to 10 (as before the problem); the score is the mean
  (measure ``psfs``, one row per activity, the activity in ``item``);
- **custom measures** recorded by a clinician, e.g. the *total* score of the
  Oswestry Disability Index or the Roland-Morris Disability Questionnaire,
  which are licensed: backkit never shows their items, it stores the total
  under the name, scale, direction and smallest important change (stored as
  ``mcid``) the clinician gives.

A check-in can also record **leg pain** (0-10, for sciatica), how the back
felt **the next morning** after exercising (better, same, worse) and whether
pain has spread **below the knee** (:func:`checkins_frame`); these are not
compared with a baseline (no threshold is claimed for them).

The first check-in is the baseline; later ones are compared with it
(:func:`change_from_baseline`, :func:`summary_line`). Check-ins live in the
session log's file, a sibling of the bouts on the log's
:class:`~backkit.store.Store` (tables ``checkins`` and ``outcome_scores``,
migration set ``outcomes``: :data:`MIGRATIONS`), with the same durability (one
transaction per check-in, WAL, ``synchronous=FULL``). A refused check-in
raises :class:`~backkit.errors.CheckInError` naming every problem; nothing is
written. A check-in is corrected or removed with a reason
(:func:`correct_checkin`, :func:`remove_checkin`), the earlier values kept in
the audit trail (:func:`checkin_history`, :mod:`backkit.audit`); a second
check-in on one day replaces the first only with ``replace=True``.

**Red-flag screenings** (:func:`record_screening`, :func:`screenings_frame`,
:func:`last_screening`) store the answers to the red-flag questions and the
advice shown (none, clinician, urgent, emergency); the questions themselves
are data in ``safety.yaml`` (``backkit.safety.screening_questions()``).
**Clearances** (:func:`record_clearance`, :func:`clearances_frame`, schema
version 6) record that a clinician saw the person about a "yes" and said they
can exercise: until then the "yes" keeps every timer closed
(:mod:`backkit.gate`).

The thresholds come from ``backkit/data/outcomes.yaml``:

- pain NRS: a change of at least 2 points *and* at least 30% of the baseline
  (:func:`backkit.analysis.meaningful_change`): the minimal important change
  (MIC) of Ostelo et al. 2008, Spine 33(1):90-94, is 2 points or 30%; backkit
  asks for both, a conservative choice (smaller values have been reported),
  with Farrar 2001 for larger baselines;
- PSFS mean: 2 points; one PSFS activity: 3 points: the *minimal detectable
  change* (MDC, Stratford 1995, printed on the PSFS form), a change beyond
  measurement error. Abbott & Schmitt 2014 (JOSPT 44(8):560-564) put the
  MCID of the mean at 1.3 (small), 2.3 (medium) and 2.7 (large) points, so
  a change of 2 is also inside the range of clinically important change;
- custom measures: the threshold the clinician gives (for reference, the
  minimal important change of Ostelo 2008 is 10 points for the ODI (0-100)
  and 5 for the RMDQ (0-24)).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import audit, config, safety
from ._checks import EARLIEST, Checker, Limit, is_missing, one_line, parse_datetime
from .errors import BackkitError, CheckInError, Problem, did_you_mean
from .i18n import N_, ngettext
from .i18n import gettext as _
from .safety import ACTIONS
from .store import Migrations, from_utc_text, utc_text

if TYPE_CHECKING:
    import pandas as pd

    from .log import SessionLog

__all__ = [
    "BUILTIN",
    "CHECKIN_COLUMNS",
    "CLEARANCE_COLUMNS",
    "CORRECTABLE",
    "CUSTOM_KEYS",
    "MIGRATIONS",
    "NEXT_MORNING",
    "OUTCOME_COLUMNS",
    "PAIN_AVERAGE",
    "PAIN_WORST",
    "PSFS",
    "REPLACED",
    "SCREENING_COLUMNS",
    "SEEN_BY",
    "STATUSES",
    "change_from_baseline",
    "checkin_history",
    "checkins_frame",
    "clearances_frame",
    "conform_outcomes",
    "correct_checkin",
    "custom_measures",
    "empty_outcomes",
    "last_screening",
    "measure_key",
    "outcomes_frame",
    "psfs_activities",
    "record_checkin",
    "record_clearance",
    "record_screening",
    "remove_checkin",
    "screenings_frame",
    "summary_line",
    "thresholds",
]

PAIN_AVERAGE = "pain_average"
PAIN_WORST = "pain_worst"
PSFS = "psfs"
#: Names reserved for the built-in measures (a custom measure cannot take them).
BUILTIN = (PAIN_AVERAGE, PAIN_WORST, PSFS)
#: Keys of one custom measure given to :func:`record_checkin`.
CUSTOM_KEYS = ("name", "score", "min", "max", "higher_is_better", "mcid")
#: Classes of :func:`change_from_baseline`.
STATUSES = ("baseline", "improved", "unchanged", "worse")

#: Columns of :func:`outcomes_frame` (one row per score) and their dtypes. ``date``
#: is the local calendar day (tz-naive midnight, like ``analysis.local_day``);
#: ``item`` is the PSFS activity (missing for other measures); ``scale_min``,
#: ``scale_max`` and ``higher_is_better`` describe the measure's scale; ``mcid``
#: is the clinician's MCID of a custom measure (missing for built-in measures,
#: whose thresholds come from ``outcomes.yaml``).
OUTCOME_COLUMNS: dict[str, str] = {
    "checkin_id": "string",
    "date": "datetime64[ns]",
    "baseline": "boolean",
    "kind": "category",
    "measure": "string",
    "item": "string",
    "score": "Float64",
    "scale_min": "Float64",
    "scale_max": "Float64",
    "higher_is_better": "boolean",
    "mcid": "Float64",
    "notes": "string",
}
_KINDS = ("pain", "psfs", "custom")
_MAX_NAME = 60  # characters of an activity or custom measure name
_MAX_NOTES = 2000
_MAX_CLEARANCE_NOTES = 500
_EPS = 1e-9  # a change exactly at the threshold counts as meaningful
_ANY = Limit(-1e9, 1e9, whole=False)  # a custom scale's ends: any sensible number

#: The check-ins', screenings' and clearances' migration set (its steps were
#: versions 3, 5 and 6 of the log file); every log gets it when opened
#: (:func:`backkit.store.kit_migrations`).
MIGRATIONS = Migrations("outcomes")
MIGRATIONS.add(
    "outcome_scores_table",
    "the outcome_scores table: weekly check-ins of pain, PSFS and custom measures "
    "(written and read by backkit.outcomes)",
    """CREATE TABLE outcome_scores (
        row_id INTEGER PRIMARY KEY,
        checkin_id TEXT NOT NULL,
        measured_on TEXT NOT NULL,
        baseline INTEGER NOT NULL CHECK (baseline IN (0, 1)),
        kind TEXT NOT NULL CHECK (kind IN ('pain', 'psfs', 'custom')),
        measure TEXT NOT NULL,
        item TEXT,
        score REAL NOT NULL,
        scale_min REAL NOT NULL,
        scale_max REAL NOT NULL,
        higher_is_better INTEGER NOT NULL CHECK (higher_is_better IN (0, 1)),
        mcid REAL,
        notes TEXT,
        recorded_at TEXT NOT NULL,
        CHECK (scale_min < scale_max AND score BETWEEN scale_min AND scale_max)
    )""",
    "CREATE UNIQUE INDEX outcome_scores_once ON outcome_scores "
    "(measured_on, measure, COALESCE(item, ''))",
    # one baseline per measure (and PSFS activity), whatever the code above does
    "CREATE UNIQUE INDEX outcome_scores_one_baseline ON outcome_scores "
    "(measure, COALESCE(item, '')) WHERE baseline = 1",
    was=3,
)

#: Answers to "how did your back feel the morning after exercising?".
NEXT_MORNING = ("better", "same", "worse")
#: Why a check-in was removed by ``record_checkin(..., replace=True)``.
REPLACED = "replaced by a new check-in on the same day"

MIGRATIONS.add(
    "checkins_and_screenings_tables",
    "the checkins table (one row per check-in: leg pain, the morning after, pain below "
    "the knee), removed/replaced check-ins kept (removed_at), the screenings table "
    "(red-flag screening answers and the advice shown)",
    "ALTER TABLE outcome_scores ADD COLUMN removed_at TEXT",
    "DROP INDEX outcome_scores_once",
    "CREATE UNIQUE INDEX outcome_scores_once ON outcome_scores "
    "(measured_on, measure, COALESCE(item, '')) WHERE removed_at IS NULL",
    "DROP INDEX outcome_scores_one_baseline",
    "CREATE UNIQUE INDEX outcome_scores_one_baseline ON outcome_scores "
    "(measure, COALESCE(item, '')) WHERE baseline = 1 AND removed_at IS NULL",
    f"""CREATE TABLE checkins (
        checkin_id TEXT PRIMARY KEY,
        measured_on TEXT NOT NULL,
        leg_pain INTEGER CHECK (leg_pain BETWEEN 0 AND 10),
        next_morning TEXT CHECK (next_morning IN ({", ".join(map(repr, NEXT_MORNING))})),
        below_knee INTEGER CHECK (below_knee IN (0, 1)),
        notes TEXT,
        recorded_at TEXT NOT NULL,
        removed_at TEXT
    )""",
    # every check-in stored before: its day, its notes, when it was written
    "INSERT INTO checkins (checkin_id, measured_on, notes, recorded_at) "
    "SELECT checkin_id, MIN(measured_on), MIN(notes), MIN(recorded_at) FROM outcome_scores "
    "GROUP BY checkin_id ORDER BY MIN(row_id)",
    "CREATE UNIQUE INDEX checkins_one_a_day ON checkins (measured_on) WHERE removed_at IS NULL",
    f"""CREATE TABLE screenings (
        screening_id INTEGER PRIMARY KEY,
        answered_at TEXT NOT NULL,
        answers TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ({", ".join(map(repr, ACTIONS))})),
        recorded_at TEXT NOT NULL
    )""",
    "CREATE INDEX screenings_answered_at ON screenings (answered_at)",
    was=5,
)
#: Who saw the person about a warning sign (:func:`record_clearance`).
SEEN_BY = ("gp", "physiotherapist", "emergency department", "other clinician")
MIGRATIONS.add(
    "clearances_table",
    "the clearances table: a clinician saw the person about a warning sign answered "
    "yes and said they can exercise (seen_on, seen_by, notes)",
    f"""CREATE TABLE clearances (
        clearance_id INTEGER PRIMARY KEY,
        seen_on TEXT NOT NULL,
        seen_by TEXT NOT NULL CHECK (seen_by IN ({", ".join(map(repr, SEEN_BY))})),
        notes TEXT,
        recorded_at TEXT NOT NULL
    )""",
    was=6,
)

_STORED = (
    "checkin_id",
    "measured_on",
    "baseline",
    "kind",
    "measure",
    "item",
    "score",
    "scale_min",
    "scale_max",
    "higher_is_better",
    "mcid",
    "notes",
    "recorded_at",
)
_INSERT = (
    f"INSERT INTO outcome_scores ({', '.join(_STORED)}) VALUES ({', '.join('?' * len(_STORED))})"
)
_SELECT = (
    "SELECT checkin_id, measured_on, baseline, kind, measure, item, score, scale_min, "
    "scale_max, higher_is_better, mcid, notes FROM outcome_scores WHERE removed_at IS NULL"
)


# --------------------------------------------------------------------------
# Thresholds


def thresholds() -> dict[str, dict[str, Any]]:
    """The built-in measures' scales and meaningful-change thresholds, from ``outcomes.yaml``.

    Returns
    -------
    dict
        ``{measure: {"label", "scale", "higher_is_better", "points", "percent"}}``
        for ``pain_average``, ``pain_worst``, ``psfs`` (the mean) and
        ``psfs_item`` (one activity). ``percent`` is None where only points
        count. Pain: at least 2 points and 30% (``outcomes.yaml: pain_nrs``).
        PSFS: the minimal detectable change, 2 points for the mean and 3 for
        one activity (``outcomes.yaml: psfs.mdc``, Stratford 1995).

    Examples
    --------
    >>> from backkit import outcomes
    >>> t = outcomes.thresholds()
    >>> t["pain_average"]["points"], t["pain_average"]["percent"], t["psfs"]["points"]
    (2.0, 30.0, 2.0)
    >>> t["psfs_item"]["points"]
    3.0
    """
    from .analysis import outcome_facts as facts

    data = facts()
    pain, psfs = data["pain_nrs"], data["psfs"]
    pain_scale = (float(pain["scale"][0]), float(pain["scale"][1]))
    psfs_scale = (float(psfs["scale"][0]), float(psfs["scale"][1]))
    pain_rule = {
        "scale": pain_scale,
        "higher_is_better": pain["better"] == "higher",
        "points": float(pain["mcid"]["points"]),
        "percent": float(pain["mcid"]["percent"]),
    }
    psfs_rule = {"scale": psfs_scale, "higher_is_better": psfs["better"] == "higher"}
    return {
        # the labels are English, as stored; :func:`backkit.i18n.gettext` shows them
        PAIN_AVERAGE: {"label": N_("average pain"), **pain_rule},
        PAIN_WORST: {"label": N_("worst pain"), **pain_rule},
        PSFS: {
            "label": "PSFS",
            **psfs_rule,
            "points": float(psfs["mdc"]["mean"]),
            "percent": None,
        },
        "psfs_item": {
            "label": N_("PSFS activity"),
            **psfs_rule,
            "points": float(psfs["mdc"]["item"]),
            "percent": None,
        },
    }


def _psfs_limits() -> tuple[int, int]:
    from .analysis import outcome_facts as facts

    low, high = facts()["psfs"]["activities"]
    return int(low), int(high)


# --------------------------------------------------------------------------
# Reading


def empty_outcomes() -> pd.DataFrame:
    """An outcomes frame with no rows and the dtypes of :data:`OUTCOME_COLUMNS`.

    Examples
    --------
    >>> from backkit.outcomes import empty_outcomes
    >>> str(empty_outcomes()["score"].dtype)
    'Float64'
    """
    return conform_outcomes({name: [] for name in OUTCOME_COLUMNS})


def conform_outcomes(columns: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """Return check-in columns as a frame with the dtypes of :data:`OUTCOME_COLUMNS`."""
    import pandas as pd

    data = {}
    for name, kind in OUTCOME_COLUMNS.items():
        values = list(columns[name])
        if kind.startswith("datetime64"):
            data[name] = pd.to_datetime(pd.Series(values, dtype=object)).astype(kind).array
        elif kind == "category":
            data[name] = pd.Categorical(values, categories=list(_KINDS))
        else:
            # pandas-stubs overload pd.array on literal dtypes only; kind is a str
            data[name] = pd.array(  # type: ignore[call-overload]
                [None if is_missing(v) else v for v in values],
                dtype=kind,
            )
    return pd.DataFrame(data)


def outcomes_frame(log: SessionLog) -> pd.DataFrame:
    """Every stored outcome score as a typed DataFrame, oldest check-in first.

    One row per score: the two pain scores, one row per PSFS activity, one
    per custom measure. Columns and dtypes are :data:`OUTCOME_COLUMNS`.

    Parameters
    ----------
    log : SessionLog
        The store the check-ins were recorded in.

    Examples
    --------
    >>> import backkit
    >>> from backkit.outcomes import record_checkin, outcomes_frame
    >>> log = backkit.SessionLog(":memory:")
    >>> _ = record_checkin(log, "2025-03-03", pain_average=5, pain_worst=7,
    ...                    psfs={"sitting 1 hour": 3, "gardening": 2, "lifting a child": 4})
    >>> outcomes_frame(log)[["measure", "item", "score"]].head(3)
            measure            item  score
    0  pain_average            <NA>    5.0
    1    pain_worst            <NA>    7.0
    2          psfs  sitting 1 hour    3.0
    """
    rows = log.store.query(f"{_SELECT} ORDER BY measured_on, row_id")
    if not rows:
        return empty_outcomes()
    cols = list(zip(*rows, strict=True))
    names = list(OUTCOME_COLUMNS)
    data: dict[str, Sequence[Any]] = dict(zip(names, cols, strict=True))
    data["baseline"] = [bool(v) for v in data["baseline"]]
    data["higher_is_better"] = [bool(v) for v in data["higher_is_better"]]
    return conform_outcomes(data)


def psfs_activities(outcomes: pd.DataFrame) -> list[str]:
    """The PSFS activities named at the PSFS baseline (empty when there is none yet).

    Later check-ins rate these same activities.

    Examples
    --------
    >>> import backkit
    >>> from backkit.outcomes import psfs_activities
    >>> from backkit.sample import sample_checkins
    >>> psfs_activities(sample_checkins(weeks=2))
    ['sitting through a film', 'putting on socks', 'carrying shopping', 'walking 30 minutes']
    """
    rows = outcomes[(outcomes["measure"] == PSFS).fillna(False)]
    if rows.empty:
        return []
    first = rows["date"].min()
    return rows.loc[rows["date"] == first, "item"].astype(str).tolist()


def custom_measures(outcomes: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """The custom measures defined so far: ``{name: {min, max, higher_is_better, mcid}}``.

    Examples
    --------
    >>> from backkit.outcomes import custom_measures
    >>> from backkit.sample import sample_checkins
    >>> custom_measures(sample_checkins())["ODI total"]
    {'min': 0.0, 'max': 100.0, 'higher_is_better': False, 'mcid': 10.0}
    """
    rows = outcomes[(outcomes["kind"] == "custom").to_numpy()]
    out: dict[str, dict[str, Any]] = {}
    for _index, r in rows.iterrows():
        out.setdefault(
            str(r["measure"]),
            {
                "min": float(r["scale_min"]),
                "max": float(r["scale_max"]),
                "higher_is_better": bool(r["higher_is_better"]),
                "mcid": float(r["mcid"]),
            },
        )
    return out


# --------------------------------------------------------------------------
# Recording


def measure_key(name: str) -> str:
    """How names are compared: case and runs of spaces do not matter.

    Examples
    --------
    >>> measure_key("  ODI   Total ")
    'odi total'
    """
    return " ".join(name.split()).casefold()


def _day(row: Checker, name: str, today: dt.date) -> dt.date | None:
    value = row.get(name)
    if value is None:
        return today
    day: dt.date | None = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    else:
        try:
            moment = parse_datetime(value)
        except BackkitError:
            moment = None
        if moment is not None:
            day = (moment.astimezone(row.tz) if moment.tzinfo else moment).date()
    if day is None:
        row.bad(name, value, _("is not a date (use a datetime.date or 'YYYY-MM-DD')"))
        return None
    if day > today:
        row.bad(
            name, value, _("is in the future (today is {today})").format(today=today.isoformat())
        )
        return None
    if day < EARLIEST.date():
        row.bad(
            name,
            value,
            _("is before {earliest}; check the year").format(earliest=EARLIEST.date().isoformat()),
        )
        return None
    return day


def _flag(row: Checker, name: str) -> bool | None:
    value = row.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("higher", "lower"):
        return value.strip().lower() == "higher"
    row.bad(name, value, _("must be True (higher is better) or False (lower is better)"))
    return None


def _psfs_scores(row: Checker, psfs: Any, scale: tuple[float, float]) -> dict[str, int] | None:
    """Validate the PSFS mapping: 1-5 named activities (the form asks for up to 3), each 0-10."""
    if psfs is None:
        return None
    low, high = _psfs_limits()
    if not isinstance(psfs, Mapping):
        row.bad(
            "psfs",
            psfs,
            _(
                "must map each activity to its score, e.g. {example} ({low} to {high} activities)"
            ).format(example="{'sitting 1 hour': 4, ...}", low=low, high=high),
        )
        return None
    out: dict[str, int] = {}
    seen: dict[str, str] = {}
    ok = True
    for name, score in psfs.items():
        if not isinstance(name, str):
            row.bad("psfs activity", name, _("must be text: the name of an activity"))
            ok = False
            continue
        label = " ".join(name.split())
        if not label:
            row.bad("psfs activity", name, _("is blank: name the activity (e.g. 'sitting 1 hour')"))
            ok = False
            continue
        if len(label) > _MAX_NAME:
            row.bad(
                "psfs activity",
                f"{label[:30]}...",
                _("is {length} characters long; at most {most}").format(
                    length=len(label), most=_MAX_NAME
                ),
            )
            ok = False
            continue
        if measure_key(label) in seen:
            row.bad(
                "psfs activity",
                name,
                _("is named twice (also {other})").format(other=repr(seen[measure_key(label)])),
            )
            ok = False
            continue
        seen[measure_key(label)] = label
        field = f"psfs[{label!r}]"
        number = Checker({field: score}, row.where, tz=row.tz)
        value = number.number(field, Limit(*scale))
        if value is None:
            if number.problems:
                row.problems += number.problems
            else:
                row.bad(
                    field,
                    score,
                    _("is missing: rate it {low} to {high}").format(
                        low=f"{scale[0]:g}", high=f"{scale[1]:g}"
                    ),
                )
            ok = False
            continue
        out[label] = int(value)
    count = len(psfs)
    if not low <= count <= high:
        row.bad(
            "psfs",
            list(psfs),
            ngettext(
                "names {count} activity; the PSFS needs {low} to {high}",
                "names {count} activities; the PSFS needs {low} to {high}",
                count,
            ).format(count=count, low=low, high=high),
        )
        ok = False
    return out if ok else None


def _custom_scores(row: Checker, custom: Any) -> list[dict[str, Any]]:
    """Validate custom measures as given (the store's definitions are checked later)."""
    if custom is None:
        return []
    items = [custom] if isinstance(custom, Mapping) else custom
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        row.bad(
            "custom",
            custom,
            _(
                "must be a mapping (or a list of them) with keys name, score, and for a new "
                "measure min, max, higher_is_better, mcid"
            ),
        )
        return []
    out = []
    for n, raw in enumerate(items):
        here = "custom" if len(items) == 1 else f"custom[{n}]"
        if not isinstance(raw, Mapping):
            row.bad(
                here,
                raw,
                _("must be a mapping with keys {keys}").format(keys=", ".join(CUSTOM_KEYS)),
            )
            continue
        score = _custom_score(row, here, raw)
        if score is not None:
            out.append(score)
    names = [measure_key(c["name"]) for c in out]
    for c in out:
        if names.count(measure_key(c["name"])) > 1:
            row.bad(f"{c['field']}.name", c["name"], _("is given twice in one check-in"))
    return out


def _custom_score(row: Checker, here: str, raw: Mapping[Any, Any]) -> dict[str, Any] | None:
    """Validate one custom measure (a mapping); None when it has problems (added to ``row``)."""
    for key in raw:
        if key not in CUSTOM_KEYS:
            hint = did_you_mean(key, CUSTOM_KEYS)
            row.bad(
                f"{here}.{key}", raw[key], _("is not a custom-measure key.{hint}").format(hint=hint)
            )
    sub = Checker({f"{here}.{k}": v for k, v in raw.items()}, row.where, tz=row.tz)
    name = _custom_name(sub, here, raw)
    lo = sub.number(f"{here}.min", _ANY)
    hi = sub.number(f"{here}.max", _ANY)
    if lo is not None and hi is not None and not lo < hi:
        sub.bad(f"{here}.max", hi, _("must be above min ({low})").format(low=f"{lo:g}"))
        lo = hi = None
    score = sub.get(f"{here}.score")
    if score is None:
        sub.bad(f"{here}.score", raw.get("score"), _("is required"))
    mcid = sub.number(f"{here}.mcid", Limit(0, _ANY.hi, whole=False))
    if mcid == 0:
        sub.bad(f"{here}.mcid", raw.get("mcid"), _("must be above 0"))
        mcid = None
    if mcid is not None and lo is not None and hi is not None and mcid > hi - lo:
        sub.bad(
            f"{here}.mcid",
            mcid,
            _("is larger than the scale ({low} to {high})").format(low=f"{lo:g}", high=f"{hi:g}"),
        )
        mcid = None
    direction = _flag(sub, f"{here}.higher_is_better")
    row.problems += sub.problems
    if sub.problems:
        return None
    return {
        "field": here,
        "name": name,
        "score": score,
        "min": lo,
        "max": hi,
        "higher_is_better": direction,
        "mcid": mcid,
    }


def _custom_name(sub: Checker, here: str, raw: Mapping[Any, Any]) -> str | None:
    """A custom measure's name, spaces collapsed; None (a problem in ``sub``) when unusable."""
    name = sub.text(f"{here}.name", _MAX_NAME)
    if name is None and not sub.problems:
        sub.bad(f"{here}.name", raw.get("name"), _("is required (e.g. 'ODI total')"))
    elif name is not None:
        name = " ".join(name.split())
        if measure_key(name) in BUILTIN or measure_key(name) in ("pain", "psfs mean"):
            sub.bad(
                f"{here}.name",
                name,
                _("is a built-in measure; give the custom measure another name"),
            )
            name = None
    return name


def record_checkin(
    log: SessionLog,
    date: dt.date | str | None = None,
    *,
    pain_average: int | None = None,
    pain_worst: int | None = None,
    psfs: Mapping[str, int] | None = None,
    custom: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    notes: str | None = None,
    leg_pain: int | None = None,
    next_morning: str | None = None,
    below_knee: bool | None = None,
    baseline: bool = False,
    replace: bool = False,
) -> pd.DataFrame:
    """Validate a check-in and store it in one transaction, or store nothing.

    Parameters
    ----------
    log : SessionLog
        The store (the session log's file; the check-ins go in its
        ``checkins`` and ``outcome_scores`` tables).
    date : date or 'YYYY-MM-DD', optional
        The day of the check-in (default: today in the kit's time zone). One
        check-in per day.
    pain_average, pain_worst : int, optional
        Average and worst pain over the last 7 days, whole numbers 0-10
        (0 = no pain, 10 = worst imaginable). Worst is at least average.
    psfs : mapping of str to int, optional
        The PSFS: activity -> score 0 (unable) to 10 (as before the problem),
        1 to 5 activities (the form asks for up to 3). The first PSFS names
        the activities; later ones must rate the same activities (names match
        ignoring case and spacing).
    custom : mapping or list of mappings, optional
        Clinician-scored measures, each ``{"name", "score", "min", "max",
        "higher_is_better", "mcid"}``, e.g. ``{"name": "ODI total", "score":
        34, "min": 0, "max": 100, "higher_is_better": False, "mcid": 10}``.
        Once a measure is defined, later check-ins need only ``name`` and
        ``score``; the other keys, when given, must match.
    notes : str, optional
        Free text, stored with the check-in and every score of it.
    leg_pain : int, optional
        Leg pain over the last 7 days, 0-10 (for sciatica; NICE NG59 covers
        low back pain and sciatica). Shown by :func:`checkins_frame`.
    next_morning : {"better", "same", "worse"}, optional
        How the back felt the morning after exercising.
    below_knee : bool, optional
        Whether pain has spread below the knee.
    baseline : bool, default False
        True states that this is the baseline. The first score of each
        measure is its baseline anyway; with True, a measure that already has
        a baseline is an error (a second baseline).
    replace : bool, default False
        Replace a check-in already stored for the same day (it is removed,
        kept in the file and the audit trail with the reason
        :data:`REPLACED`). Without it, a second check-in on one day is refused.

    Returns
    -------
    DataFrame
        The stored scores, as :func:`outcomes_frame` shows them (empty when
        the check-in holds only leg pain, the morning after or below-knee
        answers: :func:`checkins_frame` shows those).

    Raises
    ------
    CheckInError
        Listing every problem (field, value, what is wrong); nothing is
        stored. Among them: nothing answered; pain not a whole number 0-10;
        worst pain below average; a PSFS with fewer than 3 or more than 5
        activities, a blank or repeated activity name, a score outside 0-10,
        activities other than the baseline's; a second baseline; a date in the
        future, before a measure's baseline, or that already has a check-in
        (unless ``replace=True``); a custom measure without name, score or
        (when new) scale, direction and MCID, or one that contradicts its
        definition, or whose score is outside its scale.

    Examples
    --------
    >>> import backkit
    >>> from backkit.outcomes import record_checkin
    >>> log = backkit.SessionLog(":memory:")
    >>> psfs = {"sitting 1 hour": 3, "gardening": 2, "lifting a child": 4}
    >>> rows = record_checkin(log, "2025-03-03", pain_average=6, pain_worst=8, psfs=psfs,
    ...                       leg_pain=3, next_morning="same", below_knee=False)
    >>> bool(rows["baseline"].all()), len(rows)
    (True, 5)
    >>> try:
    ...     record_checkin(log, "2025-03-10", psfs={"gardening": 5, "sitting 1 hour": 6})
    ... except backkit.errors.CheckInError as err:
    ...     print(err.problems[0].field, "|", err.problems[0].message[:52])
    psfs | must rate the activities named at the PSFS baseline
    """
    raw = {
        "date": date,
        PAIN_AVERAGE: pain_average,
        PAIN_WORST: pain_worst,
        "psfs": psfs,
        "custom": custom,
        "notes": notes,
        "leg_pain": leg_pain,
        "next_morning": next_morning,
        "below_knee": below_knee,
    }
    answers = _check_answers(raw, baseline)
    if not isinstance(replace, bool):
        raise _refused([Problem(answers.row.where, "replace", replace, _("must be True or False"))])
    checkin_id = f"checkin-{answers.day:%Y%m%d}-{uuid.uuid4().hex[:6]}"
    now = config.now()
    with log.store.transaction() as db:
        if replace:
            _replace_same_day(db, answers.day.isoformat(), checkin_id, now)
        rows = _store(db, answers, checkin_id, now)
    return _as_frame(checkin_id, answers.day, rows, answers.notes)


@dataclass
class _Answers:
    """One check-in's answers, each checked on its own (the store is checked later)."""

    row: Checker
    day: dt.date
    average: int | None
    worst: int | None
    scores: dict[str, int] | None
    customs: list[dict[str, Any]]
    notes: str | None
    details: dict[str, Any]  # leg_pain, next_morning, below_knee
    baseline: bool
    rules: dict[str, Any]


def _check_answers(raw: Mapping[str, Any], baseline: Any) -> _Answers:
    """Check every answer of a check-in on its own; raise one CheckInError listing all problems."""
    tz = config.kit_timezone()
    row = Checker(raw, "check-in", tz=tz)
    day = _day(row, "date", config.today())
    if day is not None:
        row.where = f"check-in {day.isoformat()}"
    rules = thresholds()
    pain_scale = rules[PAIN_AVERAGE]["scale"]
    average = row.number(PAIN_AVERAGE, Limit(*pain_scale))
    worst = row.number(PAIN_WORST, Limit(*pain_scale))
    if average is not None and worst is not None and worst < average:
        row.bad(
            PAIN_WORST,
            raw[PAIN_WORST],
            _(
                "is below {field} ({average}); the worst pain of the week is at least its average"
            ).format(field=PAIN_AVERAGE, average=average),
        )
    text = row.text("notes", _MAX_NOTES)
    if not isinstance(baseline, bool):
        row.bad("baseline", baseline, _("must be True or False"))
    scores = _psfs_scores(row, raw["psfs"], rules[PSFS]["scale"])
    customs = _custom_scores(row, raw["custom"])
    details = {
        "leg_pain": row.number("leg_pain", Limit(*pain_scale)),
        "next_morning": row.choice("next_morning", NEXT_MORNING),
        "below_knee": raw["below_knee"],
    }
    if raw["below_knee"] is not None and not isinstance(raw["below_knee"], bool):
        row.bad("below_knee", raw["below_knee"], _("must be True, False or None (not asked)"))
    answered = [PAIN_AVERAGE, PAIN_WORST, "psfs", "custom", *details]
    if all(raw[k] is None for k in answered):
        row.bad(
            "check-in",
            None,
            _(
                "has no answers: give pain_average, pain_worst, psfs, a custom measure, "
                "leg_pain, next_morning or below_knee"
            ),
        )
    if row.problems:
        raise _refused(row.problems)
    return _Answers(row, day, average, worst, scores, customs, text, details, bool(baseline), rules)  # type: ignore[arg-type]


def _store(
    db: Any,
    answers: _Answers,
    checkin_id: str,
    now: dt.datetime,
    *,
    update: bool = False,
    kept: frozenset[str] = frozenset(),
) -> list[tuple]:
    """Check the answers against the store and write them; return the score rows.

    ``update``: the check-in ``checkin_id`` exists (a correction) and keeps
    its id; ``kept`` names the measures it was the baseline of.
    """
    recorded = utc_text(now)
    # Read the store under the write lock: what it holds decides the
    # baseline, the PSFS activities and custom definitions.
    plan = _Plan(db, answers.row, answers.day, answers.baseline, answers.rules)
    plan.exclude, plan.kept = checkin_id, kept
    rows = plan.rows(answers.average, answers.worst, answers.scores, answers.customs)
    if answers.row.problems:
        raise _refused(answers.row.problems)
    iso = answers.day.isoformat()
    details = answers.details
    values = (
        details["leg_pain"],
        details["next_morning"],
        None if details["below_knee"] is None else int(details["below_knee"]),
        answers.notes,
    )
    if update:
        db.execute(
            "UPDATE checkins SET leg_pain = ?, next_morning = ?, below_knee = ?, notes = ? "
            "WHERE checkin_id = ?",
            (*values, checkin_id),
        )
    else:
        db.execute(
            "INSERT INTO checkins (checkin_id, measured_on, leg_pain, next_morning, below_knee, "
            "notes, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (checkin_id, iso, *values, recorded),
        )
    db.executemany(_INSERT, [(checkin_id, iso, *r, answers.notes, recorded) for r in rows])
    return rows


def _replace_same_day(db: Any, iso: str, new_id: str, now: dt.datetime) -> None:
    """Remove (audited) the check-in stored for day ``iso``, if any."""
    found = db.execute(
        "SELECT checkin_id FROM checkins WHERE measured_on = ? AND removed_at IS NULL", (iso,)
    ).fetchone()
    if found is not None:
        _remove(db, found[0], f"{REPLACED} ({new_id})", now)


def _remove(db: Any, checkin_id: str, reason: str, now: dt.datetime) -> None:
    stamp = utc_text(now)
    db.execute("UPDATE checkins SET removed_at = ? WHERE checkin_id = ?", (stamp, checkin_id))
    db.execute(
        "UPDATE outcome_scores SET removed_at = ? WHERE checkin_id = ? AND removed_at IS NULL",
        (stamp, checkin_id),
    )
    audit.note(db, "checkin", checkin_id, [(audit.REMOVED, False, True)], reason, now)


# --------------------------------------------------------------------------
# Corrections


#: What :func:`correct_checkin` can change (the date and the baseline cannot:
#: remove the check-in and record it again).
CORRECTABLE = (
    PAIN_AVERAGE,
    PAIN_WORST,
    "psfs",
    "custom",
    "notes",
    *("leg_pain", "next_morning", "below_knee"),
)


def _stored_checkin(db: Any, checkin_id: Any, label: str) -> tuple[dict[str, Any], set[str]] | None:
    """A current check-in's answers as ``record_checkin`` takes them, and its baseline measures."""
    found = db.execute(
        "SELECT measured_on, leg_pain, next_morning, below_knee, notes FROM checkins "
        "WHERE checkin_id = ? AND removed_at IS NULL",
        (checkin_id,),
    ).fetchone()
    if found is None:
        return None
    day, leg, morning, knee, notes = found
    raw: dict[str, Any] = {
        "date": day,
        PAIN_AVERAGE: None,
        PAIN_WORST: None,
        "psfs": None,
        "custom": None,
        "notes": notes,
        "leg_pain": leg,
        "next_morning": morning,
        "below_knee": None if knee is None else bool(knee),
    }
    kept: set[str] = set()
    scores = db.execute(
        "SELECT baseline, kind, measure, item, score, scale_min, scale_max, higher_is_better, "
        "mcid FROM outcome_scores WHERE checkin_id = ? AND removed_at IS NULL ORDER BY row_id",
        (checkin_id,),
    )
    for flag, kind, measure, item, score, lo, hi, better, mcid in scores:
        if flag:
            kept.add(measure)
        if kind == "pain":
            raw[measure] = int(score)
        elif kind == "psfs":
            raw["psfs"] = {**(raw["psfs"] or {}), item: int(score)}
        else:
            measure_def = {"name": measure, "score": score, "min": lo, "max": hi}
            measure_def.update(higher_is_better=bool(better), mcid=mcid)
            raw["custom"] = [*(raw["custom"] or []), measure_def]
    return raw, kept


def _flat(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A check-in's answers, one value per field, for the audit trail."""
    out = {k: raw[k] for k in (PAIN_AVERAGE, PAIN_WORST, "leg_pain", "next_morning", "below_knee")}
    out["notes"] = raw["notes"]
    for item, score in (raw["psfs"] or {}).items():
        out[f"psfs[{item}]"] = score
    for c in raw["custom"] or []:
        out[f"custom[{c['name']}]"] = float(c["score"])
    return out


def correct_checkin(
    log: SessionLog, checkin_id: str, *, reason: str, **changes: Any
) -> pd.DataFrame:
    """Change answers of a stored check-in; the earlier values go to the audit trail.

    The corrected check-in is validated exactly like :func:`record_checkin`
    (every answer, and against the other check-ins: the PSFS activities,
    custom measure definitions). It keeps its id and date.

    Parameters
    ----------
    log : SessionLog
        The store.
    checkin_id : str
        The check-in (``outcomes_frame(log)["checkin_id"]`` or :func:`checkins_frame`).
    reason : str
        Why (required; kept with the earlier values).
    **changes
        Any of :data:`CORRECTABLE`: ``pain_average``, ``pain_worst``,
        ``psfs`` (the whole mapping), ``custom``, ``notes``, ``leg_pain``,
        ``next_morning``, ``below_knee``; None removes an answer.

    Returns
    -------
    DataFrame
        The check-in's scores as now stored.

    Raises
    ------
    CheckInError
        Listing every problem; nothing is written (the file is left byte for
        byte as it was).

    Examples
    --------
    >>> import backkit
    >>> from backkit.outcomes import record_checkin, correct_checkin, checkin_history
    >>> log = backkit.SessionLog(":memory:")
    >>> cid = record_checkin(log, "2025-03-03", pain_average=6)["checkin_id"][0]
    >>> correct_checkin(log, cid, pain_average=5, reason="misread the scale")["score"].tolist()
    [5.0]
    >>> checkin_history(log, cid)[["field", "old", "new"]].values.tolist()
    [['pain_average', 6, 5]]
    """
    label = f"check-in {checkin_id}"
    text, problems = audit.check_reason(reason, label)
    for key in changes:
        if key not in CORRECTABLE:
            hint = did_you_mean(key, CORRECTABLE)
            problems.append(
                Problem(label, key, changes[key], _("cannot be corrected.{hint}").format(hint=hint))
            )
    if not changes:
        problems.append(Problem(label, "changes", None, _("give the answers to change")))
    now = config.now()
    with log.store.transaction() as db:
        stored = _stored_checkin(db, checkin_id, label)
        if stored is None:
            problems.append(
                Problem(label, "checkin_id", checkin_id, _("is not a check-in in this log"))
            )
        if problems:
            raise _refused(problems)
        old, kept = stored  # type: ignore[misc]
        new = {**old, **changes}
        answers = _check_answers(new, False)
        diffs = [
            (field, before, after)
            for field, (before, after) in _diff(
                _flat(old), _flat(_normalised(answers, new))
            ).items()
        ]
        if diffs:
            db.execute(
                "UPDATE outcome_scores SET removed_at = ? WHERE checkin_id = ? "
                "AND removed_at IS NULL",
                (utc_text(now), checkin_id),
            )
            _store(db, answers, checkin_id, now, update=True, kept=frozenset(kept))
            audit.note(db, "checkin", checkin_id, diffs, text, now)  # type: ignore[arg-type]
    frame = outcomes_frame(log)
    return frame[(frame["checkin_id"] == checkin_id).to_numpy()].reset_index(drop=True)


def _normalised(answers: _Answers, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as they will be stored (whole numbers, stripped text)."""
    out = dict(raw)
    out.update({PAIN_AVERAGE: answers.average, PAIN_WORST: answers.worst, "notes": answers.notes})
    out.update(answers.details)
    out["psfs"] = answers.scores
    out["custom"] = [{"name": c["name"], "score": c["score"]} for c in answers.customs]
    return out


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    fields = [*old, *(k for k in new if k not in old)]
    out = {}
    for field in fields:
        before, after = old.get(field), new.get(field)
        if before != after:
            out[field] = (before, after)
    return out


def remove_checkin(log: SessionLog, checkin_id: str, *, reason: str) -> None:
    """Remove a check-in: hidden from :func:`outcomes_frame`, kept in the file and the trail.

    Raises
    ------
    CheckInError
        When the reason is missing or there is no such current check-in;
        nothing is written.

    Examples
    --------
    >>> import backkit
    >>> from backkit.outcomes import record_checkin, remove_checkin, outcomes_frame
    >>> log = backkit.SessionLog(":memory:")
    >>> cid = record_checkin(log, "2025-03-03", pain_average=6)["checkin_id"][0]
    >>> remove_checkin(log, cid, reason="entered for the wrong person")
    >>> outcomes_frame(log).empty
    True
    """
    label = f"check-in {checkin_id}"
    text, problems = audit.check_reason(reason, label)
    now = config.now()
    with log.store.transaction() as db:
        if _stored_checkin(db, checkin_id, label) is None:
            problems.append(
                Problem(label, "checkin_id", checkin_id, _("is not a check-in in this log"))
            )
        if problems:
            raise _refused(problems)
        _remove(db, checkin_id, text, now)  # type: ignore[arg-type]


def checkin_history(log: SessionLog, checkin_id: str, *, tz: Any = None) -> pd.DataFrame:
    """The earlier answers of one check-in: ``when``, ``field``, ``old``, ``new``, ``reason``."""
    out = audit.trail(log.store, target="checkin", target_id=checkin_id, tz=tz)
    return out.drop(columns=["target", "target_id"])


#: Columns of :func:`checkins_frame` (one row per current check-in) and their dtypes.
CHECKIN_COLUMNS: dict[str, str] = {
    "checkin_id": "string",
    "date": "datetime64[ns]",
    "leg_pain": "Int64",
    "next_morning": "category",
    "below_knee": "boolean",
    "notes": "string",
}


def checkins_frame(log: SessionLog) -> pd.DataFrame:
    """One row per current check-in: its day, leg pain, the morning after, pain below the knee.

    Examples
    --------
    >>> import backkit
    >>> from backkit.outcomes import record_checkin, checkins_frame
    >>> log = backkit.SessionLog(":memory:")
    >>> _ = record_checkin(log, "2025-03-03", leg_pain=4, next_morning="better", below_knee=False)
    >>> checkins_frame(log)[["leg_pain", "next_morning", "below_knee"]]
       leg_pain next_morning  below_knee
    0         4       better       False
    """
    import pandas as pd

    rows = log.store.query(
        "SELECT checkin_id, measured_on, leg_pain, next_morning, below_knee, notes FROM checkins "
        "WHERE removed_at IS NULL ORDER BY measured_on, checkin_id"
    )
    cols = list(zip(*rows, strict=True)) if rows else [()] * 6
    return pd.DataFrame(
        {
            "checkin_id": pd.array(cols[0], dtype="string"),
            "date": pd.to_datetime(pd.Series(cols[1], dtype=object)).astype("datetime64[ns]"),
            "leg_pain": pd.array(cols[2], dtype="Int64"),
            "next_morning": pd.Categorical(cols[3], categories=list(NEXT_MORNING)),
            "below_knee": pd.array(
                [None if v is None else bool(v) for v in cols[4]], dtype="boolean"
            ),
            "notes": pd.array(cols[5], dtype="string"),
        }
    )


# --------------------------------------------------------------------------
# Red-flag screening


#: Columns of :func:`screenings_frame` and their dtypes (``answers``: a dict
#: of question id to bool; ``yes``: the ids answered yes, in order).
SCREENING_COLUMNS: dict[str, str] = {
    "screening_id": "Int64",
    "answered_at": "datetime64[ns, tz]",
    "action": "category",
    "answers": "object",
    "yes": "object",
}


def record_screening(
    log: SessionLog,
    answers: Mapping[str, bool],
    *,
    action: str,
    when: dt.datetime | str | None = None,
) -> dict[str, Any]:
    """Store one red-flag screening: the answers and the advice that was shown.

    The questions (ids, wording, action level) are data in ``safety.yaml``
    (``backkit.safety.screening_questions()``); this stores what was answered.

    Parameters
    ----------
    log : SessionLog
        The store.
    answers : mapping of str to bool
        Question id -> the answer (True = yes).
    action : {"none", "clinician", "urgent", "emergency"}
        The advice that was shown.
    when : datetime or ISO text, optional
        When it was answered (default now; naive times are in the kit's zone).

    Returns
    -------
    dict
        ``{"screening_id", "answered_at", "answers", "action"}`` as stored.

    Raises
    ------
    CheckInError
        Listing every problem; nothing is written.

    Examples
    --------
    >>> import backkit
    >>> from backkit.outcomes import record_screening, last_screening
    >>> log = backkit.SessionLog(":memory:")
    >>> _ = record_screening(log, {"bladder_bowel": False, "saddle_numbness": False},
    ...                      action="none")
    >>> last_screening(log)["action"]
    'none'
    """
    row = Checker({"when": when, "action": action}, "screening", tz=config.kit_timezone())
    moment = row.moment("when") if when is not None else config.now()
    chosen = row.choice("action", ACTIONS)
    if chosen is None and not row.problems:
        row.bad(
            "action", action, _("is required: one of {choices}").format(choices=", ".join(ACTIONS))
        )
    clean: dict[str, bool] = {}
    known = [q.id for q in safety.screening_questions()]
    if not isinstance(answers, Mapping) or not answers:
        row.bad("answers", answers, _("must map each question id to True (yes) or False (no)"))
    else:
        for key, value in answers.items():
            if not isinstance(key, str) or not key.strip() or len(key) > _MAX_NAME:
                row.bad(
                    "answers",
                    key,
                    _("is not a question id (text, at most {most} characters)").format(
                        most=_MAX_NAME
                    ),
                )
            elif key.strip() not in known:
                suggest = did_you_mean(key, known)
                row.bad(
                    "answers",
                    key,
                    _(
                        "is not a warning-sign question id "
                        "(backkit.safety.screening_questions() lists them).{hint}"
                    ).format(hint=suggest),
                )
            elif not isinstance(value, bool):
                row.bad(f"answers[{key!r}]", value, _("must be True (yes) or False (no)"))
            else:
                clean[key.strip()] = value
    # the advice stored is the advice the answers call for (what the gate reads)
    if chosen is not None and not row.problems and chosen != safety.screening_action(clean):
        row.bad(
            "action",
            action,
            _(
                "does not follow from the answers: they call for {action}, so give action={action}"
            ).format(action=repr(safety.screening_action(clean))),
        )
    if row.problems:
        raise CheckInError(
            row.problems, header=_("The screening was not saved (nothing was written):")
        )
    stamp = utc_text(moment)  # type: ignore[arg-type]
    with log.store.transaction() as db:
        cursor = db.execute(
            "INSERT INTO screenings (answered_at, answers, action, recorded_at) "
            "VALUES (?, ?, ?, ?)",
            (
                stamp,
                json.dumps(clean, sort_keys=True),
                chosen,
                utc_text(config.now()),
            ),
        )
    tz = config.kit_timezone()
    return {
        "screening_id": cursor.lastrowid,
        "answered_at": from_utc_text(stamp).astimezone(tz),
        "answers": dict(sorted(clean.items())),
        "action": chosen,
    }


def screenings_frame(log: SessionLog, *, tz: Any = None) -> pd.DataFrame:
    """Every stored screening, oldest first (columns :data:`SCREENING_COLUMNS`)."""
    import pandas as pd

    tz = config.kit_timezone() if tz is None else tz
    rows = log.store.query(
        "SELECT screening_id, answered_at, action, answers FROM screenings "
        "ORDER BY answered_at, screening_id"
    )
    cols = list(zip(*rows, strict=True)) if rows else [()] * 4
    answers = [json.loads(a) for a in cols[3]]
    when = pd.to_datetime([from_utc_text(t) for t in cols[1]], utc=True)
    return pd.DataFrame(
        {
            "screening_id": pd.array(cols[0], dtype="Int64"),
            "answered_at": when.as_unit("ns").tz_convert(tz),
            "action": pd.Categorical(cols[2], categories=list(ACTIONS)),
            "answers": pd.Series(answers, dtype=object),
            "yes": pd.Series([tuple(k for k, v in a.items() if v) for a in answers], dtype=object),
        }
    )


def last_screening(log: SessionLog) -> dict[str, Any] | None:
    """The newest screening as a dict (as :func:`record_screening` returns it), or None."""
    rows = log.store.query(
        "SELECT screening_id, answered_at, answers, action FROM screenings "
        "ORDER BY answered_at DESC, screening_id DESC LIMIT 1"
    )
    if not rows:
        return None
    screening_id, answered, answers, action = rows[0]
    return {
        "screening_id": screening_id,
        "answered_at": from_utc_text(answered).astimezone(config.kit_timezone()),
        "answers": json.loads(answers),
        "action": action,
    }


# --------------------------------------------------------------------------
# Clearances: a clinician has seen the person about a "yes"

#: Columns of :func:`clearances_frame` and their dtypes (``seen_on``: the
#: local day of the visit, tz-naive midnight; ``recorded_at``: when it was
#: written, in the kit's zone).
CLEARANCE_COLUMNS: dict[str, str] = {
    "clearance_id": "Int64",
    "seen_on": "datetime64[ns]",
    "seen_by": "category",
    "notes": "string",
    "recorded_at": "datetime64[ns, tz]",
}


def record_clearance(
    log: SessionLog,
    *,
    seen_on: dt.date | str,
    seen_by: str,
    notes: str | None = None,
) -> dict[str, Any]:
    """Record that a clinician saw the person about a warning sign and said they can exercise.

    A "yes" to a warning-sign question keeps every timer closed until a
    clearance dated on or after the day of that answer is recorded
    (:func:`backkit.gate.screening_gate`). Record one only when the clinician
    said exercising is fine; there is nothing to record otherwise.

    Parameters
    ----------
    log : SessionLog
        The store.
    seen_on : date or ``YYYY-MM-DD`` text
        The day of the visit (not in the future).
    seen_by : {"gp", "physiotherapist", "emergency department", "other clinician"}
        Who saw the person.
    notes : str, optional
        What they said, in one line (at most 500 characters).

    Returns
    -------
    dict
        ``{"clearance_id", "seen_on", "seen_by", "notes"}`` as stored.

    Raises
    ------
    CheckInError
        Naming every problem; nothing is written.

    Examples
    --------
    >>> import backkit, datetime as dt
    >>> from backkit.outcomes import record_clearance
    >>> log = backkit.SessionLog(":memory:")
    >>> record_clearance(log, seen_on=dt.date(2026, 12, 1), seen_by="GP")["seen_by"]
    'gp'
    >>> record_clearance(log, seen_on="2099-01-01", seen_by="gp")
    Traceback (most recent call last):
    ...
    backkit.errors.CheckInError: The clearance was not saved (nothing was written):
      clearance: seen_on = '2099-01-01': is in the future
    """
    row = Checker(
        {"seen_on": seen_on, "seen_by": seen_by, "notes": notes},
        "clearance",
        tz=config.kit_timezone(),
    )
    day = row.day("seen_on")
    who = row.choice("seen_by", SEEN_BY)
    text = row.text("notes", _MAX_CLEARANCE_NOTES)
    broken = one_line(text) if text is not None else None
    if broken:
        row.bad("notes", text, broken)
    for name, value in (("seen_on", day), ("seen_by", who)):
        if value is None and not any(p.field == name for p in row.problems):
            row.bad(name, None, _("is required"))
    if day is not None and day > config.today():
        row.bad("seen_on", seen_on if isinstance(seen_on, str) else day.isoformat(),
                _("is in the future"))  # fmt: skip
    if row.problems:
        raise CheckInError(
            row.problems, header=_("The clearance was not saved (nothing was written):")
        )
    assert day is not None and who is not None  # every problem raised above
    with log.store.transaction() as db:
        cursor = db.execute(
            "INSERT INTO clearances (seen_on, seen_by, notes, recorded_at) VALUES (?, ?, ?, ?)",
            (day.isoformat(), who, text or None, utc_text(config.now())),
        )
    return {"clearance_id": cursor.lastrowid, "seen_on": day, "seen_by": who, "notes": text}


def clearances_frame(log: SessionLog, *, tz: Any = None) -> pd.DataFrame:
    """Every stored clearance, oldest first (columns :data:`CLEARANCE_COLUMNS`)."""
    import pandas as pd

    tz = config.kit_timezone() if tz is None else tz
    rows = log.store.query(
        "SELECT clearance_id, seen_on, seen_by, notes, recorded_at FROM clearances "
        "ORDER BY recorded_at, clearance_id"
    )
    cols = list(zip(*rows, strict=True)) if rows else [()] * 5
    recorded = pd.to_datetime([from_utc_text(t) for t in cols[4]], utc=True)
    return pd.DataFrame(
        {
            "clearance_id": pd.array(cols[0], dtype="Int64"),
            "seen_on": pd.to_datetime(list(cols[1])).as_unit("ns"),
            "seen_by": pd.Categorical(cols[2], categories=list(SEEN_BY)),
            "notes": pd.array(cols[3], dtype="string"),
            "recorded_at": recorded.as_unit("ns").tz_convert(tz),
        }
    )


def _as_frame(checkin_id: str, day: dt.date, rows: list[tuple], text: str | None) -> pd.DataFrame:
    """The stored rows of one check-in, as :func:`outcomes_frame` shows them."""
    import pandas as pd

    stored = [
        dict(zip(OUTCOME_COLUMNS, (checkin_id, pd.Timestamp(day), *r, text), strict=True))
        for r in rows
    ]
    for r in stored:
        r["baseline"] = bool(r["baseline"])
        r["higher_is_better"] = bool(r["higher_is_better"])
    return conform_outcomes({name: [r[name] for r in stored] for name in OUTCOME_COLUMNS})


def _refused(problems: list[Problem]) -> CheckInError:
    return CheckInError(problems, header=_("The check-in was not saved (nothing was written):"))


class _Plan:
    """Checks a check-in against what the store holds and builds the rows to insert.

    Each row is ``(baseline, kind, measure, item, score, scale_min, scale_max,
    higher_is_better, mcid)``; problems go to the check-in's :class:`Checker`.
    """

    def __init__(self, db: Any, row: Checker, day: dt.date, baseline: bool, rules: dict[str, Any]):
        self.db, self.row, self.baseline, self.rules = db, row, baseline, rules
        self.iso = day.isoformat()
        self.out: list[tuple] = []
        self.second: list[str] = []  # measures that already have a baseline, when baseline=True
        self.early: list[str] = []  # measures whose baseline is after this date
        self.exclude: str | None = None  # the check-in being corrected
        self.kept: frozenset[str] = frozenset()  # measures it was the baseline of
        self.firsts = {
            (measure, item): first
            for measure, item, first in db.execute(
                "SELECT measure, item, MIN(measured_on) FROM outcome_scores "
                "WHERE removed_at IS NULL "
                "GROUP BY measure, COALESCE(item, '') ORDER BY MIN(row_id)"
            )
        }
        self.measures_first: dict[str, str] = {}
        for (measure, _item), first in self.firsts.items():
            self.measures_first[measure] = min(first, self.measures_first.get(measure, first))

    def rows(
        self,
        average: Any,
        worst: Any,
        scores: dict[str, int] | None,
        customs: list[dict[str, Any]],
    ) -> list[tuple]:
        """Every row of the check-in, once each part is checked against the store."""
        self._same_day()
        self._pain(average, worst)
        if scores is not None:
            self._psfs(scores)
        for c in customs:
            self._custom(c)
        if self.second:
            self.row.bad(
                "baseline",
                True,
                _(
                    "a second baseline: the baseline is already recorded ({recorded}); "
                    "record this check-in as a follow-up (baseline=False)"
                ).format(recorded="; ".join(self.second)),
            )
        if self.early:
            self.row.bad(
                "date",
                self.iso,
                _(
                    "is before the baseline of {measures}; follow-ups come after the baseline"
                ).format(measures=", ".join(self.early)),
            )
        return self.out

    def _starts(self, measure: str, label: str) -> int:
        """1 when this score is the measure's baseline (its first score), else 0."""
        first = self.measures_first.get(measure)
        if first is None or measure in self.kept:
            return 1
        if self.baseline:
            self.second.append(_("{measure} on {day}").format(measure=label, day=first))
        elif self.iso < first:
            self.early.append(f"{label} ({first})")
        return 0

    def _same_day(self) -> None:
        same_day = self.db.execute(
            "SELECT checkin_id FROM checkins WHERE measured_on = ? AND removed_at IS NULL "
            "AND checkin_id IS NOT ? LIMIT 1",
            (self.iso, self.exclude),
        ).fetchone()
        if same_day is not None:
            self.row.bad(
                "date",
                self.iso,
                _(
                    "already has a check-in ({checkin}); one check-in per day. Pick another "
                    "date, keep the one stored, or replace it (replace=True)"
                ).format(checkin=same_day[0]),
            )

    def _pain(self, average: Any, worst: Any) -> None:
        lo, hi = self.rules[PAIN_AVERAGE]["scale"]
        for measure, value in ((PAIN_AVERAGE, average), (PAIN_WORST, worst)):
            if value is not None:
                label = self.rules[measure]["label"]  # named first: see _labels
                flag = self._starts(measure, _(label))
                self.out.append((flag, "pain", measure, None, float(value), lo, hi, 0, None))

    def _psfs(self, scores: dict[str, int]) -> None:
        flag = self._starts(PSFS, _("the PSFS"))
        known = [item for (m, item) in self.firsts if m == PSFS]
        if known and not self.baseline:
            first = self.measures_first[PSFS]
            named = [item for (m, item), f in self.firsts.items() if m == PSFS and f == first]
            by_key = {measure_key(n): n for n in named}
            given = {measure_key(n): n for n in scores}
            extra = [given[k] for k in given if k not in by_key]
            missing = [by_key[k] for k in by_key if k not in given]
            if extra or missing:
                parts = []
                if extra:
                    parts.append(_("new: {names}").format(names=", ".join(map(repr, extra))))
                if missing:
                    parts.append(
                        _("not rated: {names}").format(names=", ".join(map(repr, missing)))
                    )
                self.row.bad(
                    "psfs",
                    list(scores),
                    _(
                        "must rate the activities named at the PSFS baseline on {day} "
                        "({named}); {differences}"
                    ).format(
                        day=first, named=", ".join(map(repr, named)), differences="; ".join(parts)
                    ),
                )
            # keep the baseline's spelling so each activity stays one series
            scores = {by_key.get(measure_key(n), n): v for n, v in scores.items()}
        lo, hi = self.rules[PSFS]["scale"]
        for name, value in scores.items():
            self.out.append((flag, "psfs", PSFS, name, float(value), lo, hi, 1, None))

    def _custom(self, c: dict[str, Any]) -> None:
        here = c["field"]
        stored = self.db.execute(
            "SELECT measure, scale_min, scale_max, higher_is_better, mcid FROM outcome_scores "
            "WHERE kind = 'custom' AND removed_at IS NULL GROUP BY measure"
        )
        known = {measure_key(m): (m, lo, hi, bool(b), mcid) for m, lo, hi, b, mcid in stored}
        definition = known.get(measure_key(c["name"]))
        if definition is None:
            for key in ("min", "max", "higher_is_better", "mcid"):
                if c[key] is None:
                    self.row.bad(
                        f"{here}.{key}",
                        None,
                        _("is required for a new measure ({name} is not in the store yet)").format(
                            name=repr(c["name"])
                        ),
                    )
            definition = (c["name"], c["min"], c["max"], c["higher_is_better"], c["mcid"])
        else:
            first = dict(
                zip(("min", "max", "higher_is_better", "mcid"), definition[1:], strict=True)
            )
            for key, value in first.items():
                if c[key] is not None and c[key] != value:
                    self.row.bad(
                        f"{here}.{key}",
                        c[key],
                        _(
                            "differs from {name} as first recorded ({key} = {value}); "
                            "a measure keeps its scale, direction and MCID"
                        ).format(name=repr(definition[0]), key=key, value=repr(value)),
                    )
        name, lo, hi, better, mcid = definition
        if None in (lo, hi):
            return
        check = Checker({f"{here}.score": c["score"]}, self.row.where, tz=self.row.tz)
        score = check.number(f"{here}.score", Limit(lo, hi, whole=False))
        self.row.problems += check.problems
        if score is not None:
            flag = self._starts(name, repr(name))
            self.out.append(
                (flag, "custom", name, None, float(score), lo, hi, int(bool(better)), mcid)
            )


# --------------------------------------------------------------------------
# Change from baseline


def _series(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One score per check-in and measure, the PSFS mean added, each with its threshold."""
    import pandas as pd

    rules = thresholds()
    df = outcomes.copy()
    df["score"] = df["score"].astype(float)
    psfs = df[(df["measure"] == PSFS).fillna(False).to_numpy()]
    parts = [df]
    if not psfs.empty:
        mean = psfs.groupby(["checkin_id", "date"], sort=False, as_index=False).agg(
            score=("score", "mean"), baseline=("baseline", "max")
        )
        mean["measure"] = PSFS
        # all-NA columns typed as in df: pandas 2.2 warns when concat must guess them
        mean["item"] = pd.Series(pd.NA, index=mean.index, dtype=df["item"].dtype)
        mean["kind"] = "psfs"
        mean["scale_min"], mean["scale_max"] = rules[PSFS]["scale"]
        mean["higher_is_better"] = True
        mean["mcid"] = pd.Series(pd.NA, index=mean.index, dtype=df["mcid"].dtype)
        parts.append(mean)
    work = pd.concat(parts, ignore_index=True) if len(parts) > 1 else df
    work["item"] = work["item"].astype("string")
    is_item = (work["measure"] == PSFS).fillna(False).to_numpy() & work["item"].notna().to_numpy()
    points = work["mcid"].astype("Float64").astype(float).to_numpy(copy=True)
    percent = [math.nan] * len(work)
    for k, (measure, item_row) in enumerate(zip(work["measure"], is_item, strict=True)):
        rule = rules.get("psfs_item" if item_row else str(measure))
        if rule is not None:
            points[k] = rule["points"]
            percent[k] = rule["percent"] if rule["percent"] is not None else math.nan
    work["points"] = points
    work["percent"] = percent
    work["higher_is_better"] = work["higher_is_better"].astype(bool)
    return work


def change_from_baseline(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Change of every measure from its baseline, classified against its MCID.

    Each measure (average pain, worst pain, the PSFS mean, each PSFS
    activity, each custom measure) is compared with its baseline (its first
    score). A check-in is **improved** when the change in the better
    direction reaches the threshold, **worse** when the same size of change
    goes the other way, **unchanged** otherwise; the baseline itself is
    **baseline**. Thresholds (``backkit/data/outcomes.yaml``):

    - pain (average and worst, NRS 0-10, lower is better): at least 2 points
      *and* at least 30% of the baseline (``outcomes.yaml: pain_nrs.mcid``,
      the rule of :func:`backkit.analysis.meaningful_change`). Ostelo 2008
      defines improvement; applying the same size of change to deterioration
      is backkit's own choice;
    - PSFS mean: 2 points; one PSFS activity: 3 points (higher is better):
      the minimal detectable change (``outcomes.yaml: psfs.mdc``, Stratford
      1995); Abbott & Schmitt 2014 put the MCID of the mean at 1.3-2.7 points;
    - custom measures: the MCID the clinician recorded, in their direction.

    Parameters
    ----------
    outcomes : DataFrame
        :func:`outcomes_frame` (or ``sample_checkins()``).

    Returns
    -------
    DataFrame
        One row per check-in and measure, oldest first: ``date``,
        ``checkin_id``, ``measure``, ``item`` (PSFS activity; missing for the
        PSFS mean), ``label`` (for people), ``scale_min``, ``scale_max``,
        ``score``, ``baseline_score``,
        ``change`` (score minus baseline), ``change_pct`` (of the baseline;
        NaN when it is 0), ``gain`` (the change in the better direction:
        positive is better), ``mcid`` (the threshold in points for this row),
        ``higher_is_better`` and ``status`` (baseline, improved, unchanged,
        worse).

    Examples
    --------
    >>> import pandas as pd
    >>> import backkit
    >>> from backkit.outcomes import record_checkin, change_from_baseline, outcomes_frame
    >>> log = backkit.SessionLog(":memory:")
    >>> _ = record_checkin(log, "2025-03-03", pain_average=6)
    >>> _ = record_checkin(log, "2025-03-10", pain_average=5)
    >>> _ = record_checkin(log, "2025-03-17", pain_average=4)
    >>> change_from_baseline(outcomes_frame(log))[["score", "change", "status"]]
       score  change     status
    0    6.0     0.0   baseline
    1    5.0    -1.0  unchanged
    2    4.0    -2.0   improved
    """
    import numpy as np
    import pandas as pd

    columns = [
        "date",
        "checkin_id",
        "measure",
        "item",
        "label",
        "scale_min",
        "scale_max",
        "score",
        "baseline_score",
        "change",
        "change_pct",
        "gain",
        "mcid",
        "higher_is_better",
        "status",
    ]
    if outcomes.empty:
        out = pd.DataFrame({name: [] for name in columns})
        out["date"] = out["date"].astype("datetime64[ns]")
        out["status"] = pd.Categorical([], categories=list(STATUSES))
        return out
    work = _series(outcomes)
    work = work.sort_values(["date"], kind="stable").reset_index(drop=True)
    keys = [work["measure"].astype(str), work["item"].fillna("")]
    first = work.groupby(keys, sort=False)["score"].transform("first")
    is_first = work.groupby(keys, sort=False).cumcount().to_numpy() == 0
    score = work["score"].to_numpy(dtype=float)
    base = first.to_numpy(dtype=float)
    change = score - base
    better = np.where(work["higher_is_better"].to_numpy(), 1.0, -1.0)
    gain = change * better
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base != 0, change / np.abs(base) * 100, np.nan)
    points = work["points"].to_numpy(dtype=float)
    percent = work["percent"].to_numpy(dtype=float)
    # both criteria must be met: the larger threshold applies (never < 2 points)
    by_percent = np.where(base > 0, np.abs(base) * percent / 100, np.nan)
    threshold = np.fmax(points, by_percent)
    status = np.where(
        is_first,
        "baseline",
        np.where(
            gain >= threshold - _EPS,
            "improved",
            np.where(-gain >= threshold - _EPS, "worse", "unchanged"),
        ),
    )
    out = pd.DataFrame(
        {
            "date": work["date"].to_numpy(),
            "checkin_id": work["checkin_id"].astype("string").to_numpy(),
            "measure": work["measure"].astype(str).to_numpy(),
            "item": work["item"].astype("string").array,
            "label": _labels(work),
            "scale_min": work["scale_min"].astype(float).to_numpy(),
            "scale_max": work["scale_max"].astype(float).to_numpy(),
            "score": score,
            "baseline_score": base,
            "change": change,
            "change_pct": pct,
            "gain": gain,
            "mcid": threshold,
            "higher_is_better": work["higher_is_better"].to_numpy(),
            "status": pd.Categorical(status, categories=list(STATUSES)),
        }
    )
    order = {m: k for k, m in enumerate(BUILTIN)}
    out["_order"] = [
        order.get(m, len(order)) + (0.5 if isinstance(i, str) else 0)
        for m, i in zip(out["measure"], out["item"].fillna(pd.NA).astype(object), strict=True)
    ]
    out = out.sort_values(["date", "_order"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)


def _labels(work: pd.DataFrame) -> list[str]:
    rules = thresholds()
    out = []
    for measure, item in zip(work["measure"], work["item"].astype(object), strict=True):
        if measure == PSFS:
            # Translators: one activity of the Patient-Specific Functional Scale, "PSFS: walking"
            out.append(
                _("PSFS: {activity}").format(activity=item)
                if isinstance(item, str)
                else _("PSFS (mean)")
            )
        elif measure in rules:
            # named before _(): pybabel extract 2.12 would take the key for a message
            label = rules[measure]["label"]
            out.append(_(label))
        else:
            out.append(str(measure))
    return out


def _fmt(x: float) -> str:
    if x != x:
        return "?"
    if config.language() == "en":
        return f"{x:.1f}".rstrip("0").rstrip(".")
    text = config.number_text(x, 1)  # the language's decimal comma; "7,0" is "7"
    return text[:-2] if text.endswith("0") else text


#: What a measure's change since baseline is called (:data:`STATUSES`), as people read it.
_STATUS_WORDS = {
    "baseline": N_("baseline only"),
    # Translators: an outcome measure's verdict: it improved
    "improved": N_("improved"),
    # Translators: an outcome measure's verdict: it did not change beyond its threshold
    "unchanged": N_("unchanged"),
    # Translators: an outcome measure's verdict: it got worse
    "worse": N_("worse"),
}


def summary_line(outcomes: pd.DataFrame) -> str:
    """One line on the change of each measure since baseline, for the person or clinician.

    Examples
    --------
    >>> from backkit.outcomes import summary_line
    >>> from backkit.sample import sample_checkins
    >>> print(summary_line(sample_checkins()))  # doctest: +ELLIPSIS
    Since the baseline on 17 Feb 2025 (11 weeks): average pain 7 → 3 (improved), ...
    """
    if outcomes.empty:
        return _(
            "No check-ins yet: your first check-in is the baseline that later ones are "
            "compared with."
        )
    change = change_from_baseline(outcomes)
    main = change[change["item"].isna().to_numpy()]
    start = change["date"].min()
    latest = main.groupby("label", sort=False).tail(1)
    # one row per measure, in the order measures first appear (pain, PSFS, custom)
    first_seen = {label: k for k, label in enumerate(dict.fromkeys(main["label"]))}
    latest = latest.sort_values("label", key=lambda s: s.map(first_seen), kind="stable")
    if (latest["status"] == "baseline").all():
        parts = [f"{r.label} {_fmt(r.score)}{_unit(r.measure)}" for r in latest.itertuples()]
        return _("Baseline on {day}: {scores}. Check in again next week to see the change.").format(
            day=config.day_text(start), scores=", ".join(parts)
        )
    weeks = (change["date"].max() - start).days // 7
    parts = []
    for r in latest.itertuples():
        status = _(_STATUS_WORDS.get(str(r.status), str(r.status)))
        if r.status == "baseline":
            parts.append(f"{r.label} {_fmt(r.score)} ({status})")
        else:
            parts.append(f"{r.label} {_fmt(r.baseline_score)} → {_fmt(r.score)} ({status})")
    said = {"day": config.day_text(start), "changes": ", ".join(parts), "weeks": weeks}
    if not weeks:
        return _("Since the baseline on {day}: {changes}.").format(**said)
    return ngettext(
        "Since the baseline on {day} ({weeks} week): {changes}.",
        "Since the baseline on {day} ({weeks} weeks): {changes}.",
        weeks,
    ).format(**said)


def _unit(measure: str) -> str:
    return "/10" if measure in BUILTIN else ""
