"""The session log: every exercise bout, kept in the store and read as a DataFrame.

One row is one *bout*: one exercise, on one side, in one session (a sitting;
several bouts share a ``session_id``). :data:`COLUMNS` lists the columns and
the dtypes :meth:`SessionLog.frame` gives them.

The bouts live in the ``bouts`` table of a :class:`~backkit.store.Store`,
beside the weekly check-ins of :mod:`backkit.outcomes`: the store gives the
durability (WAL journal, ``synchronous=FULL``, one transaction per write, a
busy timeout so two notebooks can append at once) and refuses, untouched, a
file that is not a backkit log, is damaged or is too new. The file carries
the schema steps it has by name; :data:`MIGRATIONS` (the bouts', sessions' and
audit trail's migration sets), with the other components' sets, upgrades older
files when they are opened (:mod:`backkit.store`).

Every value is validated before anything is written; a bad value raises
:class:`~backkit.errors.LogValidationError` naming the field, the value and
the row, and the store is left untouched. CSV and Excel files are read and
written by :mod:`backkit.logfiles`, the whole log as JSON by :mod:`backkit.logjson`.

Pain is stored at the level it was rated: a bout's ``pain_before`` and
``pain_after`` are ratings given for that exercise; a rating of the whole
session belongs to the session (table ``sessions``), given with
``record_many(rows, session=...)`` or :meth:`SessionLog.rate_session`, and
shown on each of its bouts as ``session_pain_before``/``session_pain_after``.
A rating not given is stored as missing, never as 0.

Nothing is rewritten silently: :meth:`SessionLog.correct`,
:meth:`SessionLog.correct_session` and :meth:`SessionLog.remove` validate
like :meth:`SessionLog.record`, need a reason, and keep every earlier value
in the audit trail (:meth:`SessionLog.history`, :mod:`backkit.audit`);
removed bouts stay in the file, hidden from :meth:`SessionLog.frame`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
import uuid
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from . import audit as _audit
from . import config, logfiles, logjson
from . import exercises as _exercises
from ._checks import CLOCK_SKEW, EARLIEST, LIMITS, MAX_BOUT, Checker, Limit
from .config import default_log_path, kit_timezone
from .errors import (
    LogError,
    LogValidationError,
    Message,
    Problem,
    UnknownExerciseError,
    did_you_mean,
)
from .i18n import N_
from .store import (
    SCHEMA_VERSION,
    Migration,
    Migrations,
    Store,
    from_utc_text,
    kit_migrations,
    utc_text,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BOUT_COLUMNS",
    "BOUT_SIDES",
    "CLOCK_SKEW",
    "COLUMNS",
    "EARLIEST",
    "MAX_BOUT",
    "MAX_HOLD_SECONDS",
    "MAX_REPS",
    "MAX_SETS",
    "MAX_TEXT",
    "MEANINGS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SESSION_COLUMNS",
    "SOURCES",
    "STATUSES",
    "Migration",
    "SessionLog",
    "conform",
    "empty_frame",
    "new_session_id",
    "peek",
]

T = TypeVar("T")

# --------------------------------------------------------------------------
# The contract

#: Columns of :meth:`SessionLog.frame`, in order, mapped to their pandas dtype.
#: ``datetime64[ns, tz]`` is tz-aware in the kit's time zone (:func:`kit_timezone`);
#: the categories of ``exercise_id`` are the catalogue ids in catalogue order.
COLUMNS: dict[str, str] = {
    "session_id": "string",
    "started_at": "datetime64[ns, tz]",
    "ended_at": "datetime64[ns, tz]",
    "exercise_id": "category",
    "side": "category",
    "sets_planned": "Int64",
    "sets_done": "Int64",
    "reps_planned": "Int64",
    "reps_done": "Int64",
    "hold_s_planned": "Float64",
    "hold_s_done": "Float64",
    "status": "category",
    "pain_before": "Int64",
    "pain_after": "Int64",
    "effort": "Int64",
    "notes": "string",
    "plan_id": "string",
    "source": "category",
    "session_pain_before": "Int64",
    "session_pain_after": "Int64",
}
#: What each column means, for people (the ``about`` sheet of an Excel export).
MEANINGS: dict[str, str] = {
    "session_id": "one sitting; the bouts of a session share it",
    "started_at": "when the bout started",
    "ended_at": "when the bout ended (blank when not known)",
    "exercise_id": "the exercise, by catalogue id",
    "side": "left, right, or both (exercises that work both sides at once)",
    "sets_planned": "sets planned",
    "sets_done": "sets done",
    "reps_planned": "repetitions planned per set",
    "reps_done": "repetitions done per set",
    "hold_s_planned": "seconds per repetition planned (the hold, or a paced rep's length)",
    "hold_s_done": "seconds per repetition done (mean actually held)",
    "status": "completed or partial",
    "pain_before": "pain before this exercise, 0-10 (0 no pain, 10 worst imaginable); "
    "blank when it was not rated for this exercise",
    "pain_after": "pain after this exercise, 0-10",
    "effort": "how hard it felt, 0-10",
    "notes": "free text",
    "plan_id": "the plan the bout was part of",
    "source": "timer, manual or import",
    "session_pain_before": "pain before the whole session, 0-10 (rated once for the session)",
    "session_pain_after": "pain after the whole session, 0-10",
}
#: The columns that belong to the session, not the bout: the session's one
#: pain rating, stored once in the ``sessions`` table and shown on each of its bouts.
SESSION_COLUMNS = ("session_pain_before", "session_pain_after")
#: The columns stored on each bout (:data:`COLUMNS` without :data:`SESSION_COLUMNS`).
BOUT_COLUMNS = tuple(name for name in COLUMNS if name not in SESSION_COLUMNS)
#: The side a bout was done on: one side of a per-side exercise, or both.
BOUT_SIDES = (*_exercises.BODY_SIDES, "both")
STATUSES = ("completed", "partial")
SOURCES = ("timer", "manual", "import")

# Limits that catch typos and unit mistakes without judging the dose
# (from the kit's one table, backkit._checks.LIMITS).
MAX_SETS = int(LIMITS["sets"].hi)
MAX_REPS = int(LIMITS["reps"].hi)  # per set
MAX_HOLD_SECONDS = LIMITS["hold_seconds"].hi  # per repetition
MAX_TEXT = int(LIMITS["text"].hi)  # characters of notes
_MAX_ID = int(LIMITS["name"].hi)
# what was done may be 0; what was planned starts at the table's minimum
_DONE = {
    "sets": Limit(0, LIMITS["sets"].hi),
    "reps": Limit(0, LIMITS["reps"].hi),
    "hold_s": LIMITS["hold_seconds"],
}
_PLANNED = {"sets": LIMITS["sets"], "reps": LIMITS["reps"], "hold_s": LIMITS["hold_seconds"]}

_CATEGORIES = {"side": BOUT_SIDES, "status": STATUSES, "source": SOURCES}
_CATEGORICAL = tuple(name for name, kind in COLUMNS.items() if kind == "category")


# --------------------------------------------------------------------------
# Schema versions

#: The bouts table's migration set (its steps were versions 1 and 2 of the file).
BOUT_MIGRATIONS = Migrations("bouts")
BOUT_MIGRATIONS.add(
    "bouts_table",
    "the meta table and the bouts table",
    # the store makes the meta table of a new file; this keeps version 1 as it was
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE bouts (
        row_id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        exercise_id TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('left', 'right', 'both')),
        sets_planned INTEGER,
        sets_done INTEGER,
        reps_planned INTEGER,
        reps_done INTEGER,
        hold_s_planned REAL,
        hold_s_done REAL,
        status TEXT NOT NULL CHECK (status IN ('completed', 'partial')),
        pain_before INTEGER CHECK (pain_before BETWEEN 0 AND 10),
        pain_after INTEGER CHECK (pain_after BETWEEN 0 AND 10),
        effort INTEGER CHECK (effort BETWEEN 0 AND 10),
        notes TEXT,
        plan_id TEXT,
        source TEXT NOT NULL CHECK (source IN ('timer', 'manual', 'import'))
    )""",
    was=1,
)
BOUT_MIGRATIONS.add(
    "recorded_at",
    "recorded_at (when a bout was written, to tell back-filled entries from live ones) "
    "and indexes on started_at and session_id",
    "ALTER TABLE bouts ADD COLUMN recorded_at TEXT",
    "CREATE INDEX bouts_started_at ON bouts (started_at)",
    "CREATE INDEX bouts_session_id ON bouts (session_id)",
    was=2,
)

#: The reason kept in the audit trail when a session's rating not given yet is given later
#: (:meth:`SessionLog.rate_session`, or more bouts of the session that carry it).
RATED_LATER = "rated after the session was saved"
#: Why the upgrade to schema 4 cleared a bout's pain ratings (kept in the audit trail).
MOVED_BY_UPGRADE = "moved to the session rating by the upgrade to schema 4"
_NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z'"  # utc_text's format, in SQL
# A whole-session rating that the timer of schema 3 copied onto every bout:
# every bout from the timer, two or more exercises, one (before, after) pair.
_COPIED = """CREATE TEMP TABLE copied_ratings AS
    SELECT session_id, MIN(pain_before) AS pain_before, MIN(pain_after) AS pain_after,
           MIN(recorded_at) AS recorded_at
    FROM bouts GROUP BY session_id
    HAVING SUM(source <> 'timer') = 0
       AND COUNT(DISTINCT exercise_id) >= 2
       AND COUNT(DISTINCT COALESCE(pain_before, -1) || '/' || COALESCE(pain_after, -1)) = 1
       AND (MIN(pain_before) IS NOT NULL OR MIN(pain_after) IS NOT NULL)"""


def _moved(field: str) -> tuple[str, str]:
    """SQL noting one field's move in the audit trail: the bouts' copies, then the session's."""
    bouts = f"""INSERT INTO changes (changed_at, target, target_id, field, old, new, reason)
        SELECT {_NOW_SQL}, 'bout', CAST(b.row_id AS TEXT), '{field}',
               CAST(b.{field} AS TEXT), 'null', '{MOVED_BY_UPGRADE}'
        FROM bouts b JOIN copied_ratings c ON c.session_id = b.session_id
        WHERE b.{field} IS NOT NULL ORDER BY b.row_id"""
    session = f"""INSERT INTO changes (changed_at, target, target_id, field, old, new, reason)
        SELECT {_NOW_SQL}, 'session', session_id, '{field}', 'null',
               CAST({field} AS TEXT), '{MOVED_BY_UPGRADE}'
        FROM copied_ratings WHERE {field} IS NOT NULL ORDER BY session_id"""
    return bouts, session


#: The sessions table's set: one step (once version 4), the session's own pain rating, the
#: audit trail of corrections (:mod:`backkit.audit`), bouts marked removed
#: instead of deleted, and the move of whole-session ratings that schema 3's
#: timer copied onto every bout into the session rating (each moved value in
#: the audit trail, reason :data:`MOVED_BY_UPGRADE`). Single-exercise and
#: manual sessions keep their per-exercise ratings.
SESSION_MIGRATIONS = Migrations("sessions")
SESSION_MIGRATIONS.add(
    "sessions_and_changes_tables",
    "the sessions table (one pain rating per session), the changes table (the audit "
    "trail), bouts.removed_at, and whole-session ratings moved off the bouts",
    """CREATE TABLE sessions (
        session_id TEXT PRIMARY KEY,
        pain_before INTEGER CHECK (pain_before BETWEEN 0 AND 10),
        pain_after INTEGER CHECK (pain_after BETWEEN 0 AND 10),
        recorded_at TEXT NOT NULL
    )""",
    *_audit.TABLE,
    "ALTER TABLE bouts ADD COLUMN removed_at TEXT",
    _COPIED,
    f"""INSERT INTO sessions (session_id, pain_before, pain_after, recorded_at)
        SELECT session_id, pain_before, pain_after, COALESCE(recorded_at, {_NOW_SQL})
        FROM copied_ratings ORDER BY session_id""",
    *_moved("pain_before"),
    *_moved("pain_after"),
    "UPDATE bouts SET pain_before = NULL, pain_after = NULL "
    "WHERE session_id IN (SELECT session_id FROM copied_ratings)",
    "DROP TABLE temp.copied_ratings",
    was=4,
)

#: The audit trail's set (the table itself is made by the sessions' step): each
#: change chained to the one before it by its hash, the changes already there
#: chained at the upgrade (:data:`backkit.audit.CHAIN`; once version 8).
AUDIT_MIGRATIONS = Migrations("changes")
AUDIT_MIGRATIONS.add(
    "hash_chain",
    "the audit trail made tamper-evident: each change keeps a hash chained to the one before",
    *_audit.CHAIN,
    was=8,
)

#: This module's migration sets, in the order they apply (the sessions' step
#: alters the bouts table; the audit trail's chains the changes table the
#: sessions' step makes). The check-ins' and the personal check's sets are
#: their own modules' (:data:`backkit.outcomes.MIGRATIONS`,
#: :data:`backkit.conditions.MIGRATIONS`): a log is opened with every set of
#: the kit (:func:`backkit.store.kit_migrations`).
MIGRATIONS = (BOUT_MIGRATIONS, SESSION_MIGRATIONS, AUDIT_MIGRATIONS)


# --------------------------------------------------------------------------
# Validation


def _check_exercise(row: Checker, ids: Sequence[str]) -> Any:
    """The catalogue entry named by ``exercise_id``, or None (the problem noted)."""
    exercise_id = row.get("exercise_id")
    if exercise_id is None:
        row.bad("exercise_id", row.raw.get("exercise_id"), N_("is required"))
    elif not isinstance(exercise_id, str) or exercise_id.strip() not in ids:
        unknown = cast(Message, UnknownExerciseError(exercise_id, ids).problem)
        # the error's words, as a sentence of their own
        message = Message(
            N_("Unknown exercise id {value}.{hint} Valid ids: {ids}"), **unknown.params
        )
        row.bad("exercise_id", exercise_id, message)
    else:
        return _exercises.get_exercise(exercise_id.strip())
    return None


def _check_side(row: Checker, exercise: Any) -> str | None:
    side = row.choice("side", BOUT_SIDES)
    if exercise is None:
        return side
    if side is None and not row.given("side"):
        if not exercise.per_side:
            return "both"
        row.bad(
            "side",
            row.raw.get("side"),
            Message(
                N_("is required: {exercise} is done one side at a time (left or right)"),
                exercise=exercise.id,
            ),
        )
    elif side == "both" and exercise.per_side:
        message = Message(
            N_("must be left or right: {exercise} is done one side at a time"), exercise=exercise.id
        )
        row.bad("side", side, message)
    elif side in _exercises.BODY_SIDES and not exercise.per_side:
        message = Message(
            N_("must be both: {exercise} works both sides at once"), exercise=exercise.id
        )
        row.bad("side", side, message)
    return side


def _check_times(row: Checker) -> tuple[dt.datetime | None, dt.datetime | None]:
    started = row.moment("started_at")
    if started is None and not row.given("started_at"):
        started = row.now
    ended = row.moment("ended_at")
    if started is not None and ended is not None:
        if ended < started:
            row.bad(
                "ended_at",
                row.raw.get("ended_at"),
                Message(
                    N_("is before started_at ({started})"),
                    started=started.astimezone(row.tz).isoformat(),
                ),
            )
        elif ended - started > MAX_BOUT:
            row.bad(
                "ended_at",
                row.raw.get("ended_at"),
                Message(
                    N_("is {duration} after started_at; a bout lasts at most {longest}"),
                    duration=str(ended - started),
                    longest=str(MAX_BOUT),
                ),
            )
    return started, ended


def _check_doses(row: Checker, exercise: Any) -> dict[str, Any]:
    """Sets, reps and hold planned and done, and the status they imply."""
    out: dict[str, Any] = {
        f"{k}_planned": row.number(f"{k}_planned", limit) for k, limit in _PLANNED.items()
    }
    out.update({f"{k}_done": row.number(f"{k}_done", limit) for k, limit in _DONE.items()})
    status = row.choice("status", STATUSES)
    if exercise is not None:
        # Planned doses default to the catalogue's; what was done defaults to
        # what was planned unless the bout is marked partial.
        catalogue = (exercise.sets, exercise.reps, float(exercise.seconds_per_rep))
        for name, default in zip(("sets", "reps", "hold_s"), catalogue, strict=True):
            if not row.given(f"{name}_planned"):
                out[f"{name}_planned"] = default
    if status != "partial":
        for name in ("sets", "reps", "hold_s"):
            if not row.given(f"{name}_done"):
                out[f"{name}_done"] = out[f"{name}_planned"]
    counts = [out[k] for k in ("sets_planned", "reps_planned", "sets_done", "reps_done")]
    short = None not in counts and (counts[2] < counts[0] or counts[3] < counts[1])
    if status is None and not row.given("status") and None not in counts:
        status = "partial" if short else "completed"
    elif status == "completed" and short:
        row.bad(
            "status",
            "completed",
            Message(
                N_(
                    "but {sets_done} of {sets_planned} sets and {reps_done} of {reps_planned} "
                    "reps were done; leave status out or mark the bout partial"
                ),
                sets_planned=counts[0],
                reps_planned=counts[1],
                sets_done=counts[2],
                reps_done=counts[3],
            ),
        )
    out["status"] = status
    return out


def _validate(row: Checker, ids: Sequence[str], source: str) -> dict[str, Any]:
    """Validate one bout; return the values to store (problems go to ``row.problems``)."""
    row.unknown_keys(list(COLUMNS), N_("a column of the log"))
    out: dict[str, Any] = {"session_id": row.text("session_id", _MAX_ID)}
    exercise = _check_exercise(row, ids)
    out["exercise_id"] = exercise.id if exercise is not None else None
    out["side"] = _check_side(row, exercise)
    out["started_at"], out["ended_at"] = _check_times(row)
    out.update(_check_doses(row, exercise))
    for name in ("pain_before", "pain_after", "effort"):
        out[name] = row.number(name, LIMITS["effort" if name == "effort" else "pain"])
    out["notes"] = row.text("notes", MAX_TEXT)
    out["plan_id"] = row.text("plan_id", _MAX_ID)
    chosen = row.choice("source", SOURCES)
    out["source"] = source if chosen is None and not row.given("source") else chosen
    for name in SESSION_COLUMNS:
        out[name] = row.number(name, LIMITS["pain"])
    return out


def _checked(
    rows: Sequence[tuple[str, Mapping[str, Any]]],
    source: str,
    now: dt.datetime | None = None,
    tz: Any = None,
) -> tuple[list[dict[str, Any]], list[str], list[Problem]]:
    """Validate labelled rows; return the clean ones, their labels, and every problem."""
    now = config.now() if now is None else now
    tz = kit_timezone() if tz is None else tz
    ids = _exercises.exercise_ids()
    clean, where, problems = [], [], []
    for label, raw in rows:
        if not isinstance(raw, Mapping):
            message = N_("must be a mapping of column to value")
            problems.append(Problem(label, "row", raw, message))
            continue
        row = Checker(raw, label, tz=tz, now=now)
        values = _validate(row, ids, source)
        problems += row.problems
        if not row.problems:
            clean.append(values)
            where.append(label)
    return clean, where, problems


def new_session_id(started: dt.datetime | None = None, tz: dt.tzinfo | None = None) -> str:
    """Return a new session id: the local start minute plus 6 random hex digits.

    The one maker of session ids, for the log, the timer and the app.

    Examples
    --------
    >>> import datetime as dt
    >>> new_session_id(dt.datetime(2024, 5, 6, 8, 30, tzinfo=dt.timezone.utc), dt.timezone.utc)[:14]
    '20240506-0830-'
    """
    started = started or config.now()
    tz = tz or kit_timezone()
    return f"{started.astimezone(tz):%Y%m%d-%H%M}-{uuid.uuid4().hex[:6]}"


# --------------------------------------------------------------------------
# Frames


def _dtypes(tz: Any, exercise_ids: Sequence[str]) -> dict[str, Any]:
    import pandas as pd

    out: dict[str, Any] = {}
    for name, kind in COLUMNS.items():
        if kind.startswith("datetime64"):
            out[name] = pd.DatetimeTZDtype("ns", tz)
        elif kind == "category":
            options = exercise_ids if name == "exercise_id" else _CATEGORIES[name]
            out[name] = pd.CategoricalDtype(list(options))
        else:
            out[name] = kind
    return out


def empty_frame(tz: Any = None) -> pd.DataFrame:
    """Return a log frame with no rows and the dtypes of :data:`COLUMNS`.

    Examples
    --------
    >>> from backkit.log import empty_frame
    >>> empty_frame(tz="UTC")["pain_after"].dtype
    Int64Dtype()
    """
    return conform({name: [] for name in COLUMNS}, tz=tz)


def conform(data: Any, *, tz: Any = None) -> pd.DataFrame:
    """Return ``data`` (a DataFrame or mapping of columns) with the log's columns and dtypes.

    Converts, does not validate: use :meth:`SessionLog.record` or
    :meth:`SessionLog.import_csv` for checked data. Naive timestamps are read
    as local times in ``tz``; aware ones are converted to ``tz``.

    Parameters
    ----------
    data : DataFrame or mapping of column name to values
        Must hold every column of :data:`BOUT_COLUMNS`; the session rating
        columns (:data:`SESSION_COLUMNS`) are filled with missing values when
        absent (files from before schema 4); other columns are dropped.
    tz : str or tzinfo, optional
        Time zone of the result (default: :func:`kit_timezone`).

    Examples
    --------
    >>> from backkit.log import conform, COLUMNS
    >>> row = dict.fromkeys(COLUMNS)
    >>> row.update(session_id="s1", started_at="2024-05-01T08:00", exercise_id="bridge",
    ...            side="both", status="completed", source="manual")
    >>> df = conform({k: [v] for k, v in row.items()}, tz="UTC")
    >>> str(df.loc[0, "started_at"])
    '2024-05-01 08:00:00+00:00'
    """
    import pandas as pd

    tz = kit_timezone() if tz is None else tz
    # the session's rating columns came with schema 4: older files lack them
    missing = [name for name in BOUT_COLUMNS if name not in data]
    if missing:
        raise LogError(
            Message(N_("columns missing: {columns}"), columns=", ".join(missing)), where="conform"
        )
    ids = list(_exercises.exercise_ids())
    extra = sorted({str(v) for v in pd.Series(data["exercise_id"]).dropna().unique()} - set(ids))
    dtypes = _dtypes(tz, ids + extra)
    columns = {}
    rows = len(data["session_id"])
    for name in COLUMNS:
        values = data[name] if name in data else [None] * rows
        if COLUMNS[name].startswith("datetime64"):
            stamps = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")
            if getattr(stamps.dt, "tz", None) is None:
                stamps = stamps.dt.tz_localize(tz)
            columns[name] = stamps.dt.tz_convert(tz).dt.as_unit("ns").array
        else:
            columns[name] = pd.array(
                pd.Series(values, dtype=object).where(lambda s: s.notna(), None),
                dtype=dtypes[name],
            )
    return pd.DataFrame(columns)


# --------------------------------------------------------------------------
# The log

_STORED = (*BOUT_COLUMNS, "recorded_at")
_INSERT = f"INSERT INTO bouts ({', '.join(_STORED)}) VALUES ({', '.join('?' * len(_STORED))})"
_SELECT = (
    f"SELECT b.row_id, {', '.join('b.' + c for c in BOUT_COLUMNS)}, s.pain_before, s.pain_after "
    "FROM bouts b LEFT JOIN sessions s ON s.session_id = b.session_id "
    "WHERE b.removed_at IS NULL"
)
_DUPLICATE = (
    "SELECT row_id FROM bouts WHERE session_id = ? AND exercise_id = ? AND side = ? "
    "AND started_at = ? AND removed_at IS NULL"
)
_TIMES = ("started_at", "ended_at")
_RATING = ("pain_before", "pain_after")  # a session rating's fields
_DOSES = tuple(f"{k}_{w}" for k in ("sets", "reps", "hold_s") for w in ("planned", "done"))


class SessionLog:
    """A durable log of exercise sessions, stored in an SQLite file.

    Parameters
    ----------
    path : path-like, optional
        The log file. Default: :func:`backkit.config.default_log_path` (``$BACKKIT_LOG``,
        else ``$BACKKIT_HOME/backkit-log.sqlite``, else the repository's
        ``data/`` folder or ``~/.local/share/backkit``). It is created when
        missing. ``":memory:"`` gives a throw-away log.
    create : bool
        Create the file when it does not exist (default). With ``create=False``
        a missing file raises :class:`LogFileError` (for reading an existing log).
    synchronous : {"FULL", "NORMAL"}
        ``FULL`` (default): every record is flushed to disk before
        :meth:`record` returns. ``NORMAL`` is faster and still survives a
        crash of Python, but a power cut may lose the last records.

    Raises
    ------
    LogFileError
        When the file is not a backkit log, is truncated or corrupted, or was
        written by a newer backkit. The file is never changed.

    Attributes
    ----------
    path : Path
        The log file (``Path(":memory:")`` for a throw-away log).
    store : backkit.store.Store
        The open file; other tables (the check-ins of :mod:`backkit.outcomes`)
        read and write through its :meth:`~backkit.store.Store.query` and
        :meth:`~backkit.store.Store.transaction`.
    migrated_from : int
        The schema version the file had when opened, before any upgrade (a
        new file is made at the current version; ``":memory:"`` starts at 0).

    Examples
    --------
    >>> import backkit
    >>> log = backkit.SessionLog(":memory:")
    >>> row = log.record(exercise_id="bridge", pain_before=3, pain_after=2)
    >>> row["status"], row["sets_done"], row["side"]
    ('completed', 3, 'both')
    >>> len(log)
    1
    >>> log.frame()[["exercise_id", "status", "pain_after"]]
      exercise_id     status  pain_after
    0      bridge  completed           2
    """

    def __init__(
        self, path: str | Path | None = None, *, create: bool = True, synchronous: str = "FULL"
    ):
        where = ":memory:" if str(path) == ":memory:" else Path(path or default_log_path())
        # the sets are looked up now, not at import, so a test can add a step
        self.store = Store(where, kit_migrations(), create=create, synchronous=synchronous)
        self.path = self.store.path
        self.migrated_from = self.store.migrated_from

    # -- plumbing ---------------------------------------------------------

    def close(self) -> None:
        """Close the file (also done on leaving a ``with`` block)."""
        self.store.close()

    def __enter__(self) -> SessionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return self.store.schema_version

    def __len__(self) -> int:
        return self.store.query("SELECT COUNT(*) FROM bouts WHERE removed_at IS NULL")[0][0]

    def __repr__(self) -> str:
        if self.store.closed:
            return f"SessionLog({str(self.path)!r}, closed)"
        ((n, sessions, first, last),) = self.store.query(
            "SELECT COUNT(*), COUNT(DISTINCT session_id), MIN(started_at), MAX(started_at) "
            "FROM bouts WHERE removed_at IS NULL"
        )
        span = ""
        if n:
            tz = kit_timezone()
            first_day = from_utc_text(first).astimezone(tz).date()
            last_day = from_utc_text(last).astimezone(tz).date()
            span = f", {first_day} to {last_day}"
        return f"SessionLog({str(self.path)!r}: {n} bouts in {sessions} sessions{span})"

    def _write(
        self,
        rows: list[dict],
        where: list[str],
        skip_duplicates: bool = False,
        ratings: Mapping[str, tuple[str, dict[str, Any]]] | None = None,
        now: dt.datetime | None = None,
    ) -> list[tuple[int, int, tuple[Any, Any]]]:
        """Insert validated rows and their sessions' ratings in one transaction.

        Duplicates are problems (or skipped). Returns, for each new row, its
        ``row_id``, its place in ``rows`` and its session's rating (before,
        after): the row as stored is ``rows[place]``, validated just now, so
        it is not read back.
        """
        recorded = utc_text(config.now() if now is None else now)
        values = [_stored_values(r, recorded) for r in rows]
        with self.store.transaction() as db:
            keys = [(value[0], value[3], value[4], value[1]) for value in values]
            stored, rated = _lookup(db, keys)
            seen: dict[tuple, str] = {}
            problems = []
            keep, places = [], []
            for i, (value, label, key) in enumerate(zip(values, where, keys, strict=True)):
                known = key in seen or i in stored
                if known and not skip_duplicates:
                    problems.append(_duplicate(label, key, seen.get(key)))
                elif not known:
                    keep.append(value)
                    places.append(i)
                seen.setdefault(key, label)
            problems += _merge_ratings(db, ratings or {}, recorded)
            if problems:
                header = logfiles.rejected(len(values), problems) if where != ["record"] else ""
                raise LogValidationError(problems, header=header)
            for session_id, (_, rating) in (ratings or {}).items():
                # merged without a conflict: a value given is the value stored now
                old = rated.get(session_id, (None, None))
                rated[session_id] = tuple(
                    old[i] if rating.get(field) is None else rating[field]
                    for i, field in enumerate(_RATING)
                )
            row_ids = _insert(db, keep)
        return [
            (row_id, i, rated.get(value[0], (None, None)))
            for row_id, i, value in zip(row_ids, places, keep, strict=True)
        ]

    # -- writing ----------------------------------------------------------

    def record(self, **fields: Any) -> dict[str, Any]:
        """Validate one bout and append it in its own transaction.

        Parameters
        ----------
        **fields
            Columns of :data:`COLUMNS`. Only ``exercise_id`` is required, and
            ``side`` for exercises done one side at a time. Defaults:
            ``session_id`` a new id; ``started_at`` now; ``ended_at`` unknown;
            the planned sets, reps and hold from the catalogue; the done counts
            equal to the planned ones unless ``status="partial"``; ``status``
            completed when the sets and reps done reach the planned ones, else
            partial; ``source`` ``"manual"``. Naive timestamps are in the kit's
            time zone (:func:`kit_timezone`). ``pain_before`` and
            ``pain_after`` are ratings given for this exercise; a rating of the
            whole session goes in ``session_pain_before`` and
            ``session_pain_after`` (stored once, on the session). Leave a
            rating out (or None) when it was not given: it is stored as
            missing, never as 0.

        Returns
        -------
        dict
            The stored row: ``row_id`` (for :meth:`correct` and :meth:`remove`)
            and the :data:`COLUMNS` (timestamps aware, in the kit's time zone).

        Raises
        ------
        LogValidationError
            Naming the field, value and problem; nothing is written. Limits:
            pain and effort whole numbers 0-10; sets 0-20 (planned at least 1),
            reps 0-100 per set (planned at least 1), hold 0-600 s; a bout ends
            after it starts and lasts at most 4 h; no time more than 5 minutes
            in the future or before 2000; notes up to 2000 characters; the same
            bout (session, exercise, side, start) cannot be stored twice; a
            session's rating, once given, changes only through
            :meth:`correct_session`.

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> row = log.record(exercise_id="knee-to-chest", side="left", reps_done=1,
        ...                  started_at="2024-05-01T08:00:00+00:00")
        >>> row["status"], row["reps_planned"], row["row_id"]
        ('partial', 2, 1)
        """
        return self._add([("record", fields)])[0]

    def record_many(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        session: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Validate several bouts and append them all in one transaction, or none.

        Rows without a ``session_id`` share one new id (they were logged
        together, so they are one session). Every bad row is reported in one
        :class:`LogValidationError`, each labelled ``rows[i]``.

        Parameters
        ----------
        rows : iterable of mappings
            The bouts, as for :meth:`record`.
        session : mapping, optional
            ``{"pain_before": int | None, "pain_after": int | None}``: the
            rating of the whole session the rows belong to (0-10; None or left
            out = not rated, stored as missing). The rows must share one
            session. Stored in the same transaction as the rows; it appears in
            the ``session_pain_before``/``session_pain_after`` columns of
            every bout of the session, never in the bouts' own ``pain_before``
            and ``pain_after``.

        Returns
        -------
        list of dict
            The stored rows, each with its ``row_id``: an "Undo" right after
            saving is ``log.remove([r["row_id"] for r in rows],
            reason="undone right after saving")``.

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> rows = log.record_many([
        ...     {"exercise_id": "supine-hamstring-stretch", "side": "left"},
        ...     {"exercise_id": "supine-hamstring-stretch", "side": "right"},
        ... ], session={"pain_before": 4, "pain_after": 3})
        >>> rows[0]["session_id"] == rows[1]["session_id"], len(log)
        (True, 2)
        >>> rows[1]["pain_before"], rows[1]["session_pain_before"], rows[1]["session_pain_after"]
        (None, 4, 3)
        """
        if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
            # one clear error for record_many(None), a single dict, a string...
            message = N_("must be a list of bouts (mappings)")
            problem = Problem("record_many", "rows", rows, message)
            raise LogValidationError([problem])
        labelled = [(f"rows[{i}]", row) for i, row in enumerate(rows)]
        not_mapping = N_("must be a mapping of fields")
        bad = [Problem(label, "row", row, not_mapping) for label, row in labelled
               if not isinstance(row, Mapping)]  # fmt: skip
        if bad:
            raise LogValidationError(bad, header=logfiles.rejected(len(labelled), bad))
        return self._add(labelled, session=session)

    def _add(
        self, rows: list[tuple[str, Mapping[str, Any]]], session: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Validate labelled rows and write them in one transaction; return them as stored."""
        now, tz = config.now(), kit_timezone()  # one clock reading for the checks and the write
        clean, where, problems = _checked(rows, "manual", now, tz)
        rating, more = _check_rating(session, "session", N_("a session rating field"))
        problems += more
        if not rows:
            return []
        single = [label for label, _ in rows] == ["record"]
        header = "" if single else logfiles.rejected(len(rows), problems)
        if problems:
            raise LogValidationError(problems, header=header)
        shared = None
        for values in clean:
            if values["session_id"] is None:
                # rows logged together are one session
                shared = shared or new_session_id(values["started_at"], tz)
                values["session_id"] = shared
        ratings, problems = _ratings(clean, where)
        if session is not None:
            problems += _add_session_rating(ratings, clean, rating)
        if problems:
            raise LogValidationError(problems, header=header)
        written = self._write(clean, where, ratings=ratings, now=now)
        return [_written_dict(row_id, clean[i], rating, tz) for row_id, i, rating in written]

    def _rows(self, row_ids: Sequence[int], tz: Any) -> list[dict[str, Any]]:
        """The current rows with these ids, as dicts, in the order given."""
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(row_ids), 500):
            chunk = list(row_ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            for row in self.store.query(f"{_SELECT} AND b.row_id IN ({marks})", chunk):
                found[row[0]] = _row_dict(row, tz)
        return [found[i] for i in row_ids if i in found]

    # -- session ratings ----------------------------------------------------

    def rate_session(
        self, session_id: str, *, pain_before: int | None = None, pain_after: int | None = None
    ) -> dict[str, Any]:
        """Give a session its whole-session pain rating after its bouts were saved.

        Sets the values not rated yet; a value already given changes only
        through :meth:`correct_session` (with a reason, kept in the audit trail).

        Returns
        -------
        dict
            ``{"session_id", "pain_before", "pain_after"}`` as stored.

        Raises
        ------
        LogValidationError
            When the session has no bouts, a rating is not a whole number
            0-10, or it would change a rating already given; nothing is written.

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> rows = log.record_many([{"exercise_id": "bridge"}, {"exercise_id": "squat"}])
        >>> log.rate_session(rows[0]["session_id"], pain_before=5, pain_after=4)["pain_after"]
        4
        """
        label = Message(N_("session {session_id}"), session_id=session_id)
        given = {"pain_before": pain_before, "pain_after": pain_after}
        rating, problems = _check_rating(given, label, N_("a session rating field"))
        recorded = utc_text(config.now())
        with self.store.transaction() as db:
            problems += _known_session(db, session_id, label)
            if not problems:
                problems += _merge_ratings(db, {session_id: (label, rating)}, recorded)
            if problems:
                raise LogValidationError(problems, header=_NOT_SAVED)
        return self._rating(session_id)

    def correct_session(self, session_id: str, *, reason: str, **changes: Any) -> dict[str, Any]:
        """Change a session's whole-session rating; the earlier value goes to the audit trail.

        Parameters
        ----------
        session_id : str
            The session.
        reason : str
            Why (required; kept with the earlier values).
        **changes
            ``pain_before`` and/or ``pain_after``: 0-10, or None to clear a
            rating given by mistake.

        Returns
        -------
        dict
            ``{"session_id", "pain_before", "pain_after"}`` as now stored.

        Raises
        ------
        LogValidationError
            When the reason is missing, the session has no bouts, a field is
            unknown or a value out of range; nothing is written (the file is
            left byte for byte as it was).

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> rows = log.record_many([{"exercise_id": "bridge"}, {"exercise_id": "squat"}],
        ...                        session={"pain_before": 5, "pain_after": 4})
        >>> sid = rows[0]["session_id"]
        >>> log.correct_session(sid, pain_after=3, reason="slider slipped")["pain_after"]
        3
        >>> log.session_history(sid)[["field", "old", "new"]].values.tolist()
        [['pain_after', 4, 3]]
        """
        label = Message(N_("session {session_id}"), session_id=session_id)
        text, problems = _audit.check_reason(reason, label)
        rating, more = _check_rating(changes, label, N_("a session rating field"))
        problems += more
        if not changes:
            message = N_("give pain_before and/or pain_after")
            problems.append(Problem(label, "changes", None, message))
        with self.store.transaction() as db:
            problems += _known_session(db, session_id, label)
            if problems:
                raise LogValidationError(problems, header=_NOT_SAVED)
            stored = db.execute(
                "SELECT pain_before, pain_after FROM sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
            old = dict(zip(_RATING, stored or (None, None), strict=True))
            diffs = [(k, old[k], v) for k, v in rating.items() if old[k] != v]
            if diffs:
                new = {**old, **rating}
                db.execute(
                    "INSERT INTO sessions (session_id, pain_before, pain_after, recorded_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
                    "pain_before = excluded.pain_before, pain_after = excluded.pain_after",
                    (session_id, new["pain_before"], new["pain_after"], utc_text(_now())),
                )
                _audit.note(db, "session", session_id, diffs, text)  # type: ignore[arg-type]
        return self._rating(session_id)

    def _rating(self, session_id: str) -> dict[str, Any]:
        stored = self.store.query(
            "SELECT pain_before, pain_after FROM sessions WHERE session_id = ?", [session_id]
        )
        before, after = stored[0] if stored else (None, None)
        return {"session_id": session_id, "pain_before": before, "pain_after": after}

    def session_ratings(self) -> pd.DataFrame:
        """Every session rating: ``session_id``, ``pain_before``, ``pain_after`` (Int64).

        One row per rated session, in session id order (the bouts of
        :meth:`frame` show the same values in ``session_pain_before`` and
        ``session_pain_after``).

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> _ = log.record(exercise_id="bridge", session_id="s1", session_pain_before=6)
        >>> log.session_ratings()
          session_id  pain_before  pain_after
        0         s1            6        <NA>
        """
        import pandas as pd

        rows = self.store.query(
            "SELECT session_id, pain_before, pain_after FROM sessions ORDER BY session_id"
        )
        cols = list(zip(*rows, strict=True)) if rows else [(), (), ()]
        return pd.DataFrame(
            {
                "session_id": pd.array(cols[0], dtype="string"),
                "pain_before": pd.array(cols[1], dtype="Int64"),
                "pain_after": pd.array(cols[2], dtype="Int64"),
            }
        )

    # -- corrections --------------------------------------------------------

    def correct(self, row_id: int, *, reason: str, **changes: Any) -> dict[str, Any]:
        """Change stored values of one bout; the earlier values go to the audit trail.

        The corrected bout is validated exactly like :meth:`record` (every
        field, with the new values); when the dose changes and ``status`` is
        not given, the status follows the new dose. Every value that changes,
        including one that follows (the status), is kept in the audit trail
        (:meth:`history`).

        Parameters
        ----------
        row_id : int
            The bout (``frame(ids=True)["row_id"]``, or the ``row_id`` that
            :meth:`record` returned).
        reason : str
            Why (required).
        **changes
            Bout columns (:data:`BOUT_COLUMNS`) and their new values; None
            clears an optional value (a rating given by mistake).

        Returns
        -------
        dict
            The bout as now stored.

        Raises
        ------
        LogValidationError
            When the reason is missing, the bout does not exist or was
            removed, or a new value is refused as :meth:`record` would refuse
            it; nothing is written (the file stays byte for byte the same).

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> row = log.record(exercise_id="bridge", pain_after=8)
        >>> log.correct(row["row_id"], pain_after=3, reason="typed 8, meant 3")["pain_after"]
        3
        """
        label = Message(N_("row {row_id}"), row_id=row_id)
        text, problems = _audit.check_reason(reason, label)
        problems += _check_changes(changes, label)
        tz, now = kit_timezone(), _now()
        with self.store.transaction() as db:
            old = _current_bout(db, row_id, label, problems)
            if problems:
                raise LogValidationError(problems, header=_NOT_SAVED)
            base = {k: from_utc_text(v) if k in _TIMES and v else v for k, v in old.items()}
            if "status" not in changes and any(k in changes for k in _DOSES):
                del base["status"]  # the status follows the new dose
            row = Checker({**base, **changes}, label, tz=tz, now=now)
            values = _validate(row, _exercises.exercise_ids(), old["source"])
            if row.problems:
                raise LogValidationError(row.problems, header=_NOT_SAVED)
            new = {c: _stored(c, values[c]) for c in BOUT_COLUMNS}
            diffs = [(c, old[c], new[c]) for c in BOUT_COLUMNS if old[c] != new[c]]
            if diffs:
                key = (new["session_id"], new["exercise_id"], new["side"], new["started_at"])
                if any(r != row_id for (r,) in db.execute(_DUPLICATE, key)):
                    raise LogValidationError([_duplicate(label, key, None)], header=_NOT_SAVED)
                sets = ", ".join(f"{c} = ?" for c, _, _ in diffs)
                db.execute(
                    f"UPDATE bouts SET {sets} WHERE row_id = ?", [*(n for _, _, n in diffs), row_id]
                )
                _audit.note(db, "bout", row_id, diffs, text, now)  # type: ignore[arg-type]
        return self._rows([row_id], tz)[0]

    def remove(self, row_ids: int | Iterable[int], *, reason: str) -> int:
        """Remove bouts from the log: hidden from :meth:`frame`, kept in the file and the trail.

        All or nothing: when any id is unknown or already removed, nothing is
        removed. Returns the number of bouts removed.

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> rows = log.record_many([{"exercise_id": "bridge"}, {"exercise_id": "squat"}])
        >>> log.remove([r["row_id"] for r in rows], reason="undone right after saving")
        2
        >>> len(log), log.history(rows[0]["row_id"])["field"].tolist()
        (0, ['removed'])
        """
        ids = [row_ids] if isinstance(row_ids, (int, str)) else list(row_ids)
        text, problems = _audit.check_reason(reason, "remove")
        now = _now()
        with self.store.transaction() as db:
            for row_id in ids:
                _current_bout(db, row_id, Message(N_("row {row_id}"), row_id=row_id), problems)
            if not ids:
                problems.append(Problem("remove", "row_ids", row_ids, N_("names no bout")))
            if problems:
                raise LogValidationError(problems, header=_NOT_SAVED)
            db.executemany(
                "UPDATE bouts SET removed_at = ? WHERE row_id = ?",
                [(utc_text(now), row_id) for row_id in ids],
            )
            for row_id in ids:
                _audit.note(db, "bout", row_id, [(_audit.REMOVED, False, True)], text, now)  # type: ignore[arg-type]
        return len(ids)

    def history(self, row_id: int, *, tz: Any = None) -> pd.DataFrame:
        """The earlier values of one bout, oldest change first.

        Returns
        -------
        DataFrame
            ``when`` (tz-aware), ``field``, ``old``, ``new``, ``reason``; a
            removal is the field ``removed`` going from False to True; times
            are shown as Timestamps in ``tz`` (default: the kit's zone).
        """
        return _history(self.store, "bout", row_id, tz)

    def session_history(self, session_id: str, *, tz: Any = None) -> pd.DataFrame:
        """The earlier values of one session's rating (as :meth:`history`)."""
        return _history(self.store, "session", session_id, tz)

    def audit_trail(self, *, tz: Any = None) -> pd.DataFrame:
        """Every change to the log, its check-ins and screenings, oldest first.

        Columns: ``target`` (bout, session, checkin, screening), ``target_id``,
        ``when``, ``field``, ``old``, ``new``, ``reason``
        (:data:`backkit.audit.AUDIT_COLUMNS`).
        """
        return _audit.trail(self.store, tz=tz)

    # -- reading ----------------------------------------------------------

    def frame(self, *, tz: Any = None, ids: bool = False) -> pd.DataFrame:
        """Return the whole log as a typed DataFrame, oldest bout first.

        Columns and dtypes are those of :data:`COLUMNS`: timestamps tz-aware
        in ``tz`` (default: :func:`kit_timezone`), ``exercise_id`` categorical
        over the catalogue ids, nullable integers and strings. Values are the
        current ones (after corrections); removed bouts are left out.
        ``pain_before``/``pain_after`` are ratings given for that exercise;
        ``session_pain_before``/``session_pain_after`` the rating of the
        whole session the bout belongs to (NA when there is none).

        Parameters
        ----------
        tz : str or tzinfo, optional
            Time zone of the timestamps.
        ids : bool, default False
            Add a first column ``row_id`` (Int64), the id :meth:`correct`,
            :meth:`remove` and :meth:`history` take.

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> _ = log.record(exercise_id="squat", started_at="2024-05-01T08:00+00:00")
        >>> df = log.frame(tz="UTC")
        >>> str(df["started_at"].dtype), str(df["exercise_id"].dtype), str(df["reps_done"].dtype)
        ('datetime64[ns, UTC]', 'category', 'Int64')
        >>> log.frame(ids=True)[["row_id", "exercise_id", "session_pain_after"]]
           row_id exercise_id  session_pain_after
        0       1       squat                <NA>
        """
        tz = kit_timezone() if tz is None else tz
        sql = f"{_SELECT} ORDER BY b.started_at, b.row_id"
        parts = []
        # A chunk at a time, so the rows as Python objects (several times the
        # frame's size) are never all held at once: a million-row frame peaked
        # at 3.9x its own size read whole, 1.9x in chunks, for the same CPU.
        with contextlib.closing(self.store.iter_columns(sql, size=_FRAME_CHUNK)) as chunks:
            for columns in chunks:
                part = _frame_from_columns(columns[1:], tz)
                if ids:
                    part.insert(0, "row_id", _whole_numbers(columns[0]))
                parts.append(part)
        if not parts:
            out = empty_frame(tz=tz)
            if ids:
                out.insert(0, "row_id", _whole_numbers([]))
            return out
        return _stacked(parts)

    def sessions(self, *, tz: Any = None) -> pd.DataFrame:
        """Return one row per session: its start and end, bouts, exercises, pain and effort.

        ``pain_before`` and ``pain_after`` are the session's own rating when
        it has one (``session_pain_before``/``session_pain_after``), else the
        first bout's ``pain_before`` and the last bout's ``pain_after``;
        ``effort`` is the highest; ``completed`` is True when every bout was.

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> _ = log.record_many([{"exercise_id": "bridge", "pain_before": 4},
        ...                      {"exercise_id": "squat", "pain_after": 2}])
        >>> s = log.sessions()
        >>> int(s.loc[0, "bouts"]), int(s.loc[0, "pain_before"]), int(s.loc[0, "pain_after"])
        (2, 4, 2)
        """
        import pandas as pd

        df = self.frame(tz=tz)
        g = df.sort_values(["started_at"], kind="stable").groupby(
            "session_id", sort=False, observed=True
        )
        # vectorised: a Python lambda per session took 41 s on a million bouts
        completed = df["status"].eq("completed").fillna(False).astype(bool)
        out = pd.DataFrame(
            {
                "started_at": g["started_at"].min(),
                "ended_at": g["ended_at"].max(),
                "bouts": g.size(),
                "exercises": g["exercise_id"].nunique(),
                "completed": completed.groupby(df["session_id"], observed=True).all(),
                "pain_before": g["session_pain_before"].first().fillna(g["pain_before"].first()),
                "pain_after": g["session_pain_after"].first().fillna(g["pain_after"].last()),
                "effort": g["effort"].max(),
                "plan_id": g["plan_id"].first(),
            }
        )
        return out.sort_values("started_at", kind="stable").reset_index()

    # -- files ------------------------------------------------------------

    def export_csv(self, path: str | Path, *, audit: bool = False) -> Path:
        """Write the whole log to a CSV file that :meth:`import_csv` reads back exactly.

        One header row with the :data:`COLUMNS` names; timestamps in ISO 8601
        with the kit's UTC offset and microseconds; empty cells for missing
        values. The file holds the current values (removed bouts left out).
        The file is written to a temporary name and then renamed, so an
        interrupted export never leaves half a file
        (:func:`backkit.logfiles.write_csv`).

        Parameters
        ----------
        path : path-like
            The CSV file.
        audit : bool, default False
            Also write the audit trail (every earlier value, with its reason)
            beside it, as ``<name>-audit.csv`` (:func:`audit_path`): columns
            ``target, target_id, when, field, old, new, reason``, old and new
            as JSON text (``null`` for missing). For one file with everything,
            use :meth:`export_json`.

        Examples
        --------
        >>> import backkit, tempfile, pathlib
        >>> log = backkit.SessionLog(":memory:")
        >>> _ = log.record(exercise_id="bridge", started_at="2024-05-01T08:00+00:00")
        >>> out = log.export_csv(pathlib.Path(tempfile.mkdtemp()) / "log.csv")
        >>> out.read_text().splitlines()[0].split(",")[:4]
        ['session_id', 'started_at', 'ended_at', 'exercise_id']
        """
        written = logfiles.write_csv(self.frame(), path)
        if audit:
            trail = self.audit_trail()
            for name in ("old", "new"):
                trail[name] = [_audit.encode(v) for v in trail[name]]
            logfiles.write_csv(trail, audit_path(written))
        return written

    def export_excel(self, path: str | Path) -> Path:
        """Write the log to an Excel workbook (needs ``xlsxwriter``: ``pip install xlsxwriter``).

        Excel has no time zones, so the ``log`` sheet shows local times in the
        kit's zone, named in the ``about`` sheet with each column's meaning
        (:data:`MEANINGS`). For an exact copy use :meth:`export_csv`. The log
        is read and written a chunk at a time, so a large log takes little
        memory.

        Raises
        ------
        LogError
            When xlsxwriter is not installed; nothing is written.

        Examples
        --------
        >>> import backkit, tempfile, pathlib
        >>> log = backkit.SessionLog(":memory:")
        >>> _ = log.record(exercise_id="bridge")
        >>> log.export_excel(pathlib.Path(tempfile.mkdtemp()) / "log.xlsx").suffix
        '.xlsx'
        """
        tz = kit_timezone()
        # the log a chunk at a time: a million bouts never sit whole in memory
        with contextlib.closing(self._frames(tz)) as frames:
            return logfiles.write_excel(frames, path, meanings=MEANINGS, tz=tz)

    def _frames(self, tz: Any, size: int = 50_000) -> Generator[pd.DataFrame, None, None]:
        """:meth:`frame` in chunks of ``size`` bouts, in order; at least one (maybe empty)."""
        sql = f"{_SELECT} ORDER BY b.started_at, b.row_id"
        empty = True
        for columns in self.store.iter_columns(sql, size=size):
            empty = False
            yield _frame_from_columns(columns[1:], tz)
        if empty:
            yield empty_frame(tz=tz)

    def import_csv(self, path: str | Path, *, skip_duplicates: bool = False) -> int:
        r"""Import a CSV file of bouts, all or nothing; return the number of rows added.

        The header must name columns of :data:`COLUMNS` (in any order;
        ``exercise_id`` is required, the rest default as in :meth:`record`).
        The ``source`` column is kept when present so an exported log comes
        back identical; rows without one get ``"import"``. Rows without a
        ``session_id`` each get their own new id.

        Every row is validated first. When any row is bad nothing is imported
        and one :class:`LogValidationError` lists every bad row, numbered as
        in a spreadsheet (the header is row 1).

        Parameters
        ----------
        path : path-like
            A UTF-8 CSV file (a byte-order mark is fine).
        skip_duplicates : bool
            Skip bouts already in the log (same session, exercise, side and
            start) instead of rejecting the file; useful to merge an export
            back in.

        Examples
        --------
        >>> import backkit, tempfile, pathlib
        >>> csv_file = pathlib.Path(tempfile.mkdtemp()) / "old.csv"
        >>> _ = csv_file.write_text(
        ...     "exercise_id,started_at,pain_after\nbridge,2024-05-01T08:00+00:00,2\n")
        >>> log = backkit.SessionLog(":memory:")
        >>> log.import_csv(csv_file), log.frame()["source"].tolist()
        (1, ['import'])
        """
        table = logfiles.read_csv(path, list(COLUMNS), required=("exercise_id",))
        clean, where, problems = _checked(table.rows, "import")
        tz = kit_timezone()
        for values in clean:
            if values["session_id"] is None:
                values["session_id"] = new_session_id(values["started_at"], tz)
        ratings, more = _ratings(clean, where)
        problems = sorted([*table.problems, *problems, *more], key=lambda p: table.order[p.where])
        if problems:
            raise LogValidationError(problems, header=logfiles.rejected(table.total, problems))
        try:
            added = self._write(clean, where, skip_duplicates=skip_duplicates, ratings=ratings)
            return len(added)
        except LogValidationError as err:
            raise LogValidationError(
                err.problems, header=logfiles.rejected(table.total, err.problems)
            ) from None

    def check(self) -> list[str]:
        """Run SQLite's full ``integrity_check`` on the open file; return ``['ok']`` when sound."""
        return self.store.check()

    def export_json(self, path: str | Path) -> Path:
        """Write the whole log to one JSON file: bouts, ratings, check-ins, screenings, trail.

        Everything the file holds, removed entries and the audit trail
        included, in the documented format of :mod:`backkit.logjson`
        (``"format": "backkit-log", "version": 3``), the audit trail with
        its hash chain (:mod:`backkit.audit`). :meth:`import_json`
        reads it back into an empty log with nothing lost. Written to a
        temporary name, then renamed (:func:`backkit.store.write_atomically`).

        Examples
        --------
        >>> import backkit, json, tempfile, pathlib
        >>> log = backkit.SessionLog(":memory:")
        >>> _ = log.record(exercise_id="bridge", started_at="2024-05-01T08:00+00:00")
        >>> out = log.export_json(pathlib.Path(tempfile.mkdtemp()) / "log.json")
        >>> doc = json.loads(out.read_text())
        >>> doc["format"], doc["version"], len(doc["bouts"])
        ('backkit-log', 3, 1)
        """
        return logjson.write(self.store, path)

    def import_json(self, path: str | Path) -> int:
        """Read a file written by :meth:`export_json` into this log, which must be empty.

        Every bout is validated as :meth:`record` validates it and every
        record is checked against :data:`backkit.logjson.SCHEMA`; any problem
        refuses the whole file (nothing written). Ids are kept, so corrections
        and the audit trail read as they did. Returns the number of bouts read.

        The audit trail of a version 3 file must be intact: its hashes chained
        and its changes, replayed field by field, giving the values the file
        holds. A file from before the chain (version 1 or 2) is read with a
        :class:`~backkit.errors.LogFileWarning` saying its trail was not checked.

        Raises
        ------
        LogValidationError
            Naming every problem in the file (for a broken audit trail, the
            entry where it breaks); nothing was written.
        LogError
            When this log is not empty.
        """
        doc = logjson.read(path)
        tz, now = kit_timezone(), _now()
        ids = _exercises.exercise_ids()
        problems = []
        for n, raw in enumerate(doc["bouts"]):
            fields = {c: raw[c] for c in BOUT_COLUMNS}
            row = Checker(fields, f"bouts[{n}]", tz=tz, now=now)
            _validate(row, ids, raw["source"])
            problems += row.problems
        if problems:
            header = logfiles.rejected(len(doc["bouts"]), problems, what="bouts")
            raise LogValidationError(problems, header=header)
        logjson.load(self.store, doc)
        return len(doc["bouts"])


def _duplicate(label: str, key: tuple, first: str | None) -> Problem:
    session_id, exercise_id, side, started = key
    when = from_utc_text(started).astimezone(kit_timezone()).isoformat()
    if first:
        message = Message(
            N_(
                "this bout ({exercise}, {side}, started {when}) is already in the log "
                "(same as {first})"
            ),
            exercise=exercise_id,
            side=side,
            when=when,
            first=first,
        )
    else:
        message = Message(
            N_("this bout ({exercise}, {side}, started {when}) is already in the log"),
            exercise=exercise_id,
            side=side,
            when=when,
        )
    return Problem(label, "session_id", session_id, message)


_NOT_SAVED = N_("The change was not saved (nothing was written):")


def audit_path(path: str | Path) -> Path:
    """Where ``export_csv(path, audit=True)`` writes the audit trail: ``<name>-audit.csv``.

    Examples
    --------
    >>> audit_path("exports/log.csv").name
    'log-audit.csv'
    """
    path = Path(path).expanduser()
    return path.with_name(f"{path.stem}-audit{path.suffix or '.csv'}")


def _now() -> dt.datetime:
    return config.now()


def _stored(name: str, value: Any) -> Any:
    """One validated value as the bouts table keeps it (times as UTC text)."""
    return utc_text(value) if name in _TIMES and value is not None else value


def _row_dict(row: tuple, tz: Any) -> dict[str, Any]:
    """One row of :data:`_SELECT` as a dict: ``row_id`` then :data:`COLUMNS`, times in ``tz``."""
    out = dict(zip(("row_id", *COLUMNS), row, strict=True))
    for name in _TIMES:
        if out[name] is not None:
            out[name] = from_utc_text(out[name]).astimezone(tz)
    return out


_BOUT_VALUES = operator.itemgetter(*BOUT_COLUMNS)
_REALS = tuple(c for c in BOUT_COLUMNS if COLUMNS[c] == "Float64")
_TIME_PLACES = tuple(BOUT_COLUMNS.index(c) for c in _TIMES)


def _stored_values(values: Mapping[str, Any], recorded: str) -> tuple:
    """One validated bout as a row of ``bouts`` (:data:`_INSERT`): times as UTC text."""
    row = list(_BOUT_VALUES(values))
    for i in _TIME_PLACES:
        if row[i] is not None:
            row[i] = utc_text(row[i])
    row.append(recorded)
    return tuple(row)


def _written_dict(
    row_id: int, values: Mapping[str, Any], rating: tuple[Any, Any], tz: Any
) -> dict[str, Any]:
    """A bout just written, as :func:`_row_dict` reads it back, from its validated values.

    Times in ``tz``; a whole number in a ``REAL`` column as a float, as SQLite gives it back.
    """
    out: dict[str, Any] = {"row_id": row_id}
    out.update(zip(BOUT_COLUMNS, _BOUT_VALUES(values), strict=True))
    for name in _TIMES:
        if out[name] is not None:
            out[name] = out[name].astimezone(tz)
    for name in _REALS:
        if out[name] is not None:
            out[name] = float(out[name])
    out["session_pain_before"], out["session_pain_after"] = rating
    return out


def _lookup(db: Any, keys: Sequence[tuple]) -> tuple[set[int], dict[str, tuple]]:
    """Before writing: which ``keys`` are current bouts, and their sessions' stored ratings.

    As :func:`_known` and :func:`_session_ratings`; for one key (``record``), one statement.
    """
    if len(keys) != 1:
        return _known(db, keys), _session_ratings(db, {key[0] for key in keys})
    session_id = keys[0][0]
    known, before, after = db.execute(
        f"SELECT EXISTS ({_DUPLICATE}), "
        f"(SELECT {_INTEGER.format('pain_before')} FROM sessions WHERE session_id = ?), "
        f"(SELECT {_INTEGER.format('pain_after')} FROM sessions WHERE session_id = ?)",
        (*keys[0], session_id, session_id),
    ).fetchone()
    return ({0} if known else set()), {session_id: (before, after)}


# a stored rating read for a row just written; a damaged one reads as missing
# here (reading the log names it)
_INTEGER = "CASE typeof({0}) WHEN 'integer' THEN {0} END"


def _known(db: Any, keys: Sequence[tuple]) -> set[int]:
    """The positions in ``keys`` of (session, exercise, side, start) already current bouts.

    Compared in SQL, a few hundred keys a statement: only positions come
    back, so a damaged cell elsewhere in the table is never read here.
    """
    found: set[int] = set()
    for start in range(0, len(keys), 150):
        chunk = keys[start : start + 150]
        rows = ", ".join("(?, ?, ?, ?, ?)" for _ in chunk)
        params = [v for i, key in enumerate(chunk, start) for v in (i, *key)]
        found.update(
            i
            for (i,) in db.execute(
                f"WITH new (i, session_id, exercise_id, side, started_at) AS (VALUES {rows}) "
                "SELECT new.i FROM new JOIN bouts b ON b.session_id = new.session_id "
                "AND b.exercise_id = new.exercise_id AND b.side = new.side "
                "AND b.started_at = new.started_at AND b.removed_at IS NULL",
                params,
            )
        )
    return found


def _insert(db: Any, values: list[tuple]) -> list[int]:
    """Insert rows into ``bouts`` (under the write lock); return their new row ids in order."""
    if len(values) == 1:
        # a successful INSERT always sets lastrowid (Optional only before one)
        return [cast(int, db.execute(_INSERT, values[0]).lastrowid)]
    (last,) = db.execute("SELECT COALESCE(MAX(row_id), 0) FROM bouts").fetchone()
    if last > 2**62:  # near the end of the ids SQLite may pick ids at random
        return [cast(int, db.execute(_INSERT, value).lastrowid) for value in values]
    # Under the write lock, SQLite gives each new row the largest id so far + 1.
    db.executemany(_INSERT, values)
    return list(range(last + 1, last + 1 + len(values)))


def _session_ratings(db: Any, sessions: Iterable[str]) -> dict[str, tuple[Any, Any]]:
    """The stored whole-session rating (before, after) of each of these sessions that has one."""
    out: dict[str, tuple[Any, Any]] = {}
    wanted = sorted(sessions)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for session_id, before, after in db.execute(
            f"SELECT session_id, {_INTEGER.format('pain_before')}, "
            f"{_INTEGER.format('pain_after')} FROM sessions WHERE session_id IN ({marks})",
            chunk,
        ):
            out[session_id] = (before, after)
    return out


def _check_rating(
    given: Mapping[str, Any] | None, label: str, what: str
) -> tuple[dict[str, Any], list[Problem]]:
    """A session rating's given fields (0-10 or None), and the problems with them."""
    if given is None:
        return {}, []
    if not isinstance(given, Mapping):
        message = N_("must be a mapping such as {'pain_before': 4, 'pain_after': 3}")
        return {}, [Problem(label, "session", given, message)]
    row = Checker(given, label)
    row.unknown_keys(_RATING, what)
    out = {k: row.number(k, LIMITS["pain"]) for k in _RATING if k in given}
    return out, row.problems


def _ratings(
    clean: list[dict[str, Any]], where: list[str]
) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[Problem]]:
    """The session ratings the rows carry, by session: ``{session_id: (label, rating)}``.

    A session has one rating: rows of one session that give different
    values are problems (a row that leaves it blank says nothing).
    """
    ratings: dict[str, tuple[str, dict[str, Any]]] = {}
    problems = []
    for values, label in zip(clean, where, strict=True):
        first, rating = ratings.setdefault(values["session_id"], (label, {}))
        for field in _RATING:
            value = values[f"session_{field}"]
            if value is None:
                continue
            if rating.setdefault(field, value) != value:
                message = Message(
                    N_("differs from {value} given in {first}: a session has one rating"),
                    value=rating[field],
                    first=first,
                )
                problems.append(Problem(label, f"session_{field}", value, message))
    return ratings, problems


def _add_session_rating(
    ratings: dict[str, tuple[str, dict[str, Any]]],
    clean: list[dict[str, Any]],
    rating: dict[str, Any],
) -> list[Problem]:
    """Add ``record_many``'s ``session=`` rating to the one session of its rows."""
    sessions = sorted({values["session_id"] for values in clean})
    if len(sessions) != 1:
        message = Message(
            N_(
                "rates one session, but the rows belong to {count} ({sessions}); "
                "record each session in its own record_many call"
            ),
            count=len(sessions),
            sessions=", ".join(sessions),
        )
        return [Problem("session", "session", rating, message)]
    _, known = ratings.setdefault(sessions[0], ("session", {}))
    problems = []
    for field, value in rating.items():
        if value is not None and known.setdefault(field, value) != value:
            message = Message(
                N_("differs from session_{field} = {value} given in the rows"),
                field=field,
                value=known[field],
            )
            problems.append(Problem("session", field, value, message))
    return problems


def _merge_ratings(
    db: Any, ratings: Mapping[str, tuple[str, dict[str, Any]]], recorded: str
) -> list[Problem]:
    """Store new session ratings; a value already stored changes only by a correction."""
    problems = []
    for session_id, (label, rating) in ratings.items():
        given = {k: v for k, v in rating.items() if v is not None}
        if not given:
            continue
        stored = db.execute(
            "SELECT pain_before, pain_after FROM sessions WHERE session_id = ?", (session_id,)
        ).fetchone()
        if stored is None:
            db.execute(
                "INSERT INTO sessions (session_id, pain_before, pain_after, recorded_at) "
                "VALUES (?, ?, ?, ?)",
                (session_id, given.get("pain_before"), given.get("pain_after"), recorded),
            )
            continue
        current = dict(zip(_RATING, stored, strict=True))
        for field, value in given.items():
            if current[field] is None:
                db.execute(
                    f"UPDATE sessions SET {field} = ? WHERE session_id = ?", (value, session_id)
                )
                # a stored value changes (from "not rated"): it goes in the trail
                _audit.note(db, "session", session_id, [(field, None, value)], RATED_LATER,
                            from_utc_text(recorded))  # fmt: skip
            elif current[field] != value:
                message = Message(
                    N_(
                        "session {session_id} is already rated {field} = {value}; change it with "
                        "correct_session({session_repr}, {field}=..., reason=...)"
                    ),
                    session_id=session_id,
                    field=field,
                    value=current[field],
                    session_repr=repr(session_id),
                )
                problems.append(Problem(label, f"session_{field}", value, message))
    return problems


def _known_session(db: Any, session_id: Any, label: str) -> list[Problem]:
    """A problem unless ``session_id`` names a session with bouts in the log."""
    found = db.execute(
        "SELECT 1 FROM bouts WHERE session_id = ? AND removed_at IS NULL LIMIT 1", (session_id,)
    ).fetchone()
    if found is None:
        return [Problem(label, "session_id", session_id, N_("is not a session in this log"))]
    return []


def _check_changes(changes: Mapping[str, Any], label: str) -> list[Problem]:
    """Problems with the fields of a correction (names only; values are checked later)."""
    problems = []
    if not changes:
        problems.append(Problem(label, "changes", None, N_("give the fields to change")))
    for key in changes:
        if key in SESSION_COLUMNS:
            message = N_("is the session's rating: change it with correct_session(session_id, ...)")
            problems.append(Problem(label, key, changes[key], message))
        elif key not in BOUT_COLUMNS:
            hint = did_you_mean(key, BOUT_COLUMNS)
            message = Message(N_("is not a column of the log.{hint}"), hint=hint)
            problems.append(Problem(label, key, changes[key], message))
    return problems


def _current_bout(db: Any, row_id: Any, label: str, problems: list[Problem]) -> dict[str, Any]:
    """The stored values of a current bout; a problem when there is none."""
    if isinstance(row_id, bool) or not isinstance(row_id, int):
        problems.append(Problem(label, "row_id", row_id, N_("must be a whole number (a row_id)")))
        return {}
    stored = db.execute(
        f"SELECT {', '.join(BOUT_COLUMNS)}, removed_at FROM bouts WHERE row_id = ?", (row_id,)
    ).fetchone()
    if stored is None:
        problems.append(Problem(label, "row_id", row_id, N_("is not a bout in this log")))
        return {}
    if stored[-1] is not None:
        problems.append(
            Problem(
                label,
                "row_id",
                row_id,
                Message(N_("was removed ({removed_at}); see history()"), removed_at=stored[-1]),
            )
        )
        return {}
    return dict(zip(BOUT_COLUMNS, stored[:-1], strict=True))


def _history(store: Store, target: str, target_id: Any, tz: Any) -> pd.DataFrame:
    """One entry's audit rows: when, field, old, new, reason (times as Timestamps)."""
    import pandas as pd

    tz = kit_timezone() if tz is None else tz
    out = _audit.trail(store, target=target, target_id=target_id, tz=tz)
    out = out.drop(columns=["target", "target_id"])
    for name in ("old", "new"):
        out[name] = [
            pd.Timestamp(from_utc_text(v)).tz_convert(tz)
            if f in _TIMES and isinstance(v, str)
            else v
            for f, v in zip(out["field"], out[name], strict=True)
        ]
    return out


#: Rows read at a time by :meth:`SessionLog.frame`.
_FRAME_CHUNK = 100_000


def _frame_from_columns(columns: Sequence[Any], tz: Any) -> pd.DataFrame:
    """Build the typed frame from the store's columns (:data:`COLUMNS` in order, times read).

    One vectorised step per column: the store has checked every value's type.
    """
    import numpy as np
    import pandas as pd

    if not len(columns[0]):
        return empty_frame(tz=tz)
    values = dict(zip(COLUMNS, columns, strict=True))
    ids = list(_exercises.exercise_ids())
    codes = {
        name: _codes(values[name], ids if name == "exercise_id" else _CATEGORIES[name])
        for name in _CATEGORICAL
    }
    extra = []
    if codes["exercise_id"] is None:  # ids since removed from the catalogue
        extra = sorted(set(values["exercise_id"].tolist()) - set(ids) - {None})
    dtypes = _dtypes(tz, ids + extra)
    data: dict[str, Any] = {}
    for name, kind in COLUMNS.items():
        column = values[name]
        if kind.startswith("datetime64"):
            data[name] = pd.DatetimeIndex(column, tz="UTC").as_unit("ns").tz_convert(tz)
        elif kind == "category":
            found = codes[name]
            data[name] = (
                pd.Categorical(column, dtype=dtypes[name])
                if found is None
                else pd.Categorical.from_codes(found, dtype=dtypes[name])
            )
        elif kind == "Int64":
            data[name] = _whole_numbers(column)
        elif kind == "Float64":
            floats = np.asarray(column, dtype=float)  # None is NaN
            data[name] = pd.arrays.FloatingArray(floats, np.isnan(floats))
        else:
            data[name] = pd.array(column, dtype=kind)
    return pd.DataFrame(data, copy=False)  # the arrays are new: no copy needed


def _stacked(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames of consecutive chunks as one, each column keeping its dtype."""
    import pandas as pd

    if len(parts) == 1:
        return parts[0]
    # A chunk holding an exercise id since removed from the catalogue has one
    # more category than the others: give every chunk the same categories.
    names = [p["exercise_id"].cat.categories for p in parts]
    if any(not n.equals(names[0]) for n in names):
        known = list(_exercises.exercise_ids())
        extra = sorted(set().union(*map(set, names)) - set(known))
        for p in parts:
            p["exercise_id"] = p["exercise_id"].cat.set_categories(known + extra)
    return pd.concat(parts, ignore_index=True)


def _whole_numbers(column: Any) -> Any:
    """An object array of Python ints and None as an ``Int64`` array."""
    import numpy as np
    import pandas as pd

    floats = np.asarray(column, dtype=float)  # None is NaN; exact below 2**53
    missing = np.isnan(floats)
    if np.abs(floats[~missing]).max(initial=0) >= 2**53:
        return pd.array(column, dtype="Int64")
    return pd.arrays.IntegerArray(np.where(missing, 0, floats).astype(np.int64), missing)


def _codes(column: Any, categories: Sequence[str]) -> Any:
    """The category codes of an object array of text (-1 for None); None when a value is not one."""
    import numpy as np

    # one dict lookup per row, in C: faster than pandas' hashing of new strings
    where: dict[Any, int] = {value: i for i, value in enumerate(categories)}
    where[None] = -1
    try:
        return np.fromiter(map(where.get, column), dtype=np.int32, count=len(column))
    except TypeError:  # .get gave None: a value not among the categories
        return None


def peek(log: SessionLog | str | Path | None, read: Callable[[SessionLog], T], default: T) -> T:
    """``read(log)`` for a log given as a SessionLog, a path or None (the person's own).

    A path is opened only when the file exists, so looking never creates a
    log; ``default`` is the answer for a file that does not exist (or
    ``":memory:"``, a new empty log). Errors of a file that is not a log are
    raised as they are.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from backkit.log import peek
    >>> missing = pathlib.Path(tempfile.mkdtemp()) / "new.sqlite"
    >>> peek(missing, len, 0), missing.exists()
    (0, False)
    """
    if isinstance(log, SessionLog):
        return read(log)
    path = Path(log).expanduser() if log is not None else config.default_log_path()
    if str(log) == ":memory:" or not path.exists():
        return default
    with SessionLog(path, create=False) as opened:
        return read(opened)
