"""The one reader of patient files: log files, JSON and CSV exports, and what is not one."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import backkit
from backkit import caseload, outcomes, patientfile, safety
from backkit.errors import LogFileError

DAY = "2025-03-10"  # a Monday; every time below is pinned to it


def _log(path: Path, *, yes: str | None = None) -> Path:
    """A small log at ``path`` with a screening (``yes``: the question answered yes)."""
    with backkit.SessionLog(path) as log:
        for hour in (8, 9):
            log.record(exercise_id="bridge", started_at=f"{DAY}T{hour:02d}:00:00+00:00",
                       reps_planned=8, reps_done=8, pain_before=4, pain_after=3)  # fmt: skip
        answers = {q.id: q.id == yes for q in safety.screening_questions()}
        outcomes.record_screening(
            log, answers, action=safety.screening_action(answers), when=f"{DAY}T07:00:00+00:00"
        )
    return path


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(folder.iterdir())
    }


@pytest.fixture
def exports(tmp_path, monkeypatch) -> Path:
    """One patient three ways: a log file and its JSON and CSV exports."""
    monkeypatch.setenv("BACKKIT_TZ", "UTC")
    folder = tmp_path / "in"
    folder.mkdir()
    source = _log(folder / "P1.sqlite", yes="fever")
    with backkit.SessionLog(source, create=False) as log:
        log.export_json(folder / "P2.json")
        log.export_csv(folder / "P3.csv")
    return folder


def test_each_kind_reads_the_same_bouts_and_only_the_csv_lacks_the_answers(exports):
    before = _hashes(exports)
    read = {p.suffix: patientfile.read(p) for p in sorted(exports.iterdir())}
    assert set(read) == {".sqlite", ".json", ".csv"}
    rows = {k: d.frame[["exercise_id", "reps_done", "pain_before"]].astype(str).values.tolist()
            for k, d in read.items()}  # fmt: skip
    assert rows[".sqlite"] == rows[".json"] == rows[".csv"] and len(rows[".csv"]) == 2
    for suffix in (".sqlite", ".json"):
        answers, screenings, unresolved = read[suffix].warnings
        assert screenings == 1 and list(answers["action"]) == ["urgent"], suffix
        assert list(answers["question"]) == ["Do you have a high temperature?"], suffix
        assert [u.yes for u in unresolved] == [("fever",)], suffix
    assert read[".csv"].warnings is None  # a CSV keeps no screenings
    assert _hashes(exports) == before  # reading never writes, not even beside the files


def test_the_kind_is_told_by_the_first_bytes_then_the_suffix(exports, tmp_path):
    renamed = tmp_path / "P1.backup"
    renamed.write_bytes((exports / "P1.sqlite").read_bytes())
    assert patientfile.kind(renamed) == ".sqlite"  # a database, whatever its name
    assert len(patientfile.read(renamed).frame) == 2
    text = tmp_path / "P3.txt"
    text.write_bytes((exports / "P3.csv").read_bytes())
    assert patientfile.kind(text) == ".csv"  # as spreadsheets save a CSV
    fake = tmp_path / "fake.sqlite"
    fake.write_text("exercise_id\nbridge\n")
    with pytest.raises(LogFileError, match=r"fake\.sqlite: is not an SQLite database"):
        patientfile.read(fake)


@pytest.mark.parametrize("what", ["folder", "fifo", "dangling link", "link to /dev/zero", "docx"])
def test_what_is_not_a_patient_file_is_refused_at_once_by_name(tmp_path, what):
    path = tmp_path / ("notes.docx" if what == "docx" else "P.csv")
    if what == "folder":
        path.mkdir()
    elif what == "fifo":
        os.mkfifo(path)
    elif what == "dangling link":
        path.symlink_to(tmp_path / "gone.csv")
    elif what == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    else:
        path.write_bytes(b"PK\x03\x04")
    started = time.monotonic()
    for read in (patientfile.read, patientfile.summary_frame, patientfile.read_warning_answers):
        with pytest.raises(LogFileError) as caught:
            read(path)
        message = str(caught.value)
        assert message.startswith(f"{path}: ") and "\n" not in message, message
    assert time.monotonic() - started < 10  # never a hang on a pipe, never /dev/zero read whole


def test_a_caseload_folder_lists_every_entry_or_says_why_not(exports, tmp_path):
    (exports / "P1.yaml").write_text(backkit.sample_plan().to_yaml())  # P1's own plan
    (exports / "plan.yaml").write_text(backkit.sample_plan().to_yaml())  # the shared one
    (exports / "orphan.yml").write_text(backkit.sample_plan().to_yaml())
    (exports / "DIR.csv").mkdir()
    (exports / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    (exports / "zero.csv").symlink_to("/dev/zero")
    os.mkfifo(exports / "pipe.csv")
    (exports / "README.txt").write_text("patients of Dr X")
    (exports / "P1.sqlite-wal").write_bytes(b"")
    before = _hashes(exports)
    found = patientfile.listing(exports, plan=exports / "plan.yaml")
    assert [p.name for p in found.files] == ["P1.sqlite", "P2.json", "P3.csv"]
    assert {f.name: p.name for f, p in found.plans.items()} == {"P1.sqlite": "P1.yaml"}
    skipped = dict(line.split(": ", 1) for line in found.skipped)
    assert sorted(skipped) == [
        "DIR.csv", "P1.sqlite-wal", "README.txt", "gone.csv", "orphan.yml", "pipe.csv", "zero.csv"
    ]  # fmt: skip
    assert skipped["DIR.csv"] == "a folder, not a file"
    assert skipped["gone.csv"] == "a link to nothing"
    assert skipped["pipe.csv"] == skipped["zero.csv"] == "a pipe or device, not a file"
    assert "not the plan given" in skipped["orphan.yml"]
    view = caseload.load_caseload(exports, plan=exports / "plan.yaml", as_of=DAY)
    assert sorted(p.patient for p in view.patients) == ["P1", "P2", "P3"]
    assert sorted(line.split(":")[0] for line in view.skipped) == sorted(skipped)
    warned = {p.patient: p.warnings for p in view.patients}
    assert warned["P1"] and warned["P2"] and not warned["P3"]  # a JSON export keeps the answers
    assert warned["P2"] == warned["P1"] and "high temperature" in warned["P2"][0]
    assert _hashes(exports) == before


def test_two_files_of_one_patient_are_told_apart_in_the_caseload(exports):
    (exports / "P2.json").rename(exports / "P1.json")
    view = caseload.load_caseload(exports, as_of=DAY)
    assert sorted(p.patient for p in view.patients) == ["P1.json", "P1.sqlite", "P3"]


@pytest.mark.parametrize("what", ["fifo", "link to /dev/zero", "log file"])
def test_import_refuses_what_is_not_an_export_in_one_line_and_makes_no_log(tmp_path, what):
    source = tmp_path / ("P.json" if what == "log file" else "P.csv")
    if what == "fifo":
        os.mkfifo(source)
    elif what == "link to /dev/zero":
        source.symlink_to("/dev/zero")
    else:
        _log(tmp_path / "P.sqlite").rename(source)  # a log file named as an export
    target = tmp_path / "new.sqlite"
    env = {**os.environ, "BACKKIT_HOME": str(tmp_path / "home"), "BACKKIT_TZ": "UTC"}
    run = subprocess.run(
        [sys.executable, "-m", "backkit", "import", str(source), "--log", str(target)],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert run.returncode == 1 and "Traceback" not in run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("backkit import: error: ") and ("not a file" in line or "export" in line)
    assert not target.exists() and not (tmp_path / "home").exists()
