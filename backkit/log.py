"""The session log: a durable SQLite store of every exercise bout, read as a DataFrame.

One row is one *bout*: one exercise, on one side, in one session (a sitting;
several bouts share a ``session_id``). :data:`COLUMNS` lists the columns and
the dtypes :meth:`SessionLog.frame` gives them.

Durability comes from SQLite (stdlib ``sqlite3``): WAL journal,
``synchronous=FULL`` (a record is on disk before :meth:`SessionLog.record`
returns), one transaction per write, and a busy timeout so two notebooks can
append to the same log at once. A file that is not a backkit log, or that is
truncated or corrupted, is refused with :class:`LogFileError` and never
written to. The file carries a schema version in its ``meta`` table;
:data:`MIGRATIONS` upgrades older files forward when they are opened.

Every value is validated before anything is written; a bad value raises
:class:`LogValidationError` naming the field, the value and the row, and the
store is left untouched.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import math
import numbers
import os
import sqlite3
import threading
import urllib.parse
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import exercises as _exercises
from ._checks import CLOCK_SKEW, EARLIEST, LIMITS, MAX_BOUT
from ._version import __version__
from .config import default_log_path, kit_timezone
from .errors import LogError, LogFileError, LogValidationError, Problem

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
SIDES = ("left", "right", "both")
STATUSES = ("completed", "partial")
SOURCES = ("timer", "manual", "import")

# Limits that catch typos and unit mistakes (a hold typed in minutes as
# seconds, a year typed wrong) without judging the dose.
# (from the kit's one table, backkit._checks.LIMITS)
MAX_SETS = int(LIMITS["sets"].hi)
MAX_REPS = int(LIMITS["reps"].hi)  # per set
MAX_HOLD_SECONDS = LIMITS["hold_seconds"].hi  # per repetition
MAX_TEXT = int(LIMITS["text"].hi)  # characters of notes
_MAX_ID = int(LIMITS["name"].hi)
_SCALE = (0, 10)  # pain (NRS) and effort

_CATEGORIES = {"side": SIDES, "status": STATUSES, "source": SOURCES}
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # stored: UTC, microseconds, sortable as text


# --------------------------------------------------------------------------
# Schema versions


@dataclass(frozen=True)
class Migration:
    """One step of the store's schema: its version, what it does, its SQL statements.

    To change the schema, append a ``Migration`` to :data:`MIGRATIONS` with the
    next version number; files are upgraded step by step, in one transaction,
    when they are opened.
    """

    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: list[Migration] = [
    Migration(
        1,
        "the meta table and the bouts table",
        (
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
        ),
    ),
    Migration(
        2,
        "recorded_at (when a bout was written, to tell back-filled entries from live ones) "
        "and indexes on started_at and session_id",
        (
            "ALTER TABLE bouts ADD COLUMN recorded_at TEXT",
            "CREATE INDEX bouts_started_at ON bouts (started_at)",
            "CREATE INDEX bouts_session_id ON bouts (session_id)",
        ),
    ),
    Migration(
        3,
        "the outcome_scores table: weekly check-ins of pain, PSFS and custom measures "
        "(written and read by backkit.outcomes)",
        (
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
        ),
    ),
]
#: The schema version this backkit writes (the last migration's).
SCHEMA_VERSION = MIGRATIONS[-1].version

_SQLITE_MAGIC = b"SQLite format 3\x00"
_BUSY_SECONDS = 30.0


def _schema_version(conn: sqlite3.Connection) -> int | None:
    """Read the file's schema version: 0 for an empty database, None if not a backkit log."""
    tables = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if not tables:
        return 0
    if "meta" not in tables:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        return None
    try:
        return int(row[0])
    except ValueError:
        return None


def _migrate(conn: sqlite3.Connection, path: Path) -> int:
    """Bring the file up to :data:`SCHEMA_VERSION` in one transaction; return the old version."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read the version under the write lock: another process may have
        # upgraded the file since we looked.
        version = _schema_version(conn)
        if version is None:
            raise LogFileError(path, _not_a_log(conn))
        if version > SCHEMA_VERSION:
            raise LogFileError(path, _too_new(version))
        for migration in MIGRATIONS:
            if migration.version <= version:
                continue
            try:
                for statement in migration.statements:
                    conn.execute(statement)
            except sqlite3.Error as err:
                raise LogFileError(
                    path,
                    f"cannot upgrade the log to schema version {migration.version} "
                    f"({migration.description}): {err}. The file was not changed.",
                ) from err
        if version < SCHEMA_VERSION:
            now = _utc_text(dt.datetime.now(dt.timezone.utc))
            meta = {"schema_version": str(SCHEMA_VERSION), "written_by": f"backkit {__version__}"}
            if version == 0:
                meta["created_at"] = now
            else:
                meta[f"upgraded_from_v{version}_at"] = now
            conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return version


def _too_new(version: int) -> str:
    return (
        f"was written by a newer backkit (schema version {version}; this backkit "
        f"{__version__} reads up to {SCHEMA_VERSION}). Upgrade backkit to open it; "
        "the file was not changed."
    )


def _not_a_log(conn: sqlite3.Connection) -> str:
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return (
        f"is an SQLite database but not a backkit session log (it has no schema version; "
        f"tables: {', '.join(tables)}). Pass another path; the file was not changed."
    )


# --------------------------------------------------------------------------
# Opening a file safely


def _precheck(path: Path) -> None:
    """Refuse, before SQLite touches it, a file that is plainly not an intact SQLite file."""
    if path.is_dir():
        raise LogFileError(path, "is a folder, not a log file")
    size = path.stat().st_size
    if size == 0:
        raise LogFileError(
            path,
            "is empty (0 bytes): not a backkit log, or a log that was truncated. It was not "
            "changed; move it aside (or delete it if you made it) and open the log again.",
        )
    with open(path, "rb") as f:
        header = f.read(100)
    if not header.startswith(_SQLITE_MAGIC[: len(header)]) or len(header) < 16:
        raise LogFileError(
            path,
            "is not an SQLite database, so not a backkit log (to bring in a CSV file use "
            "SessionLog().import_csv(path)). The file was not changed.",
        )
    if len(header) < 100:
        raise LogFileError(path, _damaged(f"it is only {size} bytes long"))
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96]
    wal = Path(f"{path}-wal")
    # With a live WAL the main file may legitimately lag its header; SQLite
    # replays the WAL and quick_check judges instead.
    live_wal = wal.exists() and wal.stat().st_size > 0
    if header_valid and pages and not live_wal and size < pages * page_size:
        raise LogFileError(
            path, _damaged(f"it is {size} bytes but its header says {pages * page_size}; truncated")
        )


def _damaged(detail: str) -> str:
    return (
        f"is damaged ({detail}). It was not changed: keep it for recovery (e.g. the "
        "sqlite3 command's .recover), restore a backup, or open a new log at another path."
    )


def _uri(path: Path, mode: str) -> str:
    return f"file:{urllib.parse.quote(str(path.resolve()))}?mode={mode}"


def _inspect(path: Path) -> None:
    """Read-only checks before anything writes: ``PRAGMA quick_check`` and the schema version."""
    try:
        conn = sqlite3.connect(_uri(path, "ro"), uri=True, timeout=_BUSY_SECONDS)
    except sqlite3.Error as err:
        raise LogFileError(path, f"cannot be opened: {err}") from None
    try:
        result = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if result != ["ok"]:
            raise LogFileError(path, _damaged("; ".join(result[:3])))
        version = _schema_version(conn)
        if version is None:
            raise LogFileError(path, _not_a_log(conn))
        if version > SCHEMA_VERSION:
            raise LogFileError(path, _too_new(version))
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err):
            raise LogFileError(path, "is not an SQLite database, so not a backkit log") from None
        raise LogFileError(path, _damaged(str(err))) from None
    finally:
        conn.close()


def _create(path: Path) -> None:
    """Create a new, fully initialised log at ``path`` without ever replacing a file.

    The store is built in a temporary file and linked into place, so a crash
    never leaves a half-made log, and when two processes create the same log
    at once one wins and the other opens it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            _migrate(conn, tmp)
        finally:
            conn.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: open theirs
        except OSError:
            # No hard links on this file system: fall back to a rename that
            # still refuses to replace an existing file (a small race remains).
            if not path.exists():
                os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------------
# Validation


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    # pandas.NA and pandas.NaT, without importing pandas
    return type(value).__name__ in ("NAType", "NaTType")


def _utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime(_TIME_FORMAT)


class _Row:
    """Validates one incoming row, collecting a Problem for each bad value."""

    def __init__(self, raw: Mapping[str, Any], where: str, context: _Context):
        self.raw = raw
        self.where = where
        self.ctx = context
        self.problems: list[Problem] = []

    def bad(self, name: str, value: Any, message: str) -> None:
        self.problems.append(Problem(self.where, name, value, message))

    def get(self, name: str) -> Any:
        value = self.raw.get(name)
        return None if _is_missing(value) else value

    def text(self, name: str, limit: int) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.bad(name, value, "must be text")
            return None
        value = value.strip()
        if len(value) > limit:
            self.bad(name, f"{value[:30]}...", f"is {len(value)} characters long; at most {limit}")
            return None
        return value

    def choice(self, name: str, options: Sequence[str]) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        text = value.strip().lower() if isinstance(value, str) else value
        if text not in options:
            self.bad(name, value, f"must be one of {', '.join(options)}")
            return None
        return text

    def number(self, name: str, lo: float, hi: float, *, whole: bool) -> float | int | None:
        value = self.get(name)
        if value is None:
            return None
        kind = "a whole number" if whole else "a number"
        number: float | int
        if isinstance(value, bool):
            number = math.nan
        elif isinstance(value, numbers.Integral):
            number = int(value)
        elif isinstance(value, numbers.Real):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip()) if not value.strip().isdigit() else int(value)
            except ValueError:
                number = math.nan
        else:
            number = math.nan
        if math.isnan(number) or math.isinf(number):
            self.bad(name, value, f"must be {kind} from {lo:g} to {hi:g}")
            return None
        if whole:
            if number != int(number):
                self.bad(name, value, f"must be a whole number from {lo:g} to {hi:g}")
                return None
            number = int(number)
        if not lo <= number <= hi:
            self.bad(name, value, f"must be {kind} from {lo:g} to {hi:g}")
            return None
        return number if whole else float(number)

    def moment(self, name: str) -> dt.datetime | None:
        value = self.get(name)
        if value is None:
            return None
        when: dt.datetime | None = None
        if isinstance(value, dt.datetime):
            when = value
        elif isinstance(value, dt.date):
            when = dt.datetime(value.year, value.month, value.day)
        elif isinstance(value, str):
            with contextlib.suppress(ValueError):
                when = dt.datetime.fromisoformat(value.strip())
        elif type(value).__name__ == "datetime64":  # numpy, naive
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                item = value.astype("datetime64[us]").item()
                when = item if isinstance(item, dt.datetime) else None
        if when is None:
            self.bad(name, value, "is not a date and time (use ISO 8601, e.g. 2024-05-01T08:30)")
            return None
        if when.tzinfo is None or when.utcoffset() is None:
            when = when.replace(tzinfo=self.ctx.tz)
        when = when.astimezone(dt.timezone.utc)
        if when > self.ctx.now + CLOCK_SKEW:
            self.bad(name, value, "is in the future")
            return None
        if when < EARLIEST:
            self.bad(name, value, f"is before {EARLIEST:%Y-%m-%d}; check the year")
            return None
        return when


@dataclass
class _Context:
    now: dt.datetime  # UTC
    tz: dt.tzinfo
    ids: list[str]
    default_source: str
    columns: tuple[str, ...]


def _context(default_source: str) -> _Context:
    return _Context(
        now=dt.datetime.now(dt.timezone.utc),
        tz=kit_timezone(),
        ids=_exercises.exercise_ids(),
        default_source=default_source,
        columns=(*COLUMNS,),
    )


def _validate(raw: Mapping[str, Any], where: str, ctx: _Context) -> tuple[dict, list[Problem]]:
    """Validate one row; return the values to store and the problems found."""
    row = _Row(raw, where, ctx)
    for key in raw:
        if key not in COLUMNS:
            close = difflib.get_close_matches(str(key), ctx.columns, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            row.bad(str(key), raw[key], f"is not a column of the log{hint}")

    out: dict[str, Any] = {}
    out["session_id"] = row.text("session_id", _MAX_ID)

    exercise = None
    exercise_id = row.get("exercise_id")
    if exercise_id is None:
        row.bad("exercise_id", raw.get("exercise_id"), "is required")
    elif not isinstance(exercise_id, str) or exercise_id.strip() not in ctx.ids:
        message = _exercises.unknown_id_message(exercise_id, ctx.ids)
        row.bad("exercise_id", exercise_id, message[0].upper() + message[1:])
    else:
        exercise = _exercises.get_exercise(exercise_id.strip())
        out["exercise_id"] = exercise.id

    side = row.choice("side", SIDES)
    if exercise is not None:
        if side is None and row.get("side") is None:
            if exercise.per_side:
                row.bad(
                    "side",
                    raw.get("side"),
                    f"is required: {exercise.id} is done one side at a time (left or right)",
                )
            else:
                side = "both"
        elif side == "both" and exercise.per_side:
            row.bad(
                "side", side, f"must be left or right: {exercise.id} is done one side at a time"
            )
        elif side in ("left", "right") and not exercise.per_side:
            row.bad("side", side, f"must be both: {exercise.id} works both sides at once")
    out["side"] = side

    started = row.moment("started_at")
    if started is None and row.get("started_at") is None:
        started = ctx.now
    ended = row.moment("ended_at")
    if started is not None and ended is not None:
        if ended < started:
            row.bad(
                "ended_at",
                raw.get("ended_at"),
                f"is before started_at ({started.astimezone(ctx.tz).isoformat()})",
            )
        elif ended - started > MAX_BOUT:
            row.bad(
                "ended_at",
                raw.get("ended_at"),
                f"is {ended - started} after started_at; a bout lasts at most {MAX_BOUT}",
            )
    out["started_at"] = started
    out["ended_at"] = ended

    sets_p = row.number("sets_planned", 1, MAX_SETS, whole=True)
    reps_p = row.number("reps_planned", 1, MAX_REPS, whole=True)
    hold_p = row.number("hold_s_planned", 0, MAX_HOLD_SECONDS, whole=False)
    sets_d = row.number("sets_done", 0, MAX_SETS, whole=True)
    reps_d = row.number("reps_done", 0, MAX_REPS, whole=True)
    hold_d = row.number("hold_s_done", 0, MAX_HOLD_SECONDS, whole=False)
    status = row.choice("status", STATUSES)
    if exercise is not None:
        # Planned doses default to the catalogue's; what was done defaults to
        # what was planned unless the bout is marked partial.
        sets_p = exercise.sets if sets_p is None and row.get("sets_planned") is None else sets_p
        reps_p = exercise.reps if reps_p is None and row.get("reps_planned") is None else reps_p
        if hold_p is None and row.get("hold_s_planned") is None:
            hold_p = float(exercise.seconds_per_rep)
    if status != "partial":
        sets_d = sets_p if sets_d is None and row.get("sets_done") is None else sets_d
        reps_d = reps_p if reps_d is None and row.get("reps_done") is None else reps_d
        hold_d = hold_p if hold_d is None and row.get("hold_s_done") is None else hold_d
    counts_known = None not in (sets_p, reps_p, sets_d, reps_d)
    short = counts_known and (sets_d < sets_p or reps_d < reps_p)  # type: ignore[operator]
    if status is None and row.get("status") is None and counts_known:
        status = "partial" if short else "completed"
    elif status == "completed" and short:
        row.bad(
            "status",
            "completed",
            f"but {sets_d} of {sets_p} sets and {reps_d} of {reps_p} reps were done; "
            "leave status out or mark the bout partial",
        )
    out.update(
        sets_planned=sets_p,
        sets_done=sets_d,
        reps_planned=reps_p,
        reps_done=reps_d,
        hold_s_planned=hold_p,
        hold_s_done=hold_d,
        status=status,
    )
    for name in ("pain_before", "pain_after", "effort"):
        out[name] = row.number(name, *_SCALE, whole=True)
    out["notes"] = row.text("notes", MAX_TEXT)
    out["plan_id"] = row.text("plan_id", _MAX_ID)
    source = row.choice("source", SOURCES)
    out["source"] = ctx.default_source if source is None and row.get("source") is None else source
    return out, row.problems


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
        raise ValueError(f"conform: columns missing: {', '.join(missing)}")
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
        if synchronous.upper() not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous = {synchronous!r}: must be 'FULL' or 'NORMAL'")
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        memory = str(path) == ":memory:"
        self.path = Path(":memory:") if memory else Path(path or default_log_path()).expanduser()
        if memory:
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            self._conn = conn
            _migrate(conn, self.path)
            self.migrated_from = 0
            return
        if not self.path.exists():
            if not create:
                raise LogFileError(
                    self.path, "no log here yet: record a session first, or give the path of a log"
                )
            _create(self.path)
        _precheck(self.path)
        _inspect(self.path)
        try:
            conn = sqlite3.connect(
                _uri(self.path, "rw"),
                uri=True,
                isolation_level=None,
                timeout=_BUSY_SECONDS,
                check_same_thread=False,
            )
        except sqlite3.Error as err:
            raise LogFileError(self.path, f"cannot be opened for writing: {err}") from None
        try:
            conn.execute(f"PRAGMA synchronous = {synchronous.upper()}")
            #: the schema version the file had when opened (0: new file)
            self.migrated_from = _migrate(conn, self.path)
            # Only now, with the file known good and current, may its journal change.
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise LogFileError(self.path, f"cannot use the WAL journal (got {mode!r})")
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    # -- plumbing ---------------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LogError(f"{self.path}: the log is closed")
        return self._conn

    def close(self) -> None:
        """Close the file (also done on leaving a ``with`` block)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> SessionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return int(
            self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        )

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM bouts").fetchone()[0]

    def __repr__(self) -> str:
        if self._conn is None:
            return f"SessionLog({str(self.path)!r}, closed)"
        with self._lock:
            n, sessions, first, last = self._db.execute(
                "SELECT COUNT(*), COUNT(DISTINCT session_id), MIN(started_at), MAX(started_at) "
                "FROM bouts"
            ).fetchone()
        span = ""
        if n:
            tz = kit_timezone()
            first_day = _from_utc_text(first).astimezone(tz).date()
            last_day = _from_utc_text(last).astimezone(tz).date()
            span = f", {first_day} to {last_day}"
        return f"SessionLog({str(self.path)!r}: {n} bouts in {sessions} sessions{span})"

    def _write(self, rows: list[dict], where: list[str], skip_duplicates: bool = False) -> int:
        """Insert validated rows in one transaction; duplicates are problems (or skipped)."""
        recorded = _utc_text(dt.datetime.now(dt.timezone.utc))
        times = ("started_at", "ended_at")
        values = [
            (
                *(_utc_text(r[c]) if c in times and r[c] is not None else r[c] for c in COLUMNS),
                recorded,
            )
            for r in rows
        ]
        with self._transaction() as db:
            keys = [(v[0], v[3], v[4], v[1]) for v in values]
            seen: dict[tuple, str] = {}
            problems = []
            keep = []
            for key, value, label in zip(keys, values, where, strict=True):
                known = key in seen or db.execute(_DUPLICATE, key).fetchone() is not None
                if known and not skip_duplicates:
                    first = f" (same as {seen[key]})" if key in seen else ""
                    problems.append(
                        Problem(
                            label,
                            "session_id",
                            key[0],
                            f"this bout ({key[1]}, {key[2]}, started "
                            f"{_from_utc_text(key[3]).astimezone(kit_timezone()).isoformat()})"
                            " is already "
                            f"in the log{first}",
                        )
                    )
                elif not known:
                    keep.append(value)
                seen.setdefault(key, label)
            if problems:
                header = _header(len(values), problems) if where != ["record"] else ""
                raise LogValidationError(problems, header=header)
            db.executemany(_INSERT, keep)
        return len(keep)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on this log's connection, for the store's other tables.

        Holds the log's lock and SQLite's write lock (``BEGIN IMMEDIATE``) from
        the first read to the commit, so checks made inside (is there a
        baseline yet?) still hold when the rows are written, even with another
        notebook writing to the same file. Commits when the block ends, rolls
        back (nothing written) when it raises. Used by :mod:`backkit.outcomes`.
        """
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as err:
                raise LogFileError(
                    self.path,
                    f"could not get the write lock ({err}) within {_BUSY_SECONDS:g} s; "
                    "another program holds the log. Nothing was written.",
                ) from None
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run a read-only query under the log's lock; used by :mod:`backkit.outcomes`."""
        with self._lock:
            return self._db.execute(sql, params).fetchall()

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
        return self.record_many([fields], _where=["record"])[0]

    def record_many(
        self, rows: Iterable[Mapping[str, Any]], *, _where: list[str] | None = None
    ) -> list[dict[str, Any]]:
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
        rows = list(rows)
        where = _where or [f"rows[{i}]" for i in range(len(rows))]
        ctx = _context("manual")
        clean, problems = [], []
        for raw, label in zip(rows, where, strict=True):
            if not isinstance(raw, Mapping):
                problems.append(Problem(label, "row", raw, "must be a mapping of column to value"))
                continue
            values, found = _validate(raw, label, ctx)
            clean.append(values)
            problems += found
        if problems:
            header = _header(len(rows), problems) if where != ["record"] else ""
            raise LogValidationError(problems, header=header)
        if not clean:
            return []
        shared = None
        for values in clean:
            if values["session_id"] is None:
                shared = shared or new_session_id(values["started_at"], ctx.tz)
                values["session_id"] = shared
        self._write(clean, where)
        return [_as_stored(values, ctx.tz) for values in clean]

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
        with self._lock:
            rows = self._db.execute(f"{_SELECT} ORDER BY started_at, row_id").fetchall()
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
        an interrupted export never leaves half a file.

        Examples
        --------
        >>> import backkit, tempfile, pathlib
        >>> log = backkit.SessionLog(":memory:")
        >>> _ = log.record(exercise_id="bridge", started_at="2024-05-01T08:00+00:00")
        >>> out = log.export_csv(pathlib.Path(tempfile.mkdtemp()) / "log.csv")
        >>> out.read_text().splitlines()[0].split(",")[:4]
        ['session_id', 'started_at', 'ended_at', 'exercise_id']
        """
        df = self.frame()
        path = Path(path).expanduser()
        text_columns = [_csv_column(df[name]) for name in COLUMNS]
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(tmp, "w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(COLUMNS)
                writer.writerows(zip(*text_columns, strict=True))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return path

    def export_excel(self, path: str | Path) -> Path:
        """Write the log to an Excel workbook (needs ``openpyxl``: ``pip install openpyxl``).

        Excel has no time zones, so the ``log`` sheet shows local times in the
        kit's zone, named in the ``about`` sheet with each column's meaning.
        For an exact copy use :meth:`export_csv`.

        Examples
        --------
        >>> import backkit, tempfile, pathlib
        >>> log = backkit.SessionLog(":memory:")
        >>> _ = log.record(exercise_id="bridge")
        >>> log.export_excel(pathlib.Path(tempfile.mkdtemp()) / "log.xlsx").suffix
        '.xlsx'
        """
        import pandas as pd

        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise ImportError(
                "Excel export needs openpyxl: pip install openpyxl (or pip install "
                "'backkit[excel]'); export_csv works without it"
            ) from None
        tz = kit_timezone()
        df = self.frame(tz=tz)
        sheet = df.astype(object).where(df.notna(), None)
        for name in ("started_at", "ended_at"):
            sheet[name] = df[name].dt.tz_localize(None).astype(object).where(df[name].notna(), None)
        about = pd.DataFrame(
            {
                "column": list(COLUMNS),
                "meaning": [_MEANINGS[name] for name in COLUMNS],
            }
        )
        path = Path(path).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            sheet.to_excel(xl, sheet_name="log", index=False)
            about.to_excel(xl, sheet_name="about", index=False, startrow=3)
            ws = xl.sheets["about"]
            ws["A1"] = f"backkit session log, exported {dt.datetime.now(tz):%Y-%m-%d %H:%M}"
            ws["A2"] = f"Times are local times in {tz}"
            log_sheet = xl.sheets["log"]
            log_sheet.freeze_panes = "A2"
            widths = {"session_id": 24, "started_at": 20, "ended_at": 20, "notes": 40}
            for cell in log_sheet[1]:
                width = widths.get(cell.value, max(10, len(str(cell.value)) + 2))
                log_sheet.column_dimensions[cell.column_letter].width = width
            ws.column_dimensions["A"].width = 16
            ws.column_dimensions["B"].width = 70
            for cells in log_sheet.iter_cols(min_col=2, max_col=3, min_row=2):
                for cell in cells:
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return path

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
        path = Path(path).expanduser()
        label = f"file {path.name}"
        try:
            with open(path, newline="", encoding="utf-8-sig") as f:
                reader = csv.reader(f)
                header = next(reader, None)
                records = list(reader)
        except FileNotFoundError:
            raise LogValidationError(
                [Problem(label, "path", str(path), "does not exist; nothing was imported")],
            ) from None
        except UnicodeDecodeError as err:
            raise LogValidationError(
                [
                    Problem(
                        label,
                        "encoding",
                        str(path),
                        f"is not UTF-8 text ({err.reason}); nothing was imported",
                    )
                ],
            ) from None
        except csv.Error as err:
            raise LogValidationError(
                [
                    Problem(
                        label,
                        "csv",
                        str(path),
                        f"is not a readable CSV file ({err}); nothing was imported",
                    )
                ],
            ) from None
        if header is None:
            raise LogValidationError(
                [
                    Problem(
                        label,
                        "header",
                        "",
                        "the file is empty; expected a header row; nothing was imported",
                    )
                ],
            )
        header = [h.strip() for h in header]
        problems: list[Problem] = []
        for h in header:
            if h not in COLUMNS:
                close = difflib.get_close_matches(h, list(COLUMNS), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append(
                    Problem(f"{label}, row 1 (header)", "column", h, f"is not a log column{hint}")
                )
        if "exercise_id" not in header:
            problems.append(
                Problem(f"{label}, row 1 (header)", "column", "exercise_id", "is required")
            )
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            problems.append(
                Problem(f"{label}, row 1 (header)", "column", dupes, "appears more than once")
            )
        if problems:
            raise LogValidationError(problems, header=_header(len(records), problems))

        ctx = _context("import")
        clean, where = [], []
        for number, record in enumerate(records, start=2):
            if not any(cell.strip() for cell in record):
                continue  # blank line
            here = f"{label}, row {number}"
            if len(record) != len(header):
                problems.append(
                    Problem(
                        here,
                        "row",
                        ",".join(record)[:60],
                        f"has {len(record)} cells; the header has {len(header)}",
                    )
                )
                continue
            values, found = _validate(dict(zip(header, record, strict=True)), here, ctx)
            problems += found
            if not found:
                if values["session_id"] is None:
                    values["session_id"] = new_session_id(values["started_at"], ctx.tz)
                clean.append(values)
                where.append(here)
        if problems:
            raise LogValidationError(problems, header=_header(len(records), problems))
        try:
            return self._write(clean, where, skip_duplicates=skip_duplicates)
        except LogValidationError as err:
            raise LogValidationError(
                err.problems, header=_header(len(records), err.problems)
            ) from None

    def check(self) -> list[str]:
        """Run SQLite's full ``integrity_check`` on the open file; return ``['ok']`` when sound."""
        with self._lock:
            return [r[0] for r in self._db.execute("PRAGMA integrity_check")]


def _header(total: int, problems: Sequence[Problem]) -> str:
    bad = len({p.where for p in problems})
    rows = "row" if total == 1 else "rows"
    return f"{bad} of {total} {rows} rejected; nothing was written:"


def _as_stored(values: dict[str, Any], tz: dt.tzinfo) -> dict[str, Any]:
    """The row as stored, in column order, its times in ``tz`` at the stored precision."""
    out = {name: values[name] for name in COLUMNS}
    for name in ("started_at", "ended_at"):
        if out[name] is not None:
            out[name] = _from_utc_text(_utc_text(out[name])).astimezone(tz)
    return out


def _from_utc_text(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


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


def _csv_column(series: pd.Series) -> list[str]:
    """Format one frame column as CSV text, vectorised where pandas allows."""
    import numpy as np
    import pandas as pd

    missing = series.isna().to_numpy()
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        # ISO 8601 local time plus its UTC offset, e.g. 2024-05-01T10:00:00.000000+02:00
        local = series.dt.tz_localize(None)
        utc = series.dt.tz_convert("UTC").dt.tz_localize(None)
        minutes = ((local - utc) // pd.Timedelta(minutes=1)).fillna(0).astype(int)
        offsets = {
            m: f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
            for m in minutes.unique()
        }
        wall = np.datetime_as_string(local.to_numpy(dtype="datetime64[us]"), unit="us")
        out = np.char.add(wall, minutes.map(offsets).to_numpy(dtype=str)).astype(object)
    elif str(series.dtype) == "Float64":
        # repr() is the shortest text that reads back as the same float
        out = np.array([repr(float(v)) if v is not pd.NA else "" for v in series], dtype=object)
    else:
        out = series.astype(object).astype(str).to_numpy(dtype=object, copy=True)
    out[missing] = ""
    return out.tolist()


_MEANINGS = {
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
