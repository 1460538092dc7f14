"""Sharing with a clinician's group: what is written, with which modes, and what is refused.

The hub test (tests/hub) shares between real local users; these tests run as
whoever runs the suite (root in CI), on folders they make.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from backkit import caseload, config
from backkit.errors import LogFileError, UsageError
from backkit.log import SessionLog
from backkit.plan import Plan
from backkit.share import SHARED_FILE_MODE, check_folder, share, share_id

ROOT = os.geteuid() == 0


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def log(tmp_path) -> Path:
    path = tmp_path / "mine" / "log.sqlite"
    path.parent.mkdir()  # outside the data home a log's folder must exist
    with SessionLog(path) as opened:
        opened.record(exercise_id="bridge", pain_before=4, pain_after=3, notes="saw Dr Jane Roe")
        opened.record(exercise_id="squat", pain_before=3, pain_after=3)
    return path


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "clinic"
    path.mkdir()
    path.chmod(0o2770)
    return path


def test_writes_the_log_and_plan_readable_by_the_folders_group(log, folder, digest):
    before = digest(log)
    done = share(folder, as_id="P001", log=log)
    assert [p.name for p in done.files] == ["P001.csv", "P001.yaml"]
    for path in done.files:
        assert mode(path) == SHARED_FILE_MODE == 0o640
        assert path.stat().st_gid == folder.stat().st_gid
    assert done.rows == 2
    assert digest(log) == before, "the log is unchanged"
    assert mode(log) == 0o600


def test_nothing_typed_by_the_person_is_shared(log, folder, tmp_path):
    plan = Plan("Jane's plan", items=["bridge"], notes="ring Jane on Fridays")
    plan.save(tmp_path / "plan.yaml")
    done = share(folder, as_id="P001", log=log, plan=tmp_path / "plan.yaml")
    text = "".join(p.read_text() for p in done.files)
    assert "Jane" not in text and "Roe" not in text
    assert Plan.load(done.files[1]).items == plan.items


def test_the_clinicians_caseload_reads_what_was_shared(log, folder):
    share(folder, as_id="P001", log=log)
    view = caseload.load_caseload(folder)
    assert view.skipped == ()
    assert view.table()["Patient"].tolist() == ["P001"]


@pytest.mark.skipif(not ROOT, reason="giving a file another group needs root or membership")
def test_the_files_take_the_folders_group_in_a_plain_folder_too(log, tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir(mode=0o770)
    os.chown(folder, -1, 65534)  # nogroup: not the writer's own group, no set-group-ID bit
    done = share(folder, as_id="P001", log=log)
    assert {p.stat().st_gid for p in done.files} == {65534}


def test_sharing_again_replaces_the_persons_own_files(log, folder):
    share(folder, as_id="P001", log=log)
    with SessionLog(log) as opened:
        opened.record(exercise_id="bridge")
    assert share(folder, as_id="P001", log=log).rows == 3
    assert sorted(p.name for p in folder.iterdir()) == ["P001.csv", "P001.yaml"]


def test_the_default_id_is_the_persons_own_random_pseudonym(log, folder):
    first = share(folder, log=log)
    assert first.id == share_id() and first.id.startswith("patient-")
    assert mode(config.data_home() / "share-id") == 0o600
    assert share(folder, log=log).id == first.id


class TestRefused:
    """Bad input: one UsageError naming it, and nothing written."""

    def test_a_missing_folder(self, log, tmp_path):
        with pytest.raises(UsageError, match=r"--to '.*nowhere': no such folder"):
            share(tmp_path / "nowhere", as_id="P001", log=log)
        assert not (tmp_path / "nowhere").exists()

    def test_a_file_instead_of_a_folder(self, log, tmp_path):
        (tmp_path / "file").write_text("")
        with pytest.raises(UsageError, match="is not a folder"):
            share(tmp_path / "file", as_id="P001", log=log)

    @pytest.mark.parametrize("bad", ["", "../P001", "P 001", ".hidden", "P001/x", "x" * 41])
    def test_an_id_that_is_not_a_plain_name(self, log, folder, bad):
        with pytest.raises(UsageError, match=r"--as .*: give an id of 1 to 40 letters"):
            share(folder, as_id=bad, log=log)
        assert list(folder.iterdir()) == []

    def test_a_folder_anyone_may_write_to_without_the_sticky_bit(self, log, folder):
        folder.chmod(0o2777)
        with pytest.raises(UsageError, match=r"anyone can replace files in it.*chmod \+t"):
            share(folder, as_id="P001", log=log)
        assert list(folder.iterdir()) == []
        folder.chmod(0o3777)  # a drop box with the sticky bit is fine
        assert share(folder, as_id="P001", log=log).rows == 2

    @pytest.mark.skipif(not ROOT, reason="a file of another owner needs root to make")
    def test_someone_elses_file_of_that_name(self, log, folder):
        theirs = folder / "P001.csv"
        theirs.write_text("theirs")
        os.chown(theirs, 65534, -1)
        with pytest.raises(UsageError, match="is someone else's: choose another id with --as"):
            share(folder, as_id="P001", log=log)
        assert theirs.read_text() == "theirs" and not (folder / "P001.yaml").exists()

    def test_no_log(self, folder, tmp_path, monkeypatch):
        monkeypatch.setenv("BACKKIT_HOME", str(tmp_path / "home"))
        with pytest.raises(LogFileError, match=r"none\.sqlite: there is no log here"):
            share(folder, log=tmp_path / "none.sqlite")
        assert list(folder.iterdir()) == []
        assert not (tmp_path / "none.sqlite").exists()
        assert not (tmp_path / "home" / "share-id").exists(), "no pseudonym made either"


def test_check_folder_returns_the_folder_and_its_group(folder):
    assert check_folder(folder) == (folder, folder.stat().st_gid)
