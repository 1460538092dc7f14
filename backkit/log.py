"""The session log: every exercise bout, kept in the store and read as a DataFrame.

One row is one *bout*: one exercise, on one side, in one session (a sitting;
several bouts share a ``session_id``). :data:`COLUMNS` lists the columns and
the dtypes :meth:`SessionLog.frame` gives them.

The bouts live in the ``bouts`` table of a :class:`~backkit.store.Store`,
beside the weekly check-ins of :mod:`backkit.outcomes`: the store gives the
durability (WAL journal, ``synchronous=FULL``, one transaction per write, a
busy timeout so two notebooks can append at once) and refuses, untouched, a
file that is not a backkit log, is damaged or is too new. The file carries
one schema version in its ``meta`` table; :data:`MIGRATIONS` (the bouts'
steps and the check-ins' steps) upgrades older files when they are opened.

Every value is validated before anything is written; a bad value raises
:class:`~backkit.errors.LogValidationError` naming the field, the value and
the row, and the store is left untouched. CSV and Excel files are read and
written by :mod:`backkit.logfiles`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import exercises as _exercises
from . import logfiles
from ._checks import CLOCK_SKEW, EARLIEST, LIMITS, MAX_BOUT, Checker, Limit
from .config import default_log_path, kit_timezone
from .errors import LogError, LogValidationError, Problem, UnknownExerciseError
from .outcomes import MIGRATIONS as OUTCOME_MIGRATIONS
from .store import Migration, Migrations, Store, from_utc_text, schema, utc_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
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
    "SIDES",
    "SOURCES",
    "STATUSES",
    "Migration",
    "SessionLog",
    "conform",
    "empty_frame",
    "new_session_id",
]

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
    "pain_before": "pain before, 0-10 (0 no pain, 10 worst imaginable)",
    "pain_after": "pain after, 0-10",
    "effort": "how hard it felt, 0-10",
    "notes": "free text",
    "plan_id": "the plan the bout was part of",
    "source": "timer, manual or import",
}
SIDES = ("left", "right", "both")
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

_CATEGORIES = {"side": SIDES, "status": STATUSES, "source": SOURCES}


# --------------------------------------------------------------------------
# Schema versions

#: The bouts table's schema steps (versions 1 and 2 of the file).
BOUT_MIGRATIONS = Migrations("bouts")
BOUT_MIGRATIONS.add(
    1,
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
)
BOUT_MIGRATIONS.add(
    2,
    "recorded_at (when a bout was written, to tell back-filled entries from live ones) "
    "and indexes on started_at and session_id",
    "ALTER TABLE bouts ADD COLUMN recorded_at TEXT",
    "CREATE INDEX bouts_started_at ON bouts (started_at)",
    "CREATE INDEX bouts_session_id ON bouts (session_id)",
)

#: Every schema step of the log file, in version order: the bouts' (1, 2) and
#: the check-ins' (3, :data:`backkit.outcomes.MIGRATIONS`). A log opened from
#: here is always brought to the full version, check-in table included.
MIGRATIONS: list[Migration] = schema(BOUT_MIGRATIONS, OUTCOME_MIGRATIONS)
#: The schema version this backkit writes (the last migration's).
SCHEMA_VERSION = MIGRATIONS[-1].version


# --------------------------------------------------------------------------
# Validation


def _check_exercise(row: Checker, ids: Sequence[str]) -> Any:
    """The catalogue entry named by ``exercise_id``, or None (the problem noted)."""
    exercise_id = row.get("exercise_id")
    if exercise_id is None:
        row.bad("exercise_id", row.raw.get("exercise_id"), "is required")
    elif not isinstance(exercise_id, str) or exercise_id.strip() not in ids:
        message = UnknownExerciseError(exercise_id, ids).problem
        row.bad("exercise_id", exercise_id, message[0].upper() + message[1:])
    else:
        return _exercises.get_exercise(exercise_id.strip())
    return None


def _check_side(row: Checker, exercise: Any) -> str | None:
    side = row.choice("side", SIDES)
    if exercise is None:
        return side
    if side is None and not row.given("side"):
        if not exercise.per_side:
            return "both"
        row.bad(
            "side",
            row.raw.get("side"),
            f"is required: {exercise.id} is done one side at a time (left or right)",
        )
    elif side == "both" and exercise.per_side:
        row.bad("side", side, f"must be left or right: {exercise.id} is done one side at a time")
    elif side in ("left", "right") and not exercise.per_side:
        row.bad("side", side, f"must be both: {exercise.id} works both sides at once")
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
                f"is before started_at ({started.astimezone(row.tz).isoformat()})",
            )
        elif ended - started > MAX_BOUT:
            row.bad(
                "ended_at",
                row.raw.get("ended_at"),
                f"is {ended - started} after started_at; a bout lasts at most {MAX_BOUT}",
            )
    return started, ended


def _check_doses(row: Checker, exercise: Any) -> dict[str, Any]:
    """Sets, reps and hold planned and done, and the status they imply."""
    out = {f"{k}_planned": row.number(f"{k}_planned", limit) for k, limit in _PLANNED.items()}
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
            f"but {counts[2]} of {counts[0]} sets and {counts[3]} of {counts[1]} reps were "
            "done; leave status out or mark the bout partial",
        )
    out["status"] = status
    return out


def _validate(row: Checker, ids: Sequence[str], source: str) -> dict[str, Any]:
    """Validate one bout; return the values to store (problems go to ``row.problems``)."""
    row.unknown_keys(list(COLUMNS), "a column of the log")
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
    return out


def _checked(
    rows: Sequence[tuple[str, Mapping[str, Any]]], source: str
) -> tuple[list[dict[str, Any]], list[str], list[Problem]]:
    """Validate labelled rows; return the clean ones, their labels, and every problem."""
    now = dt.datetime.now(dt.timezone.utc)
    tz = kit_timezone()
    ids = _exercises.exercise_ids()
    clean, where, problems = [], [], []
    for label, raw in rows:
        if not isinstance(raw, Mapping):
            problems.append(Problem(label, "row", raw, "must be a mapping of column to value"))
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
    started = started or dt.datetime.now(dt.timezone.utc)
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
        Must hold every column of :data:`COLUMNS`; other columns are dropped.
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
    missing = [name for name in COLUMNS if name not in data]
    if missing:
        raise LogError(f"columns missing: {', '.join(missing)}", where="conform")
    ids = list(_exercises.exercise_ids())
    extra = sorted({str(v) for v in pd.Series(data["exercise_id"]).dropna().unique()} - set(ids))
    dtypes = _dtypes(tz, ids + extra)
    columns = {}
    for name in COLUMNS:
        values = data[name]
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

_STORED = (*COLUMNS, "recorded_at")
_INSERT = f"INSERT INTO bouts ({', '.join(_STORED)}) VALUES ({', '.join('?' * len(_STORED))})"
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM bouts"
_DUPLICATE = (
    "SELECT 1 FROM bouts WHERE session_id = ? AND exercise_id = ? AND side = ? AND started_at = ?"
)
_TIMES = ("started_at", "ended_at")


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
        # MIGRATIONS is looked up now, not at import, so a test can add a step
        self.store = Store(where, MIGRATIONS, create=create, synchronous=synchronous)
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
        return self.store.query("SELECT COUNT(*) FROM bouts")[0][0]

    def __repr__(self) -> str:
        if self.store.closed:
            return f"SessionLog({str(self.path)!r}, closed)"
        ((n, sessions, first, last),) = self.store.query(
            "SELECT COUNT(*), COUNT(DISTINCT session_id), MIN(started_at), MAX(started_at) "
            "FROM bouts"
        )
        span = ""
        if n:
            tz = kit_timezone()
            first_day = from_utc_text(first).astimezone(tz).date()
            last_day = from_utc_text(last).astimezone(tz).date()
            span = f", {first_day} to {last_day}"
        return f"SessionLog({str(self.path)!r}: {n} bouts in {sessions} sessions{span})"

    def _write(self, rows: list[dict], where: list[str], skip_duplicates: bool = False) -> int:
        """Insert validated rows in one transaction; duplicates are problems (or skipped)."""
        recorded = utc_text(dt.datetime.now(dt.timezone.utc))
        values = [
            (
                *(utc_text(r[c]) if c in _TIMES and r[c] is not None else r[c] for c in COLUMNS),
                recorded,
            )
            for r in rows
        ]
        with self.store.transaction() as db:
            seen: dict[tuple, str] = {}
            problems = []
            keep = []
            for value, label in zip(values, where, strict=True):
                key = (value[0], value[3], value[4], value[1])
                known = key in seen or db.execute(_DUPLICATE, key).fetchone() is not None
                if known and not skip_duplicates:
                    problems.append(_duplicate(label, key, seen.get(key)))
                elif not known:
                    keep.append(value)
                seen.setdefault(key, label)
            if problems:
                header = logfiles.rejected(len(values), problems) if where != ["record"] else ""
                raise LogValidationError(problems, header=header)
            db.executemany(_INSERT, keep)
        return len(keep)

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
            time zone (:func:`kit_timezone`).

        Returns
        -------
        dict
            The stored row (timestamps aware, in the kit's time zone).

        Raises
        ------
        LogValidationError
            Naming the field, value and problem; nothing is written. Limits:
            pain and effort whole numbers 0-10; sets 0-20 (planned at least 1),
            reps 0-100 per set (planned at least 1), hold 0-600 s; a bout ends
            after it starts and lasts at most 4 h; no time more than 5 minutes
            in the future or before 2000; notes up to 2000 characters; the same
            bout (session, exercise, side, start) cannot be stored twice.

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> row = log.record(exercise_id="knee-to-chest", side="left", reps_done=1,
        ...                  started_at="2024-05-01T08:00:00+00:00")
        >>> row["status"], row["reps_planned"]
        ('partial', 2)
        """
        return self._add([("record", fields)])[0]

    def record_many(self, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Validate several bouts and append them all in one transaction, or none.

        Rows without a ``session_id`` share one new id (they were logged
        together, so they are one session). Every bad row is reported in one
        :class:`LogValidationError`, each labelled ``rows[i]``.

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> rows = log.record_many([
        ...     {"exercise_id": "supine-hamstring-stretch", "side": "left"},
        ...     {"exercise_id": "supine-hamstring-stretch", "side": "right"},
        ... ])
        >>> rows[0]["session_id"] == rows[1]["session_id"], len(log)
        (True, 2)
        """
        return self._add([(f"rows[{i}]", row) for i, row in enumerate(rows)])

    def _add(self, rows: list[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
        """Validate labelled rows and write them in one transaction; return them as stored."""
        clean, where, problems = _checked(rows, "manual")
        if not rows:
            return []
        if problems:
            single = [label for label, _ in rows] == ["record"]
            raise LogValidationError(
                problems, header="" if single else logfiles.rejected(len(rows), problems)
            )
        tz = kit_timezone()
        shared = None
        for values in clean:
            if values["session_id"] is None:
                # rows logged together are one session
                shared = shared or new_session_id(values["started_at"], tz)
                values["session_id"] = shared
        self._write(clean, where)
        return [_as_stored(values, tz) for values in clean]

    # -- reading ----------------------------------------------------------

    def frame(self, *, tz: Any = None) -> pd.DataFrame:
        """Return the whole log as a typed DataFrame, oldest bout first.

        Columns and dtypes are those of :data:`COLUMNS`: timestamps tz-aware
        in ``tz`` (default: :func:`kit_timezone`), ``exercise_id`` categorical
        over the catalogue ids, nullable integers and strings.

        Examples
        --------
        >>> import backkit
        >>> log = backkit.SessionLog(":memory:")
        >>> _ = log.record(exercise_id="squat", started_at="2024-05-01T08:00+00:00")
        >>> df = log.frame(tz="UTC")
        >>> str(df["started_at"].dtype), str(df["exercise_id"].dtype), str(df["reps_done"].dtype)
        ('datetime64[ns, UTC]', 'category', 'Int64')
        """
        rows = self.store.query(f"{_SELECT} ORDER BY started_at, row_id")
        return _frame_from_rows(rows, kit_timezone() if tz is None else tz)

    def sessions(self, *, tz: Any = None) -> pd.DataFrame:
        """Return one row per session: its start and end, bouts, exercises, pain and effort.

        ``pain_before`` is the first bout's, ``pain_after`` the last bout's,
        ``effort`` the highest; ``completed`` is True when every bout was.

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
        out = pd.DataFrame(
            {
                "started_at": g["started_at"].min(),
                "ended_at": g["ended_at"].max(),
                "bouts": g.size(),
                "exercises": g["exercise_id"].nunique(),
                "completed": g["status"].agg(lambda s: bool((s == "completed").all())),
                "pain_before": g["pain_before"].first(),
                "pain_after": g["pain_after"].last(),
                "effort": g["effort"].max(),
                "plan_id": g["plan_id"].first(),
            }
        )
        return out.sort_values("started_at", kind="stable").reset_index()

    # -- files ------------------------------------------------------------

    def export_csv(self, path: str | Path) -> Path:
        """Write the whole log to a CSV file that :meth:`import_csv` reads back exactly.

        One header row with the :data:`COLUMNS` names; timestamps in ISO 8601
        with the kit's UTC offset and microseconds; empty cells for missing
        values. The file is written to a temporary name and then renamed, so
        an interrupted export never leaves half a file
        (:func:`backkit.logfiles.write_csv`).

        Examples
        --------
        >>> import backkit, tempfile, pathlib
        >>> log = backkit.SessionLog(":memory:")
        >>> _ = log.record(exercise_id="bridge", started_at="2024-05-01T08:00+00:00")
        >>> out = log.export_csv(pathlib.Path(tempfile.mkdtemp()) / "log.csv")
        >>> out.read_text().splitlines()[0].split(",")[:4]
        ['session_id', 'started_at', 'ended_at', 'exercise_id']
        """
        return logfiles.write_csv(self.frame(), path)

    def export_excel(self, path: str | Path) -> Path:
        """Write the log to an Excel workbook (needs ``openpyxl``: ``pip install openpyxl``).

        Excel has no time zones, so the ``log`` sheet shows local times in the
        kit's zone, named in the ``about`` sheet with each column's meaning
        (:data:`MEANINGS`). For an exact copy use :meth:`export_csv`.

        Raises
        ------
        LogError
            When openpyxl is not installed; nothing is written.

        Examples
        --------
        >>> import backkit, tempfile, pathlib
        >>> log = backkit.SessionLog(":memory:")
        >>> _ = log.record(exercise_id="bridge")
        >>> log.export_excel(pathlib.Path(tempfile.mkdtemp()) / "log.xlsx").suffix
        '.xlsx'
        """
        tz = kit_timezone()
        return logfiles.write_excel(self.frame(tz=tz), path, meanings=MEANINGS, tz=tz)

    def import_csv(self, path: str | Path, *, skip_duplicates: bool = False) -> int:
        """Import a CSV file of bouts, all or nothing; return the number of rows added.

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
        ...     "exercise_id,started_at,pain_after\\nbridge,2024-05-01T08:00+00:00,2\\n")
        >>> log = backkit.SessionLog(":memory:")
        >>> log.import_csv(csv_file), log.frame()["source"].tolist()
        (1, ['import'])
        """
        table = logfiles.read_csv(path, list(COLUMNS), required=("exercise_id",))
        clean, where, problems = _checked(table.rows, "import")
        problems = sorted([*table.problems, *problems], key=lambda p: table.order[p.where])
        if problems:
            raise LogValidationError(problems, header=logfiles.rejected(table.total, problems))
        tz = kit_timezone()
        for values in clean:
            if values["session_id"] is None:
                values["session_id"] = new_session_id(values["started_at"], tz)
        try:
            return self._write(clean, where, skip_duplicates=skip_duplicates)
        except LogValidationError as err:
            raise LogValidationError(
                err.problems, header=logfiles.rejected(table.total, err.problems)
            ) from None

    def check(self) -> list[str]:
        """Run SQLite's full ``integrity_check`` on the open file; return ``['ok']`` when sound."""
        return self.store.check()


def _duplicate(label: str, key: tuple, first: str | None) -> Problem:
    session_id, exercise_id, side, started = key
    when = from_utc_text(started).astimezone(kit_timezone()).isoformat()
    same = f" (same as {first})" if first else ""
    return Problem(
        label,
        "session_id",
        session_id,
        f"this bout ({exercise_id}, {side}, started {when}) is already in the log{same}",
    )


def _as_stored(values: dict[str, Any], tz: dt.tzinfo) -> dict[str, Any]:
    """The row as stored, in column order, its times in ``tz`` at the stored precision."""
    out = {name: values[name] for name in COLUMNS}
    for name in ("started_at", "ended_at"):
        if out[name] is not None:
            out[name] = from_utc_text(utc_text(out[name])).astimezone(tz)
    return out


def _frame_from_rows(rows: list[tuple], tz: Any) -> pd.DataFrame:
    """Build the typed frame from stored rows, one vectorised conversion per column."""
    import pandas as pd

    ids = list(_exercises.exercise_ids())
    if not rows:
        return empty_frame(tz=tz)
    cols = dict(zip(COLUMNS, zip(*rows, strict=True), strict=True))
    extra = sorted(set(cols["exercise_id"]) - set(ids))  # ids since removed from the catalogue
    dtypes = _dtypes(tz, ids + extra)
    data = {}
    for name, kind in COLUMNS.items():
        values = cols[name]
        if kind.startswith("datetime64"):
            stamps = pd.to_datetime(list(values), format="ISO8601", utc=True)
            data[name] = stamps.as_unit("ns").tz_convert(tz)
        elif kind == "category":
            data[name] = pd.Categorical(values, dtype=dtypes[name])
        else:
            data[name] = pd.array(values, dtype=kind)
    return pd.DataFrame(data)
