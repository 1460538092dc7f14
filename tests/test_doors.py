"""Every door of the kit, listed once, and the rules each must keep (issue 23).

A door is a way in or out of a person's log: each writer (the Python API and
the command line), each reader, each view that says what was done or how much
it hurt. The lists below are checked against the package itself, so a new
door that is not listed fails :func:`test_every_door_is_listed`, and a listed
door is held to its kind's rules:

- a writer given bad input raises one :class:`BackkitError` naming the field
  or value, and leaves every file beside the log byte-identical, adding none;
- a reader leaves every file beside the log byte-identical (sha256), adding none;
- a command given bad input prints one line (no traceback), exits 1 or 2,
  and creates nothing;
- a session in which every exercise was skipped is "not done" in every view;
- a log rated per session shows the same pain numbers in every view.

Hostile text at each renderer is in ``test_hostile_text.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import inspect
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import backkit
from backkit import analysis, caseload, conditions, fhir, gate, outcomes, patientfile, report
from backkit.adherence import credits
from backkit.cli import build_parser
from backkit.errors import BackkitError, SafetyGateError
from backkit.log import SessionLog

DAY = "2025-03-03"
WHEN = f"{DAY}T09:00:00+00:00"
SCRIPT = Path(sys.executable).with_name("backkit")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and the sha256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def kept(tmp_path, monkeypatch) -> Path:
    """A closed log in its own folder: one session of two exercises, a check-in, a screening."""
    monkeypatch.setenv("BACKKIT_TZ", "UTC")
    folder = tmp_path / "patient"
    folder.mkdir()
    path = folder / "log.sqlite"
    with SessionLog(path) as log:
        log.record_many(
            [
                {"exercise_id": "bridge", "started_at": WHEN, "sets_planned": 1,
                 "reps_planned": 10, "sets_done": 1, "reps_done": 10, "pain_after": 3,
                 "session_id": "s1"},
                {"exercise_id": "squat", "started_at": f"{DAY}T09:05:00+00:00",
                 "sets_planned": 1, "reps_planned": 10, "sets_done": 1, "reps_done": 6,
                 "session_id": "s1"},
            ]
        )  # fmt: skip
        outcomes.record_checkin(log, DAY, pain_average=4, baseline=True)
        outcomes.record_screening(log, {"fever": False}, action="none", when=WHEN)
    return path


def _ids(path: Path) -> dict[str, Any]:
    with SessionLog(path, create=False) as log:
        frame = log.frame(ids=True)
        checkins = outcomes.checkins_frame(log)
    return {
        "row_id": int(frame["row_id"].iloc[0]),
        "session_id": str(frame["session_id"].iloc[0]),
        "checkin_id": str(checkins["checkin_id"].iloc[0]),
    }


def _refused_or_open(log: SessionLog) -> Any:
    try:
        return gate.require_open(log, where="the doors test")
    except SafetyGateError as err:  # the screening is old: the gate says so, and writes nothing
        return err


def _bad_csv(folder: Path) -> Path:
    path = folder.parent / "bad.csv"
    path.write_text("exercise_id,pain_after\nbridge,99\n", encoding="utf-8")
    return path


def _bad_json(folder: Path) -> Path:
    path = folder.parent / "bad.json"
    path.write_text(json.dumps({"format": "backkit-log", "version": 99}), encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# The doors

#: Each writer with a bad input: (call, a fragment the error must name).
WRITERS: dict[str, tuple[Callable[[SessionLog, dict[str, Any], Path], Any], str]] = {
    "SessionLog.record": (
        lambda log, ids, folder: log.record(exercise_id="bridge", pain_after=float("nan")),
        "pain_after",
    ),
    "SessionLog.record_many": (
        lambda log, ids, folder: log.record_many(
            [{"exercise_id": "bridge"}, {"exercise_id": "no-such-exercise"}]
        ),
        "no-such-exercise",
    ),
    "SessionLog.import_csv": (lambda log, ids, folder: log.import_csv(_bad_csv(folder)), "99"),
    "SessionLog.import_json": (lambda log, ids, folder: log.import_json(_bad_json(folder)), "99"),
    "SessionLog.correct": (
        lambda log, ids, folder: log.correct(ids["row_id"], reason="typo", pain_after=12),
        "12",
    ),
    "SessionLog.correct_session": (
        lambda log, ids, folder: log.correct_session(ids["session_id"], reason="", pain_after=2),
        "reason",
    ),
    "SessionLog.rate_session": (
        lambda log, ids, folder: log.rate_session(ids["session_id"], pain_after=11),
        "11",
    ),
    "SessionLog.remove": (
        lambda log, ids, folder: log.remove([10**6], reason="not mine"),
        "1000000",
    ),
    "outcomes.record_checkin": (
        lambda log, ids, folder: outcomes.record_checkin(log, DAY, pain_average=11),
        "11",
    ),
    "outcomes.record_screening": (
        lambda log, ids, folder: outcomes.record_screening(
            log, {"<script>alert(1)</script>": True}, action="none"
        ),
        "script",
    ),
    "outcomes.record_clearance": (
        lambda log, ids, folder: outcomes.record_clearance(log, seen_on=DAY, seen_by="wizard"),
        "wizard",
    ),
    "outcomes.correct_checkin": (
        lambda log, ids, folder: outcomes.correct_checkin(
            log, ids["checkin_id"], reason="typo", pain_average=-1
        ),
        "-1",
    ),
    "outcomes.remove_checkin": (
        lambda log, ids, folder: outcomes.remove_checkin(log, "no-such-checkin", reason="x"),
        "no-such-checkin",
    ),
    "conditions.record": (
        lambda log, ids, folder: conditions.record(log, {"no_such_question": "Yes"}),
        "no_such_question",
    ),
}

#: Each reader: what it reads from an open log (``out``: a folder outside the log's).
READERS: dict[str, Callable[[SessionLog, dict[str, Any], Path], Any]] = {
    "SessionLog.frame": lambda log, ids, out: log.frame(ids=True),
    "SessionLog.sessions": lambda log, ids, out: log.sessions(),
    "SessionLog.session_ratings": lambda log, ids, out: log.session_ratings(),
    "SessionLog.history": lambda log, ids, out: log.history(ids["row_id"]),
    "SessionLog.session_history": lambda log, ids, out: log.session_history(ids["session_id"]),
    "SessionLog.audit_trail": lambda log, ids, out: log.audit_trail(),
    "SessionLog.check": lambda log, ids, out: log.check(),
    "SessionLog.export_csv": lambda log, ids, out: log.export_csv(out / "log.csv", audit=True),
    "SessionLog.export_excel": lambda log, ids, out: log.export_excel(out / "log.xlsx"),
    "SessionLog.export_json": lambda log, ids, out: log.export_json(out / "log.json"),
    "outcomes.checkins_frame": lambda log, ids, out: outcomes.checkins_frame(log),
    "outcomes.outcomes_frame": lambda log, ids, out: outcomes.outcomes_frame(log),
    "outcomes.screenings_frame": lambda log, ids, out: outcomes.screenings_frame(log),
    "outcomes.clearances_frame": lambda log, ids, out: outcomes.clearances_frame(log),
    "outcomes.last_screening": lambda log, ids, out: outcomes.last_screening(log),
    "outcomes.checkin_history": lambda log, ids, out: outcomes.checkin_history(
        log, ids["checkin_id"]
    ),
    "conditions.current": lambda log, ids, out: conditions.current(log),
    "gate.check": lambda log, ids, out: gate.check(log),
    "gate.require_open": lambda log, ids, out: _refused_or_open(log),
    "fhir.bundle": lambda log, ids, out: fhir.bundle(
        log.frame(), outcomes=outcomes.outcomes_frame(log)
    ),
}

#: Readers that take the log's path, not an open log.
PATH_READERS: dict[str, Callable[[Path, Path], Any]] = {
    "patientfile.read": lambda path, out: patientfile.read(path),
    "patientfile.read_warning_answers": lambda path, out: patientfile.read_warning_answers(path),
    "patientfile.summary_frame": lambda path, out: patientfile.summary_frame(path),
    "patientfile.kind": lambda path, out: patientfile.kind(path),
    "patientfile.listing": lambda path, out: patientfile.listing(path.parent),
    "patientfile.open_log": lambda path, out: _read_open(path),
    "report.load_inputs": lambda path, out: report.load_inputs(path),
    "report.build": lambda path, out: report.build(path, out=out / "r.html", progress=False),
    "caseload.load_caseload": lambda path, out: caseload.load_caseload(path.parent, as_of=DAY),
    "gate.check (a path)": lambda path, out: gate.check(path),
}

#: Each command with a bad input: (arguments, a fragment of its one line).
#: ``{log}`` is the kept log, ``{tmp}`` the test's folder.
COMMANDS: dict[str, tuple[list[str], str]] = {
    "lab": (["lab", "--port", "70000"], "port 70000"),
    "app": (["app", "--port", "70000"], "port 70000"),
    "workspace": (["workspace", "--no-such-option"], "no-such-option"),
    "report": (["report", "{log}", "--notes", "/dev/zero", "--out", "{tmp}/r.html"], "notes"),
    "plan": (["plan", "activate", "{tmp}/no-such-plan.yaml"], "no-such-plan"),
    "export": (["export", "{tmp}/out.xyz", "--log", "{log}"], ".xyz"),
    "import": (["import", "{tmp}/bad.csv", "--log", "{log}"], "99"),
    "demo": (["demo", "--profile", "miracle"], "miracle"),
    "caseload": (["caseload", "{tmp}/no-such-folder"], "no-such-folder"),
    "share": (["share", "--to", "{tmp}/no-such-folder", "--log", "{log}"], "no-such-folder"),
    "plan-calendar": (["plan-calendar", "{tmp}/no-such-plan.yaml"], "no-such-plan"),
}

#: Public names that are neither (what they are).
NOT_DOORS = {
    "SessionLog.close": "ends the connection; writes only a clean-close mark after a write",
}


def _read_open(path: Path) -> int:
    with patientfile.open_log(path) as log:
        return len(log.frame())


def _public_methods() -> set[str]:
    return {
        f"SessionLog.{name}"
        for name, member in inspect.getmembers(SessionLog)
        if not name.startswith("_") and callable(member)
    }


def _log_functions(module: Any) -> set[str]:
    """The functions of ``module`` (its ``__all__``) whose first parameter is a log."""
    found = set()
    for name in getattr(module, "__all__", ()):
        member = getattr(module, name)
        if not inspect.isfunction(member):
            continue
        params = list(inspect.signature(member).parameters)
        if params and params[0] == "log":
            found.add(f"{module.__name__.removeprefix('backkit.')}.{name}")
    return found


def _commands() -> set[str]:
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def test_every_door_is_listed():
    # a new public method, a new function taking a log, or a new command fails here
    listed = set(WRITERS) | set(READERS) | set(PATH_READERS) | set(NOT_DOORS)
    assert _public_methods() <= listed, sorted(_public_methods() - listed)
    for module in (outcomes, conditions, gate, report, caseload):
        found = _log_functions(module)
        assert found <= listed, sorted(found - listed)
    assert _commands() == set(COMMANDS), sorted(_commands() ^ set(COMMANDS))
    # every function of the one reader of patient files is a door
    readers = {
        f"patientfile.{name}" for name in patientfile.__all__
        if inspect.isfunction(getattr(patientfile, name))
    }  # fmt: skip
    assert readers <= set(PATH_READERS), sorted(readers - set(PATH_READERS))
    # and no listed door is a name that no longer exists
    for name in [*WRITERS, *READERS, *PATH_READERS]:
        module, attr = name.split(" ")[0].split(".")
        owner = SessionLog if module == "SessionLog" else getattr(backkit, module)
        assert callable(getattr(owner, attr)), name


# --------------------------------------------------------------------------
# Writers: bad input is one error, and nothing changes


@pytest.mark.parametrize("door", sorted(WRITERS))
def test_a_writer_refuses_bad_input_and_changes_no_byte(door, kept):
    call, named = WRITERS[door]
    ids = _ids(kept)
    before = snapshot(kept.parent)
    with SessionLog(kept, create=False) as log, pytest.raises(BackkitError) as caught:
        call(log, ids, kept.parent)
    assert named in str(caught.value), (door, str(caught.value))
    assert snapshot(kept.parent) == before, door


# --------------------------------------------------------------------------
# Readers: reading never writes


@pytest.mark.parametrize("door", sorted(READERS))
def test_a_reader_changes_no_byte(door, kept, tmp_path):
    ids = _ids(kept)
    out = tmp_path / "out"
    out.mkdir()
    before = snapshot(kept.parent)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a reader may warn (a stale log); it must not write
        with SessionLog(kept, create=False) as log:
            READERS[door](log, ids, out)
    assert snapshot(kept.parent) == before, door


@pytest.mark.parametrize("door", sorted(PATH_READERS))
def test_a_reader_of_a_path_changes_no_byte(door, kept, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    before = snapshot(kept.parent)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        PATH_READERS[door](kept, out)
    assert snapshot(kept.parent) == before, door


def test_a_reader_of_a_missing_log_creates_nothing(tmp_path):
    missing = tmp_path / "none.sqlite"
    for door, read in PATH_READERS.items():
        if door.startswith("caseload.load_caseload"):
            continue  # a folder: an empty one is a caseload of nobody
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with contextlib.suppress(BackkitError):
                read(missing, tmp_path)
        assert not missing.exists(), door


# --------------------------------------------------------------------------
# The command line: one line, an exit code, nothing created


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_given_bad_input_says_one_line_and_creates_nothing(command, kept, tmp_path):
    _bad_csv(kept.parent)  # {tmp}/bad.csv
    home = tmp_path / "home"
    home.mkdir()
    args, named = COMMANDS[command]
    argv = [a.format(log=kept, tmp=tmp_path) for a in args]
    before = snapshot(tmp_path)
    env = dict(os.environ, BACKKIT_HOME=str(home), MPLBACKEND="Agg", BACKKIT_TZ="UTC")
    env.pop("BACKKIT_LOG", None)
    result = subprocess.run(
        [str(SCRIPT), *argv], capture_output=True, text=True, env=env, cwd=home, timeout=120
    )
    assert result.returncode in (1, 2), (command, result)
    said = result.stderr.strip()
    assert "Traceback" not in said + result.stdout, (command, said)
    # one line says what is wrong (a usage error, exit 2, shows the usage above it;
    # a progress bar may come before it)
    errors = [line for line in said.splitlines() if "error:" in line]
    assert len(errors) == 1 and said.splitlines()[-1] == errors[0], (command, said)
    assert named in errors[0], (command, said)
    assert snapshot(tmp_path) == before, command


def _run(*argv: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, BACKKIT_HOME=str(home), MPLBACKEND="Agg", BACKKIT_TZ="UTC")
    env.pop("BACKKIT_LOG", None)
    return subprocess.run(
        [str(SCRIPT), *argv], capture_output=True, text=True, env=env, cwd=home, timeout=120
    )


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_import_reads_what_export_writes_by_suffix(suffix, kept, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    out = tmp_path / f"export{suffix}"
    assert _run("export", str(out), "--log", str(kept), home=home).returncode == 0
    copy = tmp_path / "copy.sqlite"
    done = _run("import", str(out), "--log", str(copy), home=home)
    assert done.returncode == 0, done.stderr
    with SessionLog(kept, create=False) as a, SessionLog(copy, create=False) as b:
        pd.testing.assert_frame_equal(a.frame(), b.frame())


def test_a_failed_import_leaves_no_new_log(kept, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    target = tmp_path / "new" / "log.sqlite"
    target.parent.mkdir()
    result = _run("import", str(_bad_csv(kept.parent)), "--log", str(target), home=home)
    assert result.returncode == 1 and "pain_after = '99'" in result.stderr
    assert list(target.parent.iterdir()) == []
    xlsx = _run("import", str(tmp_path / "log.xlsx"), "--log", str(target), home=home)
    assert xlsx.returncode == 1 and "give a .csv or .json file" in xlsx.stderr
    assert list(target.parent.iterdir()) == []


# --------------------------------------------------------------------------
# One meaning of "done" and one pain level in every view


@pytest.fixture
def skipped(tmp_path, monkeypatch) -> Path:
    """A log whose only session skipped every exercise: 0 of every repetition and hold."""
    monkeypatch.setenv("BACKKIT_TZ", "UTC")
    path = tmp_path / "skipped" / "P1.sqlite"
    path.parent.mkdir()
    plan = backkit.Plan.default(start=DAY)
    rows = []
    for k, item in enumerate(plan.items):
        ex = backkit.get_exercise(item.exercise_id)
        sides = ("left", "right") if ex.per_side else (None,)
        for side in sides:
            rows.append(
                {"exercise_id": ex.id, "side": side, "sets_planned": 1, "sets_done": 0,
                 "reps_planned": 2, "reps_done": 0,
                 "hold_s_planned": 15 if ex.kind == "hold" else None,
                 "hold_s_done": 0 if ex.kind == "hold" else None,
                 "started_at": f"{DAY}T09:{k:02d}:00+00:00", "session_id": "skipped"}
            )  # fmt: skip
    with SessionLog(path) as log:
        log.record_many(rows)
    return path


def test_a_session_that_skipped_everything_is_not_done_in_any_view(skipped):
    from backkit.widgets.app import done_today

    with SessionLog(skipped, create=False) as log:
        frame = log.frame()
        assert set(credits(frame, dt.date(2025, 3, 3)).values()) == {0.0}
        assert set(done_today(log, dt.date(2025, 3, 3)).values()) == {0.0}
    per_exercise, weeks = analysis.weekly_adherence(frame, backkit.Plan.default(start=DAY), end=DAY)
    assert per_exercise.to_numpy().sum() == 0 and weeks["credit"].sum() == 0
    assert weeks["percent"].iloc[-1] == 0
    view = caseload.load_caseload(skipped.parent, plan=backkit.Plan.default(start=DAY), as_of=DAY)
    (patient,) = view.patients
    assert patient.overall_adherence == 0 and patient.week_adherence == 0


def test_a_log_rated_per_session_shows_one_pain_level_everywhere(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKKIT_TZ", "UTC")
    path = tmp_path / "rated" / "P2.sqlite"
    path.parent.mkdir()
    with SessionLog(path) as log:
        for day, (before, after) in enumerate([(7, 6), (7, 6), (6, 5), (5, 4), (4, 3)] * 3):
            sid = f"s{day}"
            when = dt.datetime(2025, 3, 3, 9, tzinfo=dt.timezone.utc) + dt.timedelta(days=day)
            log.record(exercise_id="bridge", started_at=when, session_id=sid, sets_planned=1,
                       reps_planned=10, sets_done=1, reps_done=10)  # fmt: skip
            log.rate_session(sid, pain_before=before, pain_after=after)
        frame = log.frame()
    change = analysis.pain_change_by_week(frame)
    shown = analysis.shown_change(change.attrs["baseline"], change["pain"].iloc[-1])
    (patient,) = caseload.load_caseload(path.parent, as_of="2025-03-17").patients
    assert patient.baseline == change.attrs["baseline"]
    assert patient.pain_change == change["change"].iloc[-1]
    (page,) = report.build(path, out=tmp_path / "r.html", progress=False)
    text = page.read_text()
    assert f"Baseline pain (first 7 days): {shown.baseline}/10" in text, shown
    assert f"{shown.latest}/10, {shown.change} points" in text, shown


# --------------------------------------------------------------------------
# Outputs: a missing folder is made only in the data home (issue 23, item 7)
#
# Every door that names a file or folder to write. Inside the person's data home
# a missing folder is created (0700); anywhere else it is one error naming the
# folder and the file, and nothing at all is created (backkit.config.output_folder).
# ``out`` is the output without its suffix: each door adds its own.


def _with_log(kept: Path, write: Callable[[SessionLog], Any]) -> Any:
    with SessionLog(kept, create=False) as log:
        return write(log)


def _env_log(out: Path, mp: pytest.MonkeyPatch) -> None:
    mp.setenv("BACKKIT_LOG", str(out.with_suffix(".sqlite")))
    SessionLog().close()


def _env_plan(out: Path, mp: pytest.MonkeyPatch) -> Path:
    mp.setenv("BACKKIT_PLAN", str(out.with_suffix(".yaml")))
    return backkit.Plan.default(start=DAY).activate()


#: Each writer of the Python API: ``write(kept log, out, monkeypatch)``.
OUTPUT_WRITERS: dict[str, Callable[[Path, Path, pytest.MonkeyPatch], Any]] = {
    "SessionLog (a new log)": lambda kept, out, mp: SessionLog(out.with_suffix(".sqlite")).close(),
    "SessionLog ($BACKKIT_LOG)": lambda kept, out, mp: _env_log(out, mp),
    "SessionLog.export_csv": lambda kept, out, mp: _with_log(
        kept, lambda log: log.export_csv(out.with_suffix(".csv"))
    ),
    "SessionLog.export_excel": lambda kept, out, mp: _with_log(
        kept, lambda log: log.export_excel(out.with_suffix(".xlsx"))
    ),
    "SessionLog.export_json": lambda kept, out, mp: _with_log(
        kept, lambda log: log.export_json(out.with_suffix(".json"))
    ),
    "logjson.write": lambda kept, out, mp: _with_log(
        kept, lambda log: backkit.logjson.write(log.store, out.with_suffix(".json"))
    ),
    "logfiles.write_csv": lambda kept, out, mp: backkit.logfiles.write_csv(
        pd.DataFrame({"a": [1]}), out.with_suffix(".csv")
    ),
    "logfiles.write_excel": lambda kept, out, mp: backkit.logfiles.write_excel(
        pd.DataFrame({"a": [1]}), out.with_suffix(".xlsx"), meanings={}, tz="UTC"
    ),
    "Plan.save": lambda kept, out, mp: backkit.Plan.default(start=DAY).save(
        out.with_suffix(".yaml")
    ),
    "Plan.activate ($BACKKIT_PLAN)": lambda kept, out, mp: _env_plan(out, mp),
    "report.build (out)": lambda kept, out, mp: report.build(
        kept, out=out.with_suffix(".html"), progress=False
    ),
    "report.build (plan_out)": lambda kept, out, mp: report.build(
        kept, out=kept.parent / "r.html", plan_out=out.with_suffix(".yaml"), progress=False
    ),
    "ics.write_calendar": lambda kept, out, mp: backkit.ics.write_calendar(
        backkit.Plan.default(start=DAY), out.with_suffix(".ics"), tz="UTC"
    ),
    "fhir.write_bundle": lambda kept, out, mp: fhir.write_bundle(
        _with_log(kept, lambda log: fhir.bundle(log.frame())), out.with_suffix(".json")
    ),
    "store.write_atomically": lambda kept, out, mp: backkit.store.write_atomically(
        out.with_suffix(".txt"), lambda tmp: tmp.write_text("x")
    ),
    "store.snapshot": lambda kept, out, mp: backkit.store.snapshot(kept, out.with_suffix(".db")),
    "workspace.prepare": lambda kept, out, mp: backkit.workspace.prepare(out),
}

#: Writers that write their other files first: what they leave is a known gap.
OUTPUT_GAPS: dict[str, str] = {}

#: Each option of a command that names an output: (arguments, environment).
#: ``{log}`` is the kept log, ``{tmp}`` the test's folder, ``{out}`` the output.
OUTPUT_COMMANDS: dict[str, tuple[list[str], dict[str, str]]] = {
    "export out (.csv)": (["export", "{out}.csv", "--log", "{log}"], {}),
    "export out (.xlsx)": (["export", "{out}.xlsx", "--log", "{log}"], {}),
    "export out (.json)": (["export", "{out}.json", "--log", "{log}"], {}),
    "export out (--format fhir)": (
        ["export", "{out}.json", "--format", "fhir", "--log", "{log}"],
        {},
    ),
    "report --out": (["report", "{log}", "--out", "{out}.html", "--quiet"], {}),
    "report --plan-out": (
        ["report", "{log}", "--out", "{tmp}/r.html", "--plan-out", "{out}.yaml", "--quiet"],
        {},
    ),
    "caseload --chart": (["caseload", "{tmp}/patient", "--chart", "{out}.png"], {}),
    "caseload --key": (["caseload", "{tmp}/patient", "--pseudonymise", "--key", "{out}.csv"], {}),
    "plan-calendar --out": (["plan-calendar", "{tmp}/plan.yaml", "--out", "{out}.ics"], {}),
    "demo --out": (["demo", "--out", "{out}", "--quiet"], {}),
    "import --log": (["import", "{tmp}/export.csv", "--log", "{out}.sqlite"], {}),
    "app --log": (["app", "--log", "{out}.sqlite", "--no-browser"], {}),
    "plan activate ($BACKKIT_PLAN)": (
        ["plan", "activate", "{tmp}/plan.yaml"],
        {"BACKKIT_PLAN": "{out}.yaml"},
    ),
}

#: Commands whose success is a server that runs until stopped: only the refusal is tested.
SERVERS = {"app --log"}

# the options of a command that name what it writes
_OUTPUT_DESTS = {"out", "chart", "key", "plan_out"}


def _tree(folder: Path) -> set[str]:
    """Every file and folder under ``folder``: whatever was created shows here."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _private(folder: Path) -> bool:
    return folder.is_dir() and os.stat(folder).st_mode & 0o777 == 0o700


def _output_inputs(kept: Path, tmp: Path) -> None:
    """The inputs the output commands read: a plan and an export, beside the kept log."""
    backkit.Plan.default(start=DAY).save(tmp / "plan.yaml")
    with SessionLog(kept, create=False) as log:
        log.export_csv(tmp / "export.csv")


def _run_output(door: str, kept: Path, tmp: Path, home: Path, out: Path):
    args, extra = OUTPUT_COMMANDS[door]
    fill = {"log": kept, "tmp": tmp, "out": out}
    env = dict(os.environ, BACKKIT_HOME=str(home), MPLBACKEND="Agg", BACKKIT_TZ="UTC")
    env.pop("BACKKIT_LOG", None)
    env.pop("BACKKIT_PLAN", None)
    env.update({k: v.format(**fill) for k, v in extra.items()})
    cwd = home if home.is_dir() else tmp
    return subprocess.run(
        [str(SCRIPT), *(a.format(**fill) for a in args)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=300,
    )  # fmt: skip


def test_every_output_is_listed():
    # a new option that names an output, or a new writer, fails here until it is listed
    listed = {name.split(" (")[0] for name in OUTPUT_COMMANDS}
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    for command, parser in sub.choices.items():
        for action in parser._actions:
            if action.dest in _OUTPUT_DESTS or action.dest.endswith("_out"):
                option = action.option_strings[0] if action.option_strings else action.dest
                assert f"{command} {option}" in listed, (command, option)
    writers = {name.split(" (")[0] for name in OUTPUT_WRITERS}
    for module in ("logfiles", "logjson", "ics", "fhir", "store", "report", "workspace"):
        for name in getattr(backkit, module).__all__:
            if name.startswith(("write", "build", "prepare", "snapshot")):
                assert f"{module}.{name}" in writers, name
    for name in _public_methods():
        if name.startswith("SessionLog.export"):
            assert name in writers, name
    assert {"Plan.save", "Plan.activate", "SessionLog"} <= writers
    assert set(OUTPUT_GAPS) <= set(OUTPUT_WRITERS) and set(OUTPUT_COMMANDS) >= SERVERS


def _writer_params() -> list[Any]:
    return [
        pytest.param(d, marks=pytest.mark.xfail(strict=True, reason=OUTPUT_GAPS[d]))
        if d in OUTPUT_GAPS else d
        for d in sorted(OUTPUT_WRITERS)
    ]  # fmt: skip


@pytest.mark.parametrize("door", _writer_params())
def test_a_writer_refuses_a_missing_folder_outside_the_home(door, kept, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKKIT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BACKKIT_LOG", raising=False)
    out = tmp_path / "missing" / "deeper" / "x"
    before = _tree(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(backkit.errors.OutputFolderError) as caught:
            OUTPUT_WRITERS[door](kept, out, monkeypatch)
    said = str(caught.value)
    assert "\n" not in said and str(out.parent) in said, said
    assert "create the folder first, or write into your data home" in said, said
    assert caught.value.folder == out.parent
    assert _tree(tmp_path) == before, door  # nothing created: no folder, no file, no home


@pytest.mark.parametrize("door", sorted(OUTPUT_WRITERS))
def test_a_writer_makes_a_missing_folder_in_the_home_private(door, kept, tmp_path, monkeypatch):
    home = tmp_path / "home"  # missing too: it is made with them
    monkeypatch.setenv("BACKKIT_HOME", str(home))
    monkeypatch.delenv("BACKKIT_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        OUTPUT_WRITERS[door](kept, home / "a" / "b" / "x", monkeypatch)
    assert all(_private(f) for f in (home, home / "a", home / "a" / "b")), door
    assert list((home / "a" / "b").iterdir()), door


@pytest.mark.parametrize("door", sorted(OUTPUT_COMMANDS))
def test_a_command_refuses_a_missing_folder_outside_the_home(door, kept, tmp_path):
    _output_inputs(kept, tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    out = tmp_path / "missing" / "deeper" / "x"
    before = _tree(tmp_path)
    result = _run_output(door, kept, tmp_path, home, out)
    said = result.stderr.strip()
    assert result.returncode == 1, (door, result)
    assert "Traceback" not in said + result.stdout, (door, said)
    (line,) = said.splitlines()
    assert line.startswith("backkit ") and " error: " in line, (door, line)
    assert str(out.parent) in line and "create the folder first" in line, (door, line)
    assert _tree(tmp_path) == before, door  # nothing created, the chain of folders too


@pytest.mark.parametrize("door", sorted(set(OUTPUT_COMMANDS) - SERVERS))
def test_a_command_makes_a_missing_folder_in_the_home_private(door, kept, tmp_path):
    _output_inputs(kept, tmp_path)
    home = tmp_path / "home"  # missing too: it is made with them
    result = _run_output(door, kept, tmp_path, home, home / "a" / "b" / "x")
    assert result.returncode == 0, (door, result.stderr)
    assert all(_private(f) for f in (home, home / "a", home / "a" / "b")), door
    assert list((home / "a" / "b").iterdir()), door


def test_a_folder_that_is_a_file_is_refused_and_nothing_is_written(kept, tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "notes").write_text("a file, not a folder")
    before = _tree(tmp_path)
    result = _run_output(
        "export out (.csv)", kept, tmp_path, tmp_path / "home", tmp_path / "notes" / "x"
    )
    assert result.returncode == 1
    assert result.stderr.strip().endswith(f"{tmp_path / 'notes'} is a file, not a folder")
    assert _tree(tmp_path) == before
