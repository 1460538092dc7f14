"""The store: one SQLite file, opened safely, upgraded by its components' migration sets.

:class:`Store` owns the file the session log and the check-ins share. Before
anything writes, it checks that the file is an intact SQLite database (its
header, then a read-only ``PRAGMA quick_check``) holding a backkit schema this
backkit can read; a damaged, foreign or too-new file raises
:class:`~backkit.errors.LogFileError` and is never written to. A new file is
built under a temporary name and linked into place, so a crash never leaves
half a store. Writes use the WAL journal, ``synchronous=FULL`` (a write is on
disk when it returns) and a busy timeout, so two notebooks can write at once.

Reading never writes. A store opens its file for reading only and becomes a
writer at its first :meth:`Store.transaction`; that first write also marks the
file open (``meta.closed_cleanly = 'no'``, checkpointed into the file itself),
and closing a store that wrote marks it closed (``'yes'``). A store that only
read leaves the file, and the folder, byte for byte as they were, and never
sets or clears the mark of a writer that is live or was killed; so a later
opening can still tell a killed writer whose ``-wal`` was lost. Only an upgrade
of an older file's schema writes at opening. A full disk still reads.

Each component declares the steps of its own tables as a named migration set
(:class:`Migrations`, after ``sqlite-migrate``, the migrations of
``sqlite-utils``): ``MIGRATIONS`` in :mod:`backkit.log` (sets ``bouts``,
``sessions``, ``changes``), :mod:`backkit.outcomes` (``outcomes``) and
:mod:`backkit.conditions` (``conditions``). The file records each step it has
by ``(migration_set, name, applied_at)`` in its ``migrations`` table, and
opening applies the steps it lacks, set by set, each set in its own order, in
one transaction. So a set gains a step without any other knowing, and no module
needs another's steps: :func:`kit_migrations` imports the modules listed in
:data:`COMPONENTS` when a log is opened (by :class:`~backkit.log.SessionLog`,
the one door every reader and writer of a log goes through), so every file
gets every table the kit reads. A file that records a step or a set this
backkit does not know was written by a newer backkit, and is never written to.

``meta.schema_version`` is 9 (:data:`SCHEMA_VERSION`): "steps recorded by
name". Files of versions 1 to 8 kept only that number, the steps being then
one numbered list; each step keeps its old number (:attr:`Migration.was`), so
opening such a file records the steps it has by name, applies only the ones it
lacks, and sets 9, which an older backkit refuses as too new.

Tables read with :meth:`Store.query` and write inside :meth:`Store.transaction`
(after ``sqlite_utils.db.Database.atomic()``: all or nothing, nesting with
savepoints).

:func:`write_atomically` is the kit's one way to write a whole file (an
export, a report): to a temporary name, flushed, then renamed into place.

Examples
--------
>>> from backkit.store import Migrations, Store
>>> notes = Migrations("notes")
>>> _ = notes.add("create", "the notes table", "CREATE TABLE notes (text TEXT)")
>>> with Store(":memory:", [notes]) as store:
...     with store.transaction() as db:
...         _ = db.execute("INSERT INTO notes VALUES ('stiff')")
...     store.query("SELECT text FROM notes"), store.query("SELECT * FROM migrations")[0][:2]
([('stiff',)], ('notes', 'create'))
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import errno
import functools
import importlib
import os
import re
import shutil
import sqlite3
import struct
import tempfile
import threading
import urllib.parse
import uuid
import warnings
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from . import config
from ._version import __version__
from .config import PRIVATE_FILE_MODE
from .errors import LogError, LogFileError, LogFileWarning, Message, shown
from .i18n import N_

__all__ = [
    "BUSY_SECONDS",
    "COMPONENTS",
    "SCHEMA_VERSION",
    "SQLITE_HEADER",
    "Migration",
    "Migrations",
    "Store",
    "describe_os_error",
    "from_utc_text",
    "from_utc_texts",
    "kit_migrations",
    "remove_stale_temp_files",
    "scratch_folder",
    "snapshot",
    "utc_text",
    "write_atomically",
]

#: How long a write waits for another program's write lock before giving up.
BUSY_SECONDS = 30.0
#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"
# times are stored as UTC text, microseconds, sortable: YYYY-MM-DDTHH:MM:SS.ffffffZ
# the stored form, exactly (ASCII digits: a time in another script's digits is damage)
_STORED_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z", re.ASCII)


def utc_text(moment: dt.datetime) -> str:
    """Return an aware ``moment`` as the store keeps times: UTC text, sortable.

    Examples
    --------
    >>> import datetime as dt
    >>> utc_text(dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    '2024-05-01T08:00:00.000000Z'
    """
    # isoformat is several times faster than strftime (a million bouts are exported)
    utc = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return f"{utc.isoformat(timespec='microseconds')}Z"


def from_utc_text(text: str) -> dt.datetime:
    """Read a time stored by :func:`utc_text` back as an aware UTC ``datetime``.

    Examples
    --------
    >>> from_utc_text("2024-05-01T08:00:00.000000Z")
    datetime.datetime(2024, 5, 1, 8, 0, tzinfo=datetime.timezone.utc)
    """
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------
# Private files: modes, temporary files, faults in words

# ".<name>.<32 hex>.tmp<suffix>", and a temporary log's -wal / -shm
_TEMP = re.compile(r"\..+\.[0-9a-f]{32}\.tmp[^/]*")


@contextlib.contextmanager
def _temp_file(path: Path, suffix: str | None = None) -> Iterator[Path]:
    """A new ``0600`` temporary file beside ``path``, locked while the block runs.

    The lock (``flock``, released by the system when the process dies) lets
    :func:`remove_stale_temp_files` tell a temporary file a live writer is
    filling from one a killed writer left behind.
    """
    stem = path.name if suffix is None else path.stem
    tmp = path.with_name(f".{stem}.{uuid.uuid4().hex}.tmp{suffix or ''}")
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        _lock(fd)
        yield tmp
    finally:
        os.close(fd)
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


@contextlib.contextmanager
def scratch_folder(path: str | Path) -> Iterator[Path]:
    """A new ``0700`` folder beside ``path`` for a writer's scratch files, removed afterwards.

    For a library that stages a large file in pieces (the Excel writer):
    named and locked like a temporary file, so that one a killed writer
    left behind is removed by :func:`remove_stale_temp_files`, and so never
    lingers with health data in it.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from backkit.store import scratch_folder
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "log.xlsx"
    >>> with scratch_folder(out) as scratch:
    ...     _ = (scratch / "part").write_text("rows")
    >>> scratch.exists()
    False
    """
    path = Path(path)
    folder = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmpdir")
    os.mkdir(folder, 0o700)
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        _lock(fd)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


def _lock(fd: int, wait: bool = True) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: no flock; stale files are then left alone
        return not wait
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def remove_stale_temp_files(folder: str | Path) -> list[Path]:
    """Delete the temporary files a killed backkit left in ``folder``; return them.

    Only backkit's own names (``.<name>.<32 hex digits>.tmp...``) whose
    writer is gone are removed: a file another backkit is still writing is
    locked and stays. They may hold notes, so they do not linger.
    """
    removed = []
    with contextlib.suppress(OSError):
        names = [
            e
            for e in os.scandir(folder)
            if _TEMP.fullmatch(e.name) and (e.is_file() or e.is_dir(follow_symlinks=False))
        ]
        for entry in names:
            if _stale(Path(entry.path)):
                with contextlib.suppress(FileNotFoundError):
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path)  # a scratch folder (scratch_folder)
                    else:
                        os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _stale(tmp: Path) -> bool:
    main = re.sub(r"-(wal|shm|journal)$", "", str(tmp))
    if main != str(tmp) and Path(main).exists():
        return _stale(Path(main))  # a -wal / -shm goes with its temporary log
    if main != str(tmp):
        return True
    try:
        fd = os.open(tmp, os.O_RDONLY)
    except OSError:
        return False
    try:
        return _lock(fd, wait=False)
    finally:
        os.close(fd)


def _tighten(path: Path) -> None:
    """Make a log and its -wal / -shm ``0600`` (a log made by an older backkit may be 0644)."""
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            if file.stat().st_mode & 0o077:
                os.chmod(file, PRIVATE_FILE_MODE)


_SQLITE_FULL, _SQLITE_READONLY, _SQLITE_BUSY, _SQLITE_IOERR, _SQLITE_CANTOPEN = 13, 8, 5, 10, 14
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


def describe_os_error(err: OSError, path: str | Path, doing: str) -> OSError:
    """``err`` said in words for ``path``: the disk is full, the folder is read-only, ...

    ``doing`` names what failed ("writing the file"). The result is an
    ``OSError`` naming ``path`` (the command line shows it in one line).

    Examples
    --------
    >>> import errno
    >>> from backkit.store import describe_os_error
    >>> describe_os_error(OSError(errno.ENOSPC, "No space"), "/x/log.csv", "exporting").strerror
    'exporting failed: the disk is full. Nothing was written; the file is as it was.'

    """
    fault = _fault(err, Path(path), doing)
    if isinstance(fault, OSError):
        return fault
    failed = Message(
        N_("{doing} failed: {reason}"), doing=Message(doing), reason=str(err.strerror or err)
    )
    return OSError(err.errno, shown(failed), str(path))


def _end_read(db: sqlite3.Connection) -> None:
    """End a read transaction, even on a file too damaged to COMMIT.

    Nothing was written, so the failed COMMIT changes nothing: the error the
    reading raised is the one to show.
    """
    if db.in_transaction:
        try:
            db.execute("COMMIT")
        except sqlite3.DatabaseError:
            with contextlib.suppress(sqlite3.DatabaseError):
                db.rollback()


def _fault(err: BaseException, path: Path, doing: str) -> LogFileError | OSError | None:
    """The error to show for a failure of the system (disk full, read-only, locked), or None."""
    if isinstance(err, sqlite3.Error):
        code = (getattr(err, "sqlite_errorcode", 0) or 0) & 0xFF
        text = str(err)
        said = Message(doing)  # what failed, said in the person's words where it is shown
        if code == _SQLITE_FULL or "disk is full" in text:
            return LogFileError(path, _disk_full(said))
        if code == _SQLITE_READONLY or "readonly" in text:
            return LogFileError(
                path,
                Message(
                    N_("is read-only: {doing} is not possible. {read_only}"),
                    doing=said,
                    read_only=_READ_ONLY,
                ),
            )
        if code == _SQLITE_BUSY or "locked" in text:
            return LogFileError(
                path,
                Message(
                    N_(
                        "{doing} waited {seconds} s for another program's write lock on the "
                        "log and gave up. Close the other notebook or program and try again. "
                        "{nothing}"
                    ),
                    doing=said,
                    seconds=f"{BUSY_SECONDS:g}",
                    nothing=_NOTHING,
                ),
            )
        if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text:
            damaged = Message(
                N_("{doing} failed: the file {damaged}"), doing=said, damaged=_damaged(text)
            )
            return LogFileError(path, damaged)
        # Python 3.10 has no sqlite_errorcode: the message says it
        io_error = code in (_SQLITE_IOERR, _SQLITE_CANTOPEN) or (
            code == 0 and ("disk I/O error" in text or "unable to open database" in text)
        )
        if io_error and _no_space(path):
            # SQLite says only "disk I/O error" when the -shm cannot grow
            return LogFileError(path, _disk_full(said))
        if io_error:
            return LogFileError(
                path,
                Message(
                    N_(
                        "{doing} failed: the system could not read or write the file ({error}). "
                        "The disk may be full, removed or failing. {nothing}"
                    ),
                    doing=said,
                    error=text,
                    nothing=_NOTHING,
                ),
            )
        return None
    if isinstance(err, OSError):
        if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            # an OSError keeps its words as they are: said now, in the person's language
            if err.errno != errno.EFBIG:
                return OSError(err.errno, shown(_disk_full(Message(doing))), str(path))
            too_large = Message(
                N_("{doing} failed: the file is too large. {nothing}"),
                doing=Message(doing),
                nothing=_NOTHING,
            )
            return OSError(err.errno, shown(too_large), str(path))
        if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            read_only = Message(N_("is read-only: {doing} is not possible"), doing=Message(doing))
            return OSError(err.errno, shown(read_only), str(path))
    return None


def _disk_full(doing: Message) -> Message:
    # Translators: {doing} is what failed, e.g. "reading the log"; {nothing} is
    # "Nothing was written; the file is as it was."
    return Message(N_("{doing} failed: the disk is full. {nothing}"), doing=doing, nothing=_NOTHING)


def _no_space(path: Path) -> bool:
    """Whether the file system holding ``path`` has no free block left."""
    try:
        return os.statvfs(path.parent).f_bavail == 0
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


_NOTHING = Message(N_("Nothing was written; the file is as it was."))
_MARK = "INSERT OR REPLACE INTO meta (key, value) VALUES ('closed_cleanly', ?)"
_READ_ONLY = Message(
    N_(
        "It can be read but not written; to write, copy it to a folder you can write to "
        "or change its permissions."
    )
)


# --------------------------------------------------------------------------
# Schema steps


#: One statement of a schema step: SQL, or a function of the connection for
#: what SQL alone cannot do (as ``sqlite_utils`` migrations are functions).
Statement: TypeAlias = "str | Callable[[sqlite3.Connection], object]"

#: What ``meta.schema_version`` says from here on: the file records each schema
#: step it has by name (table ``migrations``). Files of versions 1 to 8 kept only
#: that number; an older backkit refuses a file at 9 as too new, never writing it.
SCHEMA_VERSION = 9

#: The modules that declare the kit's migration sets, each as its ``MIGRATIONS``
#: (one :class:`Migrations`, or several), in the order a new file gets them.
COMPONENTS = ("backkit.log", "backkit.outcomes", "backkit.conditions")

# The table where a file records each step it has. ``applied_at`` of a step
# that a file of version 1-8 already had is the time of the upgrade that
# recorded it (the old file kept no time per step).
_RECORD = """CREATE TABLE migrations (
    migration_set TEXT NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (migration_set, name)
)"""


@dataclass(frozen=True)
class Migration:
    """One named step of a migration set: what it does and its statements.

    ``migration_set`` names the set it belongs to (the :class:`Migrations` it
    was added to). ``was`` is the number the step had when all steps shared
    one numbered list (files of schema version 1 to 8 record only that
    number); a step added since has none. A statement is SQL, or a function
    called with the connection inside the upgrade's transaction.
    """

    name: str
    description: str
    statements: tuple[Statement, ...]
    migration_set: str = ""
    was: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        """``(migration_set, name)``: how the file records the step."""
        return self.migration_set, self.name


class Migrations:
    """A component's migration set: its name and its named steps, in order.

    After ``sqlite_migrate.Migrations``: the module that owns a table
    declares its set as ``MIGRATIONS`` (and is listed in :data:`COMPONENTS`);
    the file records each step it has by ``(set, name)``, so a set gains a
    step without any other set knowing. To change a table, add a step with a
    new name at the end; never rename, reorder or remove one. ``steps`` starts
    the set with those of another (a set like it with one more step).

    Examples
    --------
    >>> from backkit.store import Migrations
    >>> notes = Migrations("notes")
    >>> notes.add("create", "the notes table", "CREATE TABLE notes (text TEXT)").key
    ('notes', 'create')
    >>> notes
    Migrations('notes': create)
    """

    def __init__(self, name: str, steps: Iterable[Migration] = ()):
        self.name = name
        self._steps: list[Migration] = []
        for step in steps:
            self.add(step.name, step.description, *step.statements, was=step.was)

    def add(
        self, name: str, description: str, *statements: Statement, was: int | None = None
    ) -> Migration:
        """Declare the next step, ``name``; return it."""
        if any(step.name == name for step in self._steps):
            raise LogError(
                Message(
                    N_("the migration set {migration_set} already has a step named {step}"),
                    migration_set=repr(self.name),
                    step=repr(name),
                )
            )
        step = Migration(name, description, tuple(statements), self.name, was)
        self._steps.append(step)
        return step

    def __iter__(self) -> Iterator[Migration]:
        return iter(self._steps)

    def __len__(self) -> int:
        return len(self._steps)

    def __repr__(self) -> str:
        return f"Migrations({self.name!r}: {', '.join(s.name for s in self._steps)})"


def kit_migrations() -> tuple[Migrations, ...]:
    """Every migration set of the kit: each :data:`COMPONENTS` module's ``MIGRATIONS``.

    The modules are imported here, when a log is opened, not by one another:
    so the log's own module needs no other component's, and a file opened by
    any door gets every table the kit reads.

    Examples
    --------
    >>> from backkit.store import kit_migrations
    >>> [s.name for s in kit_migrations()]
    ['bouts', 'sessions', 'changes', 'outcomes', 'conditions']
    """
    sets: list[Migrations] = []
    for module in COMPONENTS:
        declared = importlib.import_module(module).MIGRATIONS
        sets += [declared] if isinstance(declared, Migrations) else list(declared)
    return tuple(sets)


def _steps(sets: Iterable[Migrations]) -> tuple[Migration, ...]:
    """The steps of ``sets`` in the order they apply: set by set, each in its own order."""
    sets = list(sets)
    names = [s.name for s in sets]
    if len(set(names)) != len(names):
        raise LogError(Message(N_("the migration sets {names} name one set twice"), names=names))
    steps = tuple(step for migrations in sets for step in migrations)
    was = [s.was for s in steps if s.was is not None]
    if len(set(was)) != len(was):
        raise LogError(
            Message(
                N_("the steps' old numbers are {numbers}; each may be given once"),
                numbers=sorted(was),
            )
        )
    return steps


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]


def _schema_version(conn: sqlite3.Connection) -> int | None:
    """Read the file's schema version: 0 for an empty database, None if not a backkit log."""
    tables = _tables(conn)
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


def _too_new(detail: str) -> Message:
    return Message(
        N_(
            "was written by a newer backkit ({detail}). Upgrade backkit to open it; "
            "the file was not changed."
        ),
        detail=Message(detail),
    )


def _not_a_log(conn: sqlite3.Connection) -> Message:
    return Message(
        N_(
            "is an SQLite database but not a backkit session log (it has no schema version; "
            "tables: {tables}). Pass another path; the file was not changed."
        ),
        tables=", ".join(_tables(conn)),
    )


def _damaged(detail: str) -> Message:
    return Message(
        N_(
            "is damaged ({detail}). It was not changed: keep it for recovery (e.g. the "
            "sqlite3 command's .recover), restore a backup, or open a new log at another path."
        ),
        detail=Message(detail),
    )


@dataclass(frozen=True)
class _Plan:
    """What opening a file must do, as read from it (reading only)."""

    version: int  # meta.schema_version: 0 for an empty database
    had: tuple[Migration, ...]  # steps a file of version 1-8 has but does not record by name
    pending: tuple[Migration, ...]  # steps it lacks, in the order they apply

    @property
    def writes(self) -> bool:
        """Whether opening must write: steps to apply, or steps to record by name."""
        return self.version < SCHEMA_VERSION or bool(self.pending)


def _plan(conn: sqlite3.Connection, path: Path, steps: Sequence[Migration]) -> _Plan:
    """Read which of ``steps`` the file has; refuse a file that is not a log or is too new."""
    version = _schema_version(conn)
    if version is None:
        raise LogFileError(path, _not_a_log(conn))
    if version > SCHEMA_VERSION:
        reads = Message(
            N_("schema version {version}; this backkit {release} reads up to {newest}"),
            version=version,
            release=__version__,
            newest=SCHEMA_VERSION,
        )
        raise LogFileError(path, _too_new(reads))
    if version < SCHEMA_VERSION:
        if "migrations" in _tables(conn):
            problem = Message(
                N_("its schema version is {version} but it has a migrations table, new in 9"),
                version=version,
            )
            raise LogFileError(path, _damaged(problem))
        # A file of version 1-8 has exactly the steps numbered up to its version.
        had = tuple(s for s in steps if s.was is not None and s.was <= version)
        if len(had) < version:
            reads = Message(
                N_("schema version {version}; this backkit {release} knows {count} of its steps"),
                version=version,
                release=__version__,
                count=len(had),
            )
            raise LogFileError(path, _too_new(reads))
        return _Plan(version, had, tuple(s for s in steps if s not in had))
    if "migrations" not in _tables(conn):
        no_table = N_("its schema version is 9 but it has no migrations table")
        raise LogFileError(path, _damaged(no_table))
    recorded = set(conn.execute("SELECT migration_set, name FROM migrations").fetchall())
    unknown = sorted(recorded - {s.key for s in steps}, key=repr)
    if unknown:
        # a step a later backkit added to a set, or a whole set: not ours to write.
        # Each name as repr, cut short: it comes from the file, which may be hostile.
        named = ", ".join(f"{repr(n)[:60]} of {repr(m)[:60]}" for m, n in unknown[:3])
        if len(unknown) > 3:
            detail = Message(
                N_(
                    "it has schema steps this backkit {release} does not know: {steps} and "
                    "{more} more"
                ),
                release=__version__,
                steps=named,
                more=len(unknown) - 3,
            )
        else:
            detail = Message(
                N_("it has schema steps this backkit {release} does not know: {steps}"),
                release=__version__,
                steps=named,
            )
        raise LogFileError(path, _too_new(detail))
    return _Plan(version, (), tuple(s for s in steps if s.key not in recorded))


def _migrate(
    conn: sqlite3.Connection, path: Path, steps: Sequence[Migration]
) -> tuple[int, tuple[Migration, ...]]:
    """Apply the steps the file lacks, in one transaction; return its old version and them."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read the file under the write lock: another process may have
        # upgraded it since we looked.
        plan = _plan(conn, path, steps)
        if plan.writes:
            now = utc_text(config.now())
            if plan.version == 0:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
                )
            if plan.version < SCHEMA_VERSION:
                conn.execute(_RECORD)
            for step in plan.pending:
                _apply(conn, path, step)
            conn.executemany(
                "INSERT INTO migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
                [(*step.key, now) for step in (*plan.had, *plan.pending)],
            )
            meta = {"schema_version": str(SCHEMA_VERSION), "written_by": f"backkit {__version__}"}
            if plan.version == 0:
                meta["created_at"] = now
            elif plan.version < SCHEMA_VERSION:
                meta[f"upgraded_from_v{plan.version}_at"] = now
            conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite has already rolled back after some errors
            conn.execute("ROLLBACK")
        raise
    return plan.version, plan.pending


def _apply(conn: sqlite3.Connection, path: Path, step: Migration) -> None:
    try:
        for statement in step.statements:
            if callable(statement):
                statement(conn)
            else:
                conn.execute(statement)
    except sqlite3.Error as err:
        raise LogFileError(
            path,
            Message(
                N_(
                    "cannot upgrade the log with the schema step {step} of {migration_set} "
                    "({description}): {error}. The file was not changed."
                ),
                step=repr(step.name),
                migration_set=repr(step.migration_set),
                description=step.description,
                error=str(err),
            ),
        ) from err


# --------------------------------------------------------------------------
# Opening a file safely


def _precheck(path: Path) -> None:
    """Refuse, before SQLite touches it, a file that is plainly not an intact SQLite file."""
    if path.is_dir():
        raise LogFileError(path, N_("is a folder, not a log file"))
    size = path.stat().st_size
    if size == 0:
        raise LogFileError(
            path,
            N_(
                "is empty (0 bytes): not a backkit log, or a log that was truncated. It was not "
                "changed; move it aside (or delete it if you made it) and open the log again."
            ),
        )
    with open(path, "rb") as f:
        header = f.read(100)
    if not header.startswith(SQLITE_HEADER[: len(header)]) or len(header) < 16:
        raise LogFileError(
            path,
            N_(
                "is not an SQLite database, so not a backkit log (to bring in a CSV file use "
                "SessionLog().import_csv(path)). The file was not changed."
            ),
        )
    if len(header) < 100:
        short = Message(N_("it is only {size} bytes long"), size=size)
        raise LogFileError(path, _damaged(short))
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96]
    wal = Path(f"{path}-wal")
    # With a live WAL the main file may legitimately lag its header; SQLite
    # replays the WAL and quick_check judges instead.
    live_wal = wal.exists() and wal.stat().st_size > 0
    if header_valid and pages and not live_wal and size < pages * page_size:
        truncated = Message(
            N_("it is {size} bytes but its header says {expected}; truncated"),
            size=size,
            expected=pages * page_size,
        )
        raise LogFileError(path, _damaged(truncated))


def _uri(path: Path, mode: str) -> str:
    return f"file:{urllib.parse.quote(str(path.resolve()))}?mode={mode}"


def _schema_text(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """The file's table and index definitions, as SQLite keeps them (whitespace folded)."""
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [(kind, name, " ".join((sql or "").split())) for kind, name, sql in rows]


@functools.lru_cache(maxsize=8)
def _expected_schema(steps: tuple[Migration, ...]) -> list[tuple[str, str, str]]:
    """The definitions a file at the last of ``steps`` has: made in memory, the same way."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        _migrate(conn, Path(":memory:"), steps)
        return _schema_text(conn)
    finally:
        conn.close()


def _inspect(path: Path, steps: Sequence[Migration]) -> tuple[_Plan, str | None]:
    """Read-only checks before anything writes: ``PRAGMA quick_check`` and the schema steps.

    Returns what opening must do and the ``closed_cleanly`` mark. A log with no
    ``-wal`` is read as immutable, so a refused file gets nothing beside it.
    """
    try:
        conn = _read_only_connection(path)
    except sqlite3.Error as err:
        raise LogFileError(path, Message(N_("cannot be opened: {error}"), error=str(err))) from None
    try:
        result = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if result != ["ok"]:
            raise LogFileError(path, _damaged("; ".join(result[:3])))
        plan = _plan(conn, path, steps)
        if not plan.writes and _schema_text(conn) != _expected_schema(tuple(steps)):
            # a flipped byte in a table's definition passes quick_check, and
            # would make every later read or check of that table wrong
            problem = N_("its table definitions are not the ones backkit writes")
            raise LogFileError(path, _damaged(problem))
        mark = None
        if plan.version:  # an empty database has no meta table yet
            mark = conn.execute("SELECT value FROM meta WHERE key = 'closed_cleanly'").fetchone()
        _declared_columns(conn)  # the schema's own text must read, before anything writes
    except UnicodeDecodeError as err:  # quick_check's report or the schema is not UTF-8
        unreadable = Message(N_("unreadable text: {reason}"), reason=err.reason)
        raise LogFileError(path, _damaged(unreadable)) from None
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err):
            not_sqlite = N_("is not an SQLite database, so not a backkit log")
            raise LogFileError(path, not_sqlite) from None
        fault = _fault(err, path, N_("reading the log"))
        raise (fault or LogFileError(path, _damaged(str(err)))) from None
    finally:
        conn.close()
    return plan, (mark[0] if mark else None)


def _read_only_connection(path: Path, *, threads: bool = False) -> sqlite3.Connection:
    """Open ``path`` for reading only; with no ``-wal`` beside it, create nothing beside it."""
    live = Path(f"{path}-wal").exists()
    mode = "ro" if live else "ro&immutable=1"
    return sqlite3.connect(
        _uri(path, mode),
        uri=True,
        timeout=BUSY_SECONDS,
        isolation_level=None,
        check_same_thread=not threads,
    )


def _create(path: Path, steps: Sequence[Migration]) -> tuple[Migration, ...]:
    """Create a new, fully initialised store at ``path`` without ever replacing a file.

    The store is built in a temporary ``0600`` file and linked into place, so
    a crash never leaves a half-made store (the next open removes the
    temporary file), and when two processes create the same file at once
    one wins and the other opens it. A full disk or a read-only folder is
    said in words, naming ``path``; nothing is left behind. Returns the
    steps applied: none when another process created the file first.
    """
    try:
        config.output_folder(path)  # a new log's folder: in the data home, or it must exist
        with _temp_file(path) as tmp:
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                _, applied = _migrate(conn, tmp, steps)
            finally:
                conn.close()
            _fsync(tmp)
            try:
                os.link(tmp, path)
            except FileExistsError:
                applied = ()  # another process created it first: open theirs
            except OSError as err:
                if err.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT):
                    raise
                # No hard links on this file system: fall back to a rename that
                # still refuses to replace an existing file (a small race remains).
                if path.exists():
                    applied = ()
                else:
                    os.replace(tmp, path)
            _fsync_dir(path.parent)
    except (sqlite3.Error, OSError) as err:
        fault = _fault(err, path, N_("creating the log"))
        if fault is None:
            cannot = Message(N_("cannot be created: {error}"), error=str(err))
            raise LogFileError(path, cannot) from None
        raise fault from None
    return applied


def _fsync(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _connect(
    path: Path,
    steps: Sequence[Migration],
    synchronous: str,
    doing: str = N_("opening the log for writing"),
) -> tuple[sqlite3.Connection, int, tuple[Migration, ...]]:
    """Open a checked file for writing, upgrade it, then switch it to the WAL journal.

    Returns the connection, the schema version the file had and the steps applied.
    """
    try:
        conn = _read_write_connection(path)
    except sqlite3.Error as err:
        cannot = Message(N_("cannot be opened for writing: {error}"), error=str(err))
        raise LogFileError(path, cannot) from None
    try:
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        version, applied = _migrate(conn, path, steps)
        # Only now, with the file known good and current, may its journal change.
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            wal = Message(N_("cannot use the WAL journal (got {mode})"), mode=repr(mode))
            raise LogFileError(path, wal)
    except sqlite3.Error as err:
        conn.close()
        fault = _fault(err, path, doing)
        cannot = Message(N_("cannot be opened for writing: {error}"), error=str(err))
        raise (fault or LogFileError(path, cannot)) from None
    except BaseException:
        conn.close()
        raise
    return conn, version, applied


def _writable(path: Path) -> bool:
    """Whether the log can be written: the file, and its folder (where -wal and -shm live)."""
    if not os.access(path, os.W_OK):
        return False
    if os.access(path.parent, os.W_OK | os.X_OK):
        return True
    side = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    return all(p.exists() and os.access(p, os.W_OK) for p in side)


def _open_read_only(path: Path, plan: _Plan) -> sqlite3.Connection:
    if plan.writes:
        lacks = ", ".join(f"{s.name!r} of {s.migration_set!r}" for s in plan.pending[:3])
        detail = (
            Message(
                N_("schema version {version}; this backkit writes {newest}"),
                version=plan.version,
                newest=SCHEMA_VERSION,
            )
            if plan.version < SCHEMA_VERSION
            else Message(N_("it lacks the schema steps {steps}"), steps=lacks)
        )
        raise LogFileError(
            path,
            Message(
                N_(
                    "is read-only, and was written by an older backkit ({detail}), so it must be "
                    "upgraded, which is a write. Copy it to a folder you can write to and open "
                    "the copy. The file was not changed."
                ),
                detail=detail,
            ),
        )
    try:
        return _read_only_connection(path, threads=True)
    except sqlite3.Error as err:
        cannot = Message(
            N_("is read-only and cannot be opened for reading: {error}"), error=str(err)
        )
        raise LogFileError(path, cannot) from None


def _read_write_connection(path: Path) -> sqlite3.Connection:
    """A connection that may write ``path`` (never creating it), shared by every thread."""
    return sqlite3.connect(
        _uri(path, "rw"),
        uri=True,
        isolation_level=None,
        timeout=BUSY_SECONDS,
        check_same_thread=False,
    )


def _reader(path: Path, synchronous: str) -> sqlite3.Connection:
    """A connection that reads ``path`` and leaves it, and the folder, as they were.

    With no ``-wal`` beside the log (it was closed cleanly and nobody has it
    open), a read-write connection that does not write: SQLite makes an empty
    ``-wal`` and ``-shm`` while it is open and, as the last connection, removes
    them at close without changing the file. With a ``-wal`` (another program
    has the log open, or one stopped without closing it), a read-only one,
    which never checkpoints: the ``-wal`` stays as it was for its writer. On a
    full disk, where not even the ``-shm`` can be made, the file is read as
    immutable (nothing made beside it).
    """
    if Path(f"{path}-wal").exists():
        conn = _read_only_connection(path, threads=True)
    else:
        conn = _read_write_connection(path)
        try:
            with _nothing_left_beside(path):
                # the first read makes the -wal and -shm: a full disk shows here
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as err:
            conn.close()
            if _fault(err, path, "reading") is None:
                raise
            conn = _read_only_connection(path, threads=True)
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    return conn


def _close_reader(conn: sqlite3.Connection, path: Path) -> None:
    """Close a connection that only read, leaving the file and any writer's ``-wal`` as they are.

    The last connection to close checkpoints the ``-wal`` into the file and
    removes it. For one that only read, that is right for its own empty
    ``-wal``, and for one a writer left after closing cleanly; but not for
    the ``-wal`` of a writer that stopped without closing while this one
    read (the file still says ``closed_cleanly = 'no'``): checkpointed, its
    loss could no longer be told from a lost ``-wal``. A read-only
    connection holding a snapshot meanwhile keeps the close from checkpointing.
    """
    wal = Path(f"{path}-wal")
    hold = None
    try:
        if wal.exists() and wal.stat().st_size > 0:
            mark = conn.execute("SELECT value FROM meta WHERE key = 'closed_cleanly'").fetchone()
            if mark is not None and mark[0] == "no":
                hold = sqlite3.connect(_uri(path, "ro"), uri=True, isolation_level=None)
                hold.execute("BEGIN")
                hold.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except (sqlite3.Error, OSError):
        pass  # the close checkpoints as SQLite does; the file stays sound
    finally:
        conn.close()
        if hold is not None:
            hold.close()


@contextlib.contextmanager
def _nothing_left_beside(path: Path) -> Iterator[None]:
    """When opening fails, remove the empty -wal / -shm the attempt made beside ``path``."""
    side = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    before = [p.exists() for p in side]
    try:
        yield
    except BaseException:
        wal, shm = side
        if not before[0] and wal.exists() and wal.stat().st_size == 0:
            with contextlib.suppress(OSError):
                wal.unlink()
        if not before[1] and shm.exists() and not wal.exists():
            with contextlib.suppress(OSError):
                shm.unlink()
        raise


# --------------------------------------------------------------------------
# A log not closed cleanly: is its -wal (its last writes) still there and sound?

_WAL_MAGIC = (0x377F0682, 0x377F0683)


def _wal_warnings(path: Path, mark: str | None) -> list[str]:
    """What to warn about the log's -wal, given the ``closed_cleanly`` mark read at open."""
    wal = Path(f"{path}-wal")
    state, lost = _wal_state(wal, walk=mark == "no")
    kept = ""
    if state in ("damaged", "broken"):
        copy = wal.with_name(f"{wal.name}.damaged-{config.now():%Y%m%d-%H%M%S}")
        with contextlib.suppress(OSError):
            fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
            with os.fdopen(fd, "wb") as f:
                f.write(wal.read_bytes())
            kept = Message(
                N_(" A copy of the damaged file was kept as {copy} for recovery."), copy=copy.name
            )
    if state == "missing" and mark == "no":
        return [
            Message(
                N_(
                    "was not closed cleanly (the program using it stopped) and its -wal file, "
                    "which held its latest writes, is missing: bouts and check-ins recorded in "
                    "that last session may be lost. If you have the file {wal}, put it back "
                    "beside the log before using it."
                ),
                wal=wal.name,
            )
        ]
    if state == "damaged":
        return [
            Message(
                N_(
                    "its -wal file ({wal}, the latest writes) is damaged and SQLite ignores it: "
                    "bouts and check-ins recorded since the log was last closed cleanly may be "
                    "lost.{kept}"
                ),
                wal=wal.name,
                kept=kept,
            )
        ]
    if state == "broken":
        return [
            Message(
                N_(
                    "its -wal file ({wal}, the latest writes) is damaged part-way: {lost} "
                    "committed write(s) after the damage are ignored and may be lost.{kept}"
                ),
                wal=wal.name,
                lost=lost,
                kept=kept,
            )
        ]
    return []


def _wal_state(wal: Path, *, walk: bool) -> tuple[str, int]:
    """'missing', 'damaged' (bad header), 'broken' (commits after a bad frame) or 'ok'."""
    try:
        data = wal.read_bytes()
    except OSError:
        return "missing", 0
    if not data:
        return "missing", 0
    if len(data) < 32:
        return "damaged", 0
    magic, _, page, _, salt1, salt2, c1, c2 = struct.unpack(">8I", data[:32])
    big = magic == _WAL_MAGIC[1]
    if magic not in _WAL_MAGIC or page < 512 or page & (page - 1):
        return "damaged", 0
    if _wal_checksum(data[:24], big, 0, 0) != (c1, c2):
        return "damaged", 0
    if not walk:
        return "ok", 0
    sums, broken, lost, pos = (c1, c2), False, 0, 32
    while pos + 24 + page <= len(data):
        _, commit, a, b, f1, f2 = struct.unpack(">6I", data[pos : pos + 24])
        if (a, b) == (salt1, salt2):
            if not broken:
                frame = data[pos : pos + 8] + data[pos + 24 : pos + 24 + page]
                sums = _wal_checksum(frame, big, *sums)
                broken = sums != (f1, f2)
            elif commit:
                lost += 1
        elif not broken:
            break  # frames of an earlier generation: the log ends here
        pos += 24 + page
    return ("broken", lost) if lost else ("ok", 0)


def _wal_checksum(data: bytes, big: bool, s0: int, s1: int) -> tuple[int, int]:
    """SQLite's WAL checksum over ``data``, continuing from ``(s0, s1)``."""
    words = struct.unpack(f"{'>' if big else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


# --------------------------------------------------------------------------
# Damage quick_check cannot see: a cell of the wrong type, text that is not UTF-8


def _declared_columns(conn: sqlite3.Connection) -> dict[str, tuple[str, bool]]:
    """Each column name of the store's tables: its declared type and whether it may be NULL.

    A name whose tables disagree on its type is left out (it cannot be checked by name).
    """
    out: dict[str, tuple[str, bool]] = {}
    clash = set()
    for table in _tables(conn):
        for _, name, decl, notnull, _, pk in conn.execute(f'PRAGMA table_info("{table}")'):
            kind = decl.upper()
            nullable = not notnull and not pk
            if name in out and out[name][0] != kind:
                clash.add(name)
            out[name] = (kind, nullable or out.get(name, (kind, False))[1])
    return {k: v for k, v in out.items() if k not in clash}


def _cell_problem(value: Any, kind: str, nullable: bool, name: str) -> str | None:
    """Why a stored cell is not what its column holds, or None."""
    if value is None:
        return None if nullable else N_("is empty, but the column needs a value")
    if isinstance(value, bytes):
        return N_("is not UTF-8 text (damaged bytes)")
    if kind == "INTEGER" and not isinstance(value, int):
        return Message(N_("{value} is not a whole number"), value=repr(value))
    if kind == "REAL" and not isinstance(value, (int, float)):
        return Message(N_("{value} is not a number"), value=repr(value))
    if kind == "TEXT":
        if not isinstance(value, str):
            return Message(N_("{value} is not text"), value=repr(value))
        if name.endswith("_at"):
            return _time_problem(value)
    return None


def _time_problem(text: str) -> str | None:
    """Why ``text`` is not a time as :func:`utc_text` writes it, or None.

    Exactly the stored form, ASCII digits only: a flipped separator or digit
    is damage (``strptime`` alone accepts "t" for "T" and " 6" for "06", and
    any script's digits). The same rules as :func:`from_utc_texts`, one value
    at a time.
    """
    found = _STORED_TIME.fullmatch(text)
    if found is None:
        return Message(N_("{value} is not a time"), value=repr(text))
    year, month, day, hour, minute, second = map(int, found.groups())
    if not (
        year >= 1
        and 1 <= month <= 12
        and 1 <= day <= calendar.monthrange(year, month)[1]
        and hour <= 23
        and minute <= 59
        and second <= 59
    ):
        return Message(N_("{value} is not a time"), value=repr(text))
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return Message(
            N_("{value} is not a time backkit writes (year {year})"), value=repr(text), year=year
        )
    return None


# the kit refuses times before 2000; pandas counts time up to 2262
_FIRST_YEAR, _LAST_YEAR = 2000, 2199
# where utc_text puts its separators; every other place holds a digit
_SEPARATORS = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":", 19: ".", 26: "Z"}
_TIME_LENGTH = 27
# up to this many rows, a result is checked cell by cell (cheaper than making columns)
_FEW_ROWS = 64


def from_utc_texts(values: Any) -> Any:
    """Read many times stored by :func:`utc_text` at once, as ``datetime64[us]`` in UTC.

    ``values`` is a sequence (or object array) of stored texts and None;
    None becomes ``NaT``. The result is None when any value is not exactly
    a time backkit writes (the rules of the damage check), so reading and
    checking a column of times is one pass of numpy, not a parse per value.

    Examples
    --------
    >>> from backkit.store import from_utc_texts
    >>> from_utc_texts(["2024-05-01T08:00:00.000000Z", None])
    array(['2024-05-01T08:00:00.000000',                        'NaT'],
          dtype='datetime64[us]')
    >>> from_utc_texts(["2024-04-31T08:00:00.000000Z"]) is None  # no 31 April
    True
    """
    import numpy as np

    column = np.asarray(values, dtype=object).reshape(-1)
    present = column != None  # noqa: E711 (elementwise, over an object array)
    if present.all():  # a column that needs a value: no copies
        micros = _micros(column) if len(column) else np.empty(0, dtype=np.int64)
        return None if micros is None else micros.view("datetime64[us]")
    texts = column[present]
    out = np.full(len(column), np.iinfo(np.int64).min, dtype=np.int64)  # NaT
    if len(texts):
        micros = _micros(texts)
        if micros is None:
            return None
        out[present] = micros
    return out.view("datetime64[us]")


def _micros(texts: Any) -> Any:
    """Microseconds since 1970 of stored times (an object array of str); None if one is not."""
    import numpy as np

    try:
        # Each value ends with a line break. The checks below allow a line
        # break only there, so they pass only when every value has exactly
        # 27 characters (a 26 beside a 28 would put one out of place).
        joined = "\n".join(texts) + "\n"
    except TypeError:  # a number or bytes among the texts
        return None
    n, width = len(texts), _TIME_LENGTH + 1
    if len(joined) != n * width or not joined.isascii():
        return None
    # one row per character place, each contiguous: the passes below stay in cache
    places = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(n, width).T.copy()
    expected = np.frombuffer(f"{''.join(_SEPARATORS.values())}\n".encode("ascii"), dtype=np.uint8)
    if not (places[[*_SEPARATORS, _TIME_LENGTH]] == expected[:, None]).all():
        return None
    digits = places[[i for i in range(_TIME_LENGTH) if i not in _SEPARATORS]] - ord("0")
    if (digits > 9).any():  # unsigned: a character below "0" wraps above 9
        return None

    def number(first: int, count: int) -> Any:
        value = digits[first].astype(np.int64)
        for i in range(first + 1, first + count):
            value = value * 10 + digits[i]
        return value

    year, month, day = number(0, 4), number(4, 2), number(6, 2)
    hour, minute, second = number(8, 2), number(10, 2), number(12, 2)
    in_range = (
        (year >= _FIRST_YEAR)
        & (year <= _LAST_YEAR)
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
    )
    if not in_range.all():
        return None
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    february = leap & (month == 2)
    month_days, days_before_month = _month_tables()
    if (day > month_days[month] + february).any():  # 31 April, 29 February of 2023
        return None
    before = year - 1
    days = (
        365 * (year - 1970)
        + (before // 4 - before // 100 + before // 400 - _LEAP_DAYS_BEFORE_1970)
        + days_before_month[month]
        + (leap & (month > 2))
        + day
        - 1
    )
    seconds = days * 86400 + hour * 3600 + minute * 60 + second
    return seconds * 1_000_000 + number(14, 6)


@functools.cache
def _month_tables() -> tuple[Any, Any]:
    """The days of each month (1-12) of a common year, and the days before it."""
    import numpy as np

    days = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]  # by month, 1-12; February 28
    return np.array(days), np.cumsum([0, 0, *days[1:12]])


_LEAP_DAYS_BEFORE_1970 = 1969 // 4 - 1969 // 100 + 1969 // 400


# What pandas' infer_dtype may call a column's values (None left out), by declared type
_INFERRED = {
    "INTEGER": {"integer"},
    "REAL": {"integer", "floating", "mixed-integer-float"},
    "TEXT": {"string"},
}


def _suspect(rows: list[tuple], description: Any, columns: dict[str, tuple[str, bool]]) -> bool:
    """Whether any checked cell of ``rows`` is damaged: the exact check, cell by cell."""
    checked = [(i, d[0], columns[d[0]]) for i, d in enumerate(description or ()) if d[0] in columns]
    return any(
        _cell_problem(row[i], kind, nullable, name) is not None
        for row in rows
        for i, name, (kind, nullable) in checked
    )


def _suspect_columns(
    values: Sequence[Any],
    names: Sequence[str],
    columns: dict[str, tuple[str, bool]],
    times: dict[int, Any] | None = None,
) -> bool:
    """Whether any checked cell may be damaged: one vectorised pass per column.

    ``values`` holds the result's columns (object arrays). Flags every column
    the exact check (:func:`_cell_problem`) would flag, and nothing a sound
    file holds; a flag is then confirmed cell by cell. The times it reads on
    the way are put in ``times`` (by column position), for the caller to keep.
    """
    from pandas.api.types import infer_dtype

    for position, (column, name) in enumerate(zip(values, names, strict=True)):
        if name not in columns or not len(column):
            continue
        kind, nullable = columns[name]
        allowed = _INFERRED.get(kind)
        if allowed is None:  # a column of no checked type: only its empty cells matter
            if any(_cell_problem(v, kind, nullable, name) for v in column):
                return True
            continue
        # Without skipna an empty cell makes the column "mixed": refused where
        # the column needs a value. (SQLite gives no NaN, which skipna also skips.)
        inferred = infer_dtype(column, skipna=nullable)
        if inferred not in allowed and not (nullable and inferred == "empty"):
            return True
        if kind == "TEXT" and name.endswith("_at"):
            read = from_utc_texts(column)
            if read is None:
                return True
            if times is not None:
                times[position] = read
    return False


def _as_columns(rows: list[tuple], width: int) -> list[Any]:
    """``rows`` as ``width`` object arrays, one per column."""
    import numpy as np

    if not rows:
        return [np.empty(0, dtype=object) for _ in range(width)]
    try:
        # pandas' own step from rows to columns (read_sql and from_records use
        # it): five times faster than numpy's, and pandas is loaded already
        from pandas._libs.lib import to_object_array_tuples  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - a pandas without it
        table = np.empty((len(rows), width), dtype=object)
        table[:] = rows
    else:
        table = to_object_array_tuples(rows)
    return [table[:, i] for i in range(width)]


# --------------------------------------------------------------------------
# The store


class Store:
    """One SQLite file, checked before use and upgraded by ``migrations``.

    Parameters
    ----------
    path : path-like or ":memory:"
        The file; ``":memory:"`` gives a throw-away store.
    migrations : sequence of Migrations
        The migration sets of every table the file holds (the kit's log:
        :func:`kit_migrations`), applied set by set in this order. A file
        that records a set or step not among them is refused as too new.
    create : bool
        Create the file when it does not exist (default). With ``create=False``
        a missing file raises :class:`~backkit.errors.LogFileError`.
    synchronous : {"FULL", "NORMAL"}
        ``FULL`` (default): a write is flushed to disk before it returns.
        ``NORMAL`` is faster and still survives a crash of Python, but a
        power cut may lose the last writes.

    Raises
    ------
    LogFileError
        When the file is not a backkit store, is truncated or corrupted, or
        was written by a newer backkit. The file is never changed.

    Attributes
    ----------
    path : Path
        The file.
    migrated_from : int
        The schema version the file had when opened, before any upgrade (a
        new file is made at the current version; ``":memory:"`` starts at 0).
    applied : tuple of Migration
        The steps this opening applied to the file: none for a file that was
        up to date (or that another process upgraded first).
    read_only : bool
        True when the file (or its folder) cannot be written: it is read
        without creating anything beside it, and :meth:`transaction` raises
        a :class:`~backkit.errors.LogFileError` that says it is read-only.
    warnings : list of str
        What opening found that needs attention but does not stop reading,
        each also given as a :class:`~backkit.errors.LogFileWarning`: a log
        not closed cleanly whose ``-wal`` is missing or damaged (its last
        writes may be lost).

    Notes
    -----
    The file and its ``-wal`` / ``-shm`` are made ``0600`` and new folders
    ``0700`` (only the owner may read health data), whatever the umask.
    Temporary files a killed process left beside the log are removed.

    A file at the current schema is opened for reading: nothing is written
    until the first :meth:`transaction`, which checks the file is still
    current, takes a connection that writes, and marks the file open in the
    same transaction as its rows. A store that never wrote leaves the file
    and its folder byte for byte as they were when it closes.
    """

    def __init__(
        self,
        path: str | Path,
        migrations: Sequence[Migrations] = (),
        *,
        create: bool = True,
        synchronous: str = "FULL",
    ):
        if str(synchronous).upper() not in ("FULL", "NORMAL"):
            raise LogError(
                Message(
                    N_("synchronous = {value}: must be 'FULL' or 'NORMAL'"), value=repr(synchronous)
                )
            )
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self.read_only = False
        # A writer's connection (else one that only reads), and whether a write
        # of this store's has committed, marking the file open (closed_cleanly 'no').
        self._writing = self._marked = False
        self.warnings: list[str] = []
        self._columns: dict[str, tuple[str, bool]] = {}
        steps = _steps(migrations)
        self.applied: tuple[Migration, ...] = ()
        if str(path) == ":memory:":
            self.path = Path(":memory:")
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            self.migrated_from, self.applied = _migrate(conn, self.path, steps)
            self._conn, self._writing, self._marked = conn, True, True  # nothing to mark
            self._columns = _declared_columns(conn)
            return
        self.path = Path(path).expanduser()
        remove_stale_temp_files(self.path.parent)
        if not self.path.exists():
            if not create:
                raise LogFileError(
                    self.path,
                    N_("no log here yet: record a session first, or give the path of a log"),
                )
            self.applied = _create(self.path, steps)
        self._steps, self._synchronous = steps, synchronous.upper()
        with _nothing_left_beside(self.path):
            _precheck(self.path)
            plan, mark = _inspect(self.path, steps)
            self.warnings += _wal_warnings(self.path, mark)
            self.migrated_from = plan.version
            if not _writable(self.path):
                self._conn = _open_read_only(self.path, plan)
                self.read_only = True
            elif plan.writes:
                # an upgrade is a write: made now, in one transaction
                _tighten(self.path)
                self._conn, self.migrated_from, self.applied = _connect(
                    self.path, steps, self._synchronous
                )
                self._writing = True
            else:
                # Read until the first write: nothing is written at open, so a
                # reader leaves the file as it was (issue 23).
                _tighten(self.path)
                self._conn = _reader(self.path, self._synchronous)
        self._columns = _declared_columns(self._conn)
        for message in self.warnings:
            warnings.warn(LogFileWarning(self.path, message), stacklevel=3)

    # -- plumbing ---------------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LogError(N_("the log is closed"), where=self.path)
        return self._conn

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._conn is None

    def close(self) -> None:
        """Close the file (also done on leaving a ``with`` block).

        A store that wrote marks the file closed cleanly; one that only read
        leaves it as it was.
        """
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            if str(self.path) == ":memory:":
                conn.close()
            elif self._marked:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute(_MARK, ["yes"])
                conn.close()
            else:
                _close_reader(conn, self.path)

    def _start_writing(self) -> None:
        """Before the first write: a connection that may write (the file checked current again)."""
        with _nothing_left_beside(self.path):
            conn, _, _ = _connect(
                self.path, self._steps, self._synchronous, N_("writing to the log")
            )
        reader, self._conn, self._writing = self._conn, conn, True
        if reader is not None:
            reader.close()  # the writer's connection is open: this one cannot checkpoint

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else f"schema version {self.schema_version}"
        return f"Store({str(self.path)!r}, {state})"

    @property
    def schema_version(self) -> int:
        """The schema version of the open file (``meta.schema_version``)."""
        return int(self.query("SELECT value FROM meta WHERE key = 'schema_version'")[0][0])

    # -- reading and writing ----------------------------------------------

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run one SQL statement and return its rows (a list of tuples).

        Rows holding a damaged cell (a value not of its column's type, a
        time not in the stored form, text that is not UTF-8) are left out,
        with a :class:`~backkit.errors.LogFileWarning` naming each such cell.

        Examples
        --------
        >>> from backkit.store import Store
        >>> Store(":memory:").query("SELECT key FROM meta WHERE key = ?", ["schema_version"])
        [('schema_version',)]
        """
        with self._lock:
            rows, description, decoded = self._fetch(sql, params)
            if not self._columns or not rows:
                return rows
            names = [d[0] for d in description]
            if decoded and len(rows) > _FEW_ROWS:
                # many rows: one vectorised pass per column, then cell by
                # cell only when that pass finds something
                columns = _as_columns(rows, len(names))
                if not _suspect_columns(columns, names, self._columns):
                    return rows
            if _suspect(rows, description, self._columns):
                rows = self._sound(rows, description)
            return rows

    def columns(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Run one SQL statement and return its result by column, for reading many rows at once.

        One numpy object array per column of the result, in order, with the
        checks of :meth:`query` (rows with a damaged cell left out, named in
        a warning), made column by column. Times (a ``TEXT`` column whose name
        ends in ``_at``) come read: ``datetime64[us]`` in UTC, ``NaT`` when empty.

        Examples
        --------
        >>> from backkit.store import Store
        >>> store = Store(":memory:")
        >>> with store.transaction() as db:
        ...     _ = db.execute("INSERT INTO meta VALUES ('opened_at', ?)",
        ...                    ["2024-05-01T08:00:00.000000Z"])
        >>> key, when = store.columns("SELECT key, value AS opened_at FROM meta WHERE key = ?",
        ...                           ["opened_at"])
        >>> key.tolist(), str(when[0])
        (['opened_at'], '2024-05-01T08:00:00.000000')
        """
        with self._lock:
            rows, description, decoded = self._fetch(sql, params)
            names = [d[0] for d in description]
            columns = _as_columns(rows, len(names))
            read: dict[int, Any] = {}
            if rows and (not decoded or _suspect_columns(columns, names, self._columns, read)):
                if _suspect(rows, description, self._columns):
                    rows = self._sound(rows, description)
                    columns = _as_columns(rows, len(names))
                read = {}
            return self._read_times(columns, names, read)

    def iter_columns(
        self, sql: str, params: Sequence[Any] = (), *, size: int = 50_000
    ) -> Generator[list[Any], None, None]:
        """:meth:`columns`, ``size`` rows at a time: for results too large to hold at once.

        Every chunk comes from one snapshot of the file (one read
        transaction), with the checks of :meth:`columns`; rows with a
        damaged cell are left out, and one warning at the end names every
        damaged cell. Holds this store's lock until the iteration ends: close
        the iterator (``contextlib.closing``) when stopping early.

        Examples
        --------
        >>> from backkit.store import Store
        >>> store = Store(":memory:")
        >>> [len(keys) for (keys,) in store.iter_columns("SELECT key FROM meta", size=2)]
        [2, 1]
        """
        with self._lock:
            db = self._db
            own = not db.in_transaction
            if own:
                db.execute("BEGIN")  # one snapshot for every chunk
            try:
                left_out = 0
                for rows, description, decoded in self._chunks(sql, params, size):
                    names = [d[0] for d in description]
                    columns = _as_columns(rows, len(names))
                    read: dict[int, Any] = {}
                    if not decoded or _suspect_columns(columns, names, self._columns, read):
                        if _suspect(rows, description, self._columns):
                            kept = self._sound(rows, description, warn=False)
                            left_out += len(rows) - len(kept)
                            columns = _as_columns(kept, len(names))
                        read = {}
                    yield self._read_times(columns, names, read)
                if left_out:
                    self._warn_left_out(left_out)
            finally:
                if own:
                    _end_read(db)

    def _chunks(
        self, sql: str, params: Sequence[Any], size: int
    ) -> Iterator[tuple[list[tuple], Any, bool]]:
        """The rows of ``sql``, ``size`` at a time; text not UTF-8 comes as bytes from there on."""
        db = self._db
        given, decoded = 0, True
        try:
            cursor = db.execute(sql, params)
        except sqlite3.DatabaseError as err:
            raise (_fault(err, self.path, N_("reading the log")) or err) from None
        while True:
            try:
                rows = cursor.fetchmany(size) if decoded else self._fetch_undecoded(cursor, size)
            except sqlite3.DatabaseError as err:
                if "decode" not in str(err) or not decoded:
                    raise (_fault(err, self.path, N_("reading the log")) or err) from None
                # again from the start, in the same snapshot, past the rows given;
                # the failed cursor is closed first (Python 3.10's sqlite3 would
                # otherwise give the statement's first row twice)
                decoded = False
                cursor.close()
                try:
                    cursor = db.execute(sql, params)
                    for done in range(0, given, size):  # the rows given already: read as text
                        cursor.fetchmany(min(size, given - done))
                except sqlite3.DatabaseError as again:  # a damaged page beside the cell
                    raise (_fault(again, self.path, N_("reading the log")) or again) from None
                continue
            if not rows:
                return
            given += len(rows)
            yield rows, cursor.description or (), decoded

    def _fetch_undecoded(self, cursor: sqlite3.Cursor, size: int) -> list[tuple]:
        db = self._db
        db.text_factory = bytes
        try:
            rows = cursor.fetchmany(size) if size else []
        finally:
            db.text_factory = str
        return [tuple(_text(v) for v in row) for row in rows]

    def _read_times(self, columns: list[Any], names: list[str], read: dict[int, Any]) -> list[Any]:
        """``columns`` with every time column read (``datetime64[us]``); some are in ``read``."""
        for i, name in enumerate(names):
            if i in read or not name.endswith("_at"):
                continue
            if self._columns.get(name, ("TEXT",))[0] != "TEXT":
                continue
            # rows kept are sound; a time not known as a column is read here
            read[i] = from_utc_texts(columns[i])
            if read[i] is None:
                problem = Message(N_("{column} holds values that are not times"), column=name)
                raise LogError(problem, where=self.path)
        for i, times in read.items():
            columns[i] = times
        return columns

    def _fetch(self, sql: str, params: Sequence[Any]) -> tuple[list[tuple], Any, bool]:
        """The rows and description of ``sql``; whether every text cell decoded as UTF-8."""
        cursor = None
        try:
            cursor = self._db.execute(sql, params)
            return cursor.fetchall(), cursor.description or (), True
        except sqlite3.DatabaseError as err:
            if cursor is not None:
                cursor.close()  # before the statement runs again (see _chunks)
            if "decode" not in str(err):
                fault = _fault(err, self.path, N_("reading the log"))
                if fault is None:
                    raise
                raise fault from None
        try:
            cursor, rows = self._undecoded(sql, params)
        except sqlite3.DatabaseError as err:  # a damaged page beside the undecodable cell
            fault = _fault(err, self.path, N_("reading the log"))
            if fault is None:
                raise
            raise fault from None
        return rows, cursor.description or (), False

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Run a block that only reads as one snapshot of the file (a read transaction).

        Every statement of the block sees the file as it was at its first
        read, whatever another program writes meanwhile; nothing is written
        (unlike :meth:`transaction`, it takes no write lock and does not mark
        the file open). Inside a transaction, it is that transaction.

        Examples
        --------
        >>> from backkit.store import Store
        >>> with Store(":memory:").reading() as db:
        ...     db.execute("SELECT COUNT(*) FROM meta WHERE key = 'schema_version'").fetchone()
        (1,)
        """
        with self._lock:
            db = self._db
            if db.in_transaction:
                yield db
                return
            db.execute("BEGIN")
            try:
                yield db
            finally:
                _end_read(db)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block as one write transaction: all of it is stored, or none.

        Holds this store's lock and SQLite's write lock (``BEGIN IMMEDIATE``)
        from the first read to the commit, so checks made inside the block
        (is there a baseline yet?) still hold when its rows are written, even
        with another program writing to the same file. Commits when the block
        ends; rolls back (nothing written) when it raises. A transaction inside
        another is a savepoint: its failure undoes only its own writes.

        Yields
        ------
        sqlite3.Connection
            The connection to read and write with, inside the block only.

        Raises
        ------
        LogFileError
            Naming the file, when another program holds the write lock for
            longer than :data:`BUSY_SECONDS`.

        Examples
        --------
        >>> from backkit.store import Store
        >>> store = Store(":memory:")
        >>> try:
        ...     with store.transaction() as db:
        ...         _ = db.execute("INSERT INTO meta VALUES ('note', 'x')")
        ...         raise KeyError("changed my mind")
        ... except KeyError:
        ...     pass
        >>> store.query("SELECT COUNT(*) FROM meta WHERE key = 'note'")
        [(0,)]
        """
        with self._lock:
            db = self._db
            if self.read_only:
                problem = Message(
                    N_("is read-only: nothing can be written. {read_only}"), read_only=_READ_ONLY
                )
                raise LogFileError(self.path, problem)
            if not self._writing:
                if db.in_transaction:  # inside reading(): its snapshot cannot become a write
                    inside = N_("a write inside Store.reading(): write after the block")
                    raise LogError(inside, where=self.path)
                self._start_writing()
                db = self._db
            if db.in_transaction:
                yield from _savepoint(db)
                return
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as err:
                raise (_fault(err, self.path, N_("writing to the log")) or err) from None
            try:
                first = not self._marked
                if first:
                    # The first write marks the file open, in the same transaction:
                    # a refused write leaves the file as it was.
                    db.execute(_MARK, ["no"])
                yield db
                db.execute("COMMIT")
                if first:
                    self._marked = True
                    # The mark into the main file itself, so that a log whose
                    # -wal is lost after a crash can be told from one closed cleanly.
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except BaseException as err:
                # After a full disk SQLite has rolled back already; a second
                # ROLLBACK would hide the real error under "no transaction".
                if db.in_transaction:
                    db.execute("ROLLBACK")
                fault = _fault(err, self.path, N_("writing to the log"))
                if fault is None:
                    raise
                raise fault from None

    def check(self) -> list[str]:
        """Run SQLite's full ``integrity_check`` on the open file; return ``['ok']`` when sound."""
        return [r[0] for r in self.query("PRAGMA integrity_check")]

    def _undecoded(self, sql: str, params: Sequence[Any]) -> tuple[sqlite3.Cursor, list[tuple]]:
        """Run ``sql`` again with text as bytes; cells that are not UTF-8 stay bytes."""
        db = self._db
        db.text_factory = bytes
        try:
            cursor = db.execute(sql, params)
            rows = cursor.fetchall()
        finally:
            db.text_factory = str
        return cursor, [tuple(_text(v) for v in row) for row in rows]

    def _sound(self, rows: list[tuple], description: Any, warn: bool = True) -> list[tuple]:
        """``rows`` without those holding a damaged cell; each damaged cell named in a warning."""
        checked = [
            (i, d[0], self._columns[d[0]])
            for i, d in enumerate(description)
            if d[0] in self._columns
        ]
        kept = [
            row
            for row in rows
            if all(_cell_problem(row[i], k, n, name) is None for i, name, (k, n) in checked)
        ]
        if warn:
            self._warn_left_out(len(rows) - len(kept))
        return kept

    def _warn_left_out(self, count: int) -> None:
        """Warn that ``count`` rows with damaged cells were left out, naming every damaged cell."""
        cells = self._damaged_cells()
        listed: Message = _joined(cells[:10])
        if len(cells) > 10:
            listed = Message(N_("{cells}; and {more} more"), cells=listed, more=len(cells) - 10)
        message = Message(
            N_(
                "{count} row(s) have damaged cells and were left out of what was "
                "read (the file was not changed): {cells}"
            ),
            count=count,
            cells=listed or Message(N_("cells of the wrong type")),
        )
        if message not in self.warnings:
            self.warnings.append(message)
        warnings.warn(LogFileWarning(self.path, message), stacklevel=5)

    def _damaged_cells(self) -> list[Message]:
        """Every damaged cell of every table, as "table t, row_id n, column c: problem"."""
        db = self._db
        found = []
        tables = _tables(db)
        db.text_factory = bytes
        try:
            for table in tables:
                cursor = db.execute(f'SELECT rowid, * FROM "{table}"')
                names = [d[0] for d in cursor.description]
                for row in cursor:
                    for name, value in zip(names[1:], row[1:], strict=True):
                        if name not in self._columns:
                            continue
                        if isinstance(value, bytes):
                            with contextlib.suppress(UnicodeDecodeError):
                                value = value.decode("utf-8")
                        problem = _cell_problem(value, *self._columns[name], name)
                        if problem:
                            found.append(
                                Message(
                                    N_("table {table}, row {row}, column {column}: {problem}"),
                                    table=table,
                                    row=row[0],
                                    column=name,
                                    problem=Message(problem),
                                )
                            )
        finally:
            db.text_factory = str
        return found


def _joined(parts: Sequence[Message]) -> Message:
    """``parts`` joined by "; ", each said in the person's words where it is shown."""
    # the template has no words, only the parts: the catalogue leaves it as it is
    return Message(
        "; ".join(f"{{p{i}}}" for i in range(len(parts))),
        **{f"p{i}": part for i, part in enumerate(parts)},
    )


def _text(value: Any) -> Any:
    """A cell read as bytes, as text when it is UTF-8 (else the bytes: damage)."""
    if isinstance(value, bytes):
        with contextlib.suppress(UnicodeDecodeError):
            return value.decode("utf-8")
    return value


def _savepoint(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    name = f"backkit_{uuid.uuid4().hex}"
    db.execute(f"SAVEPOINT {name}")
    try:
        yield db
    except BaseException:
        db.execute(f"ROLLBACK TO {name}")
        db.execute(f"RELEASE {name}")
        raise
    db.execute(f"RELEASE {name}")


# --------------------------------------------------------------------------
# Whole files


def snapshot(path: str | Path, dest: str | Path) -> Path:
    """Copy the log file ``path`` to ``dest`` as it is now, every committed row included.

    Uses SQLite's backup API on a read-only connection, so the copy is
    consistent and holds the rows still in the write-ahead log (``-wal``)
    beside a log that a notebook has open. Nothing is written to or beside
    the original: a log with no ``-wal`` (closed cleanly) is read as
    immutable, which creates no ``-wal`` or ``-shm`` files.

    Raises
    ------
    LogFileError
        When ``path`` is not an SQLite database or cannot be read; it names ``path``.
    backkit.errors.OutputFolderError
        When ``dest``'s folder is missing outside the data home
        (:func:`backkit.config.output_folder`); nothing is created.

    Examples
    --------
    >>> import pathlib, tempfile, backkit
    >>> from backkit.store import snapshot
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> log = backkit.SessionLog(folder / "log.sqlite")
    >>> _ = log.record(exercise_id="bridge")  # still in the -wal while the log is open
    >>> len(backkit.SessionLog(snapshot(folder / "log.sqlite", folder / "copy.sqlite")))
    1
    """
    path, dest = Path(path), Path(dest)
    if not path.is_file():
        # SQLite would make an empty database there: a reader must not
        raise LogFileError(path, N_("does not exist") if not path.exists() else N_("is not a file"))
    config.output_folder(dest)  # the copy's folder, by the kit's one rule
    live = Path(f"{path}-wal").exists()
    mode = "mode=ro" if live else "immutable=1"
    uri = f"file:{urllib.parse.quote(str(path.resolve()))}?{mode}"
    if live and not Path(f"{path}-shm").exists():
        # a -wal with no -shm: its writer is gone (a live one keeps both), but
        # reading here would make a -shm beside the person's file: read copies
        with tempfile.TemporaryDirectory(prefix="backkit-") as tmp:
            copy = Path(tmp) / "log.sqlite"
            shutil.copyfile(path, copy)
            shutil.copyfile(f"{path}-wal", f"{copy}-wal")
            return _backup(path, f"file:{urllib.parse.quote(str(copy))}?mode=ro", dest)
    return _backup(path, uri, dest)


def _backup(path: Path, uri: str, dest: Path) -> Path:
    """Copy the database at ``uri`` to ``dest``; errors name ``path``, the person's file."""
    try:
        source = sqlite3.connect(uri, uri=True, timeout=30)
        try:
            if not dest.exists():
                os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
            target = sqlite3.connect(dest)
            try:
                source.backup(target)
                # a whole, consistent copy: it was closed cleanly, whatever the original
                with contextlib.suppress(sqlite3.Error), target:
                    target.execute("UPDATE meta SET value = 'yes' WHERE key = 'closed_cleanly'")
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.DatabaseError as err:
        detail = (
            N_("is not an SQLite database, so not a backkit log")
            if "not a database" in str(err)
            else Message(
                N_("is damaged ({error}); it was not changed: keep it for recovery"),
                error=str(err),
            )
        )
        raise LogFileError(path, detail) from None
    return dest


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write a whole file so that it is either all there or not changed at all.

    ``write(tmp)`` writes the content to ``tmp``, a temporary file beside
    ``path``; it is then flushed to disk and renamed over ``path``. An
    interrupted write (an error in ``write``, a full disk) leaves ``path`` as
    it was and no temporary file behind; a kill leaves one, which the next
    write beside it (or the next opening of a log there) removes. The
    temporary file, so the result, is ``0600``. Its folder is made ready by
    the kit's one rule (:func:`backkit.config.output_folder`): a missing folder
    is created (``0700``) only inside the person's data home.

    Raises
    ------
    OSError
        Naming ``path`` and saying what failed (the disk is full, the folder
        is read-only); ``path`` is unchanged.
    backkit.errors.OutputFolderError
        When ``path``'s folder is missing outside the data home, or is a
        file; nothing is created or written.

    Parameters
    ----------
    path : path-like
        The file to write.
    write : callable
        Called with the temporary path; its return value is ignored.

    Returns
    -------
    Path
        ``path``, expanded.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from backkit.store import write_atomically
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> write_atomically(out, lambda tmp: tmp.write_text("all or nothing")).read_text()
    'all or nothing'
    """
    path = Path(path).expanduser()
    try:
        config.output_folder(path)  # before anything is made: refused, nothing is created
        remove_stale_temp_files(path.parent)
        # the same suffix, so writers that choose a format by it (Excel) still do
        with _temp_file(path, suffix=path.suffix) as tmp:
            write(tmp)
            _fsync(tmp)
            os.replace(tmp, path)
            _fsync_dir(path.parent)
    except OSError as err:
        fault = _fault(err, path, N_("writing the file"))
        if fault is None:
            raise
        raise fault from None
    return path
