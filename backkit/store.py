"""The store: one SQLite file, opened safely, upgraded by its tables' migrations.

:class:`Store` owns the file the session log and the check-ins share. Before
anything writes, it checks that the file is an intact SQLite database (its
header, then a read-only ``PRAGMA quick_check``) holding a backkit schema this
backkit can read; a damaged, foreign or too-new file raises
:class:`~backkit.errors.LogFileError` and is never written to. A new file is
built under a temporary name and linked into place, so a crash never leaves
half a store. Writes use the WAL journal, ``synchronous=FULL`` (a write is on
disk when it returns) and a busy timeout, so two notebooks can write at once.

Each table declares its own schema steps (:class:`Migrations`, after
``sqlite_utils.migrations.Migrations``); :func:`schema` merges them into one
numbered list, and the file keeps one overall version in its ``meta`` table
(key ``schema_version``). Opening a file applies the steps it lacks, in
version order, in one transaction.

Tables read with :meth:`Store.query` and write inside :meth:`Store.transaction`
(after ``sqlite_utils.db.Database.atomic()``: all or nothing, nesting with
savepoints).

:func:`write_atomically` is the kit's one way to write a whole file (an
export, a report): to a temporary name, flushed, then renamed into place.

Examples
--------
>>> from backkit.store import Migrations, Store, schema
>>> notes = Migrations("notes")
>>> _ = notes.add(1, "the notes table", "CREATE TABLE notes (text TEXT)")
>>> with Store(":memory:", schema(notes)) as store:
...     with store.transaction() as db:
...         _ = db.execute("INSERT INTO notes VALUES ('stiff')")
...     store.query("SELECT text FROM notes"), store.schema_version
([('stiff',)], 1)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import LogError, LogFileError

__all__ = [
    "BUSY_SECONDS",
    "Migration",
    "Migrations",
    "Store",
    "from_utc_text",
    "schema",
    "snapshot",
    "utc_text",
    "write_atomically",
]

#: How long a write waits for another program's write lock before giving up.
BUSY_SECONDS = 30.0
_SQLITE_MAGIC = b"SQLite format 3\x00"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # stored: UTC, microseconds, sortable as text


def utc_text(moment: dt.datetime) -> str:
    """Return an aware ``moment`` as the store keeps times: UTC text, sortable.

    Examples
    --------
    >>> import datetime as dt
    >>> utc_text(dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    '2024-05-01T08:00:00.000000Z'
    """
    return moment.astimezone(dt.timezone.utc).strftime(_TIME_FORMAT)


def from_utc_text(text: str) -> dt.datetime:
    """Read a time stored by :func:`utc_text` back as an aware UTC ``datetime``.

    Examples
    --------
    >>> from_utc_text("2024-05-01T08:00:00.000000Z")
    datetime.datetime(2024, 5, 1, 8, 0, tzinfo=datetime.timezone.utc)
    """
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------
# Schema steps


@dataclass(frozen=True)
class Migration:
    """One step of the file's schema: its version, what it does, its SQL statements.

    ``table`` names the table that owns the step (the one :class:`Migrations`
    it was added to).
    """

    version: int
    description: str
    statements: tuple[str, ...]
    table: str = ""


class Migrations:
    """The schema steps of one table, each with its number in the file's one sequence.

    A table module declares its steps here; the module that opens the file
    merges every table's steps with :func:`schema`. To change a table, add a
    step with the next free version number.

    Examples
    --------
    >>> from backkit.store import Migrations
    >>> notes = Migrations("notes")
    >>> notes.add(1, "the notes table", "CREATE TABLE notes (text TEXT)").version
    1
    >>> notes
    Migrations('notes': 1)
    """

    def __init__(self, table: str):
        self.table = table
        self._steps: list[Migration] = []

    def add(self, version: int, description: str, *statements: str) -> Migration:
        """Declare the step ``version``; return it."""
        step = Migration(version, description, tuple(statements), self.table)
        self._steps.append(step)
        return step

    def __iter__(self) -> Iterator[Migration]:
        return iter(self._steps)

    def __len__(self) -> int:
        return len(self._steps)

    def __repr__(self) -> str:
        return f"Migrations({self.table!r}: {', '.join(str(s.version) for s in self._steps)})"


def schema(*tables: Iterable[Migration]) -> list[Migration]:
    """Merge the steps of several tables into one list in version order.

    Raises
    ------
    LogError
        When two steps share a version, or a number is skipped (a file's
        version must say which steps it has).

    Examples
    --------
    >>> from backkit.store import Migrations, schema
    >>> a, b = Migrations("a"), Migrations("b")
    >>> _ = a.add(1, "a", "CREATE TABLE a (x)"), b.add(2, "b", "CREATE TABLE b (x)")
    >>> [(s.version, s.table) for s in schema(b, a)]
    [(1, 'a'), (2, 'b')]
    """
    steps = sorted((s for table in tables for s in table), key=lambda s: s.version)
    versions = [s.version for s in steps]
    if versions != list(range(1, len(steps) + 1)):
        raise LogError(
            f"the schema steps are numbered {versions}; they must be 1, 2, 3, ... "
            "with no number used twice"
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


def _too_new(version: int, latest: int) -> str:
    return (
        f"was written by a newer backkit (schema version {version}; this backkit "
        f"{__version__} reads up to {latest}). Upgrade backkit to open it; "
        "the file was not changed."
    )


def _not_a_log(conn: sqlite3.Connection) -> str:
    return (
        f"is an SQLite database but not a backkit session log (it has no schema version; "
        f"tables: {', '.join(_tables(conn))}). Pass another path; the file was not changed."
    )


def _damaged(detail: str) -> str:
    return (
        f"is damaged ({detail}). It was not changed: keep it for recovery (e.g. the "
        "sqlite3 command's .recover), restore a backup, or open a new log at another path."
    )


def _migrate(conn: sqlite3.Connection, path: Path, steps: Sequence[Migration]) -> int:
    """Bring the file up to the last of ``steps`` in one transaction; return the old version."""
    latest = steps[-1].version if steps else 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read the version under the write lock: another process may have
        # upgraded the file since we looked.
        version = _schema_version(conn)
        if version is None:
            raise LogFileError(path, _not_a_log(conn))
        if version > latest:
            raise LogFileError(path, _too_new(version, latest))
        if version == 0:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
        for step in steps:
            if step.version > version:
                _apply(conn, path, step)
        if version < latest or version == 0:
            now = utc_text(dt.datetime.now(dt.timezone.utc))
            meta = {"schema_version": str(latest), "written_by": f"backkit {__version__}"}
            meta["created_at" if version == 0 else f"upgraded_from_v{version}_at"] = now
            conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return version


def _apply(conn: sqlite3.Connection, path: Path, step: Migration) -> None:
    try:
        for statement in step.statements:
            conn.execute(statement)
    except sqlite3.Error as err:
        raise LogFileError(
            path,
            f"cannot upgrade the log to schema version {step.version} "
            f"({step.description}): {err}. The file was not changed.",
        ) from err


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


def _uri(path: Path, mode: str) -> str:
    return f"file:{urllib.parse.quote(str(path.resolve()))}?mode={mode}"


def _inspect(path: Path, latest: int) -> None:
    """Read-only checks before anything writes: ``PRAGMA quick_check`` and the schema version."""
    try:
        conn = sqlite3.connect(_uri(path, "ro"), uri=True, timeout=BUSY_SECONDS)
    except sqlite3.Error as err:
        raise LogFileError(path, f"cannot be opened: {err}") from None
    try:
        result = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if result != ["ok"]:
            raise LogFileError(path, _damaged("; ".join(result[:3])))
        version = _schema_version(conn)
        if version is None:
            raise LogFileError(path, _not_a_log(conn))
        if version > latest:
            raise LogFileError(path, _too_new(version, latest))
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err):
            raise LogFileError(path, "is not an SQLite database, so not a backkit log") from None
        raise LogFileError(path, _damaged(str(err))) from None
    finally:
        conn.close()


def _create(path: Path, steps: Sequence[Migration]) -> None:
    """Create a new, fully initialised store at ``path`` without ever replacing a file.

    The store is built in a temporary file and linked into place, so a crash
    never leaves a half-made store, and when two processes create the same
    file at once one wins and the other opens it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            _migrate(conn, tmp, steps)
        finally:
            conn.close()
        _fsync(tmp)
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
    path: Path, steps: Sequence[Migration], synchronous: str
) -> tuple[sqlite3.Connection, int]:
    """Open a checked file for writing, upgrade it, then switch it to the WAL journal.

    Returns the connection and the schema version the file had.
    """
    try:
        conn = sqlite3.connect(
            _uri(path, "rw"),
            uri=True,
            isolation_level=None,
            timeout=BUSY_SECONDS,
            check_same_thread=False,
        )
    except sqlite3.Error as err:
        raise LogFileError(path, f"cannot be opened for writing: {err}") from None
    try:
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        version = _migrate(conn, path, steps)
        # Only now, with the file known good and current, may its journal change.
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise LogFileError(path, f"cannot use the WAL journal (got {mode!r})")
    except BaseException:
        conn.close()
        raise
    return conn, version


# --------------------------------------------------------------------------
# The store


class Store:
    """One SQLite file, checked before use and upgraded to ``migrations``.

    Parameters
    ----------
    path : path-like or ":memory:"
        The file; ``":memory:"`` gives a throw-away store.
    migrations : sequence of Migration
        Every table's schema steps, merged by :func:`schema`.
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
    """

    def __init__(
        self,
        path: str | Path,
        migrations: Sequence[Migration] = (),
        *,
        create: bool = True,
        synchronous: str = "FULL",
    ):
        if str(synchronous).upper() not in ("FULL", "NORMAL"):
            raise LogError(f"synchronous = {synchronous!r}: must be 'FULL' or 'NORMAL'")
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        steps = list(migrations)
        if str(path) == ":memory:":
            self.path = Path(":memory:")
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            self.migrated_from = _migrate(conn, self.path, steps)
            self._conn = conn
            return
        self.path = Path(path).expanduser()
        if not self.path.exists():
            if not create:
                raise LogFileError(
                    self.path, "no log here yet: record a session first, or give the path of a log"
                )
            _create(self.path, steps)
        _precheck(self.path)
        _inspect(self.path, steps[-1].version if steps else 0)
        self._conn, self.migrated_from = _connect(self.path, steps, synchronous.upper())

    # -- plumbing ---------------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LogError("the log is closed", where=self.path)
        return self._conn

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._conn is None

    def close(self) -> None:
        """Close the file (also done on leaving a ``with`` block)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

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

        Examples
        --------
        >>> from backkit.store import Store
        >>> Store(":memory:").query("SELECT key FROM meta WHERE key = ?", ["schema_version"])
        [('schema_version',)]
        """
        with self._lock:
            return self._db.execute(sql, params).fetchall()

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
            if db.in_transaction:
                yield from _savepoint(db)
                return
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as err:
                raise LogFileError(
                    self.path,
                    f"could not get the write lock ({err}) within {BUSY_SECONDS:g} s; "
                    "another program holds the log. Nothing was written.",
                ) from None
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def check(self) -> list[str]:
        """Run SQLite's full ``integrity_check`` on the open file; return ``['ok']`` when sound."""
        return [r[0] for r in self.query("PRAGMA integrity_check")]


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
    live = Path(f"{path}-wal").exists()
    mode = "mode=ro" if live else "immutable=1"
    uri = f"file:{urllib.parse.quote(str(path.resolve()))}?{mode}"
    try:
        source = sqlite3.connect(uri, uri=True, timeout=30)
        try:
            target = sqlite3.connect(dest)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.DatabaseError as err:
        detail = (
            "is not an SQLite database, so not a backkit log"
            if "not a database" in str(err)
            else f"is damaged ({err}); it was not changed: keep it for recovery"
        )
        raise LogFileError(path, detail) from None
    return dest


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write a whole file so that it is either all there or not changed at all.

    ``write(tmp)`` writes the content to ``tmp``, a temporary file beside
    ``path``; it is then flushed to disk and renamed over ``path``. An
    interrupted write (a crash, an error in ``write``) leaves ``path`` as it
    was and no temporary file behind. Missing folders are created.

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
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "notes" / "a.txt"
    >>> write_atomically(out, lambda tmp: tmp.write_text("all or nothing")).read_text()
    'all or nothing'
    """
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    # the same suffix, so writers that choose a format by it (Excel) still do
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp{path.suffix}")
    try:
        write(tmp)
        _fsync(tmp)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return path
