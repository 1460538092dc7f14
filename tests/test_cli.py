"""The ``backkit`` command, run as a person runs it: a real process, its exit code and output.

A user's mistake must end with a non-zero exit and one clear error, never a
Python traceback; nothing stored may change.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from backkit.log import SessionLog

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CSV = REPO / "data" / "sample_sessions.csv"
SAMPLE_PLAN = REPO / "data" / "sample_plan.yaml"
COMMANDS = ("lab", "app", "workspace", "report", "plan", "export", "import", "demo", "caseload",
            "share", "plan-calendar")  # fmt: skip
SCRIPT = Path(sys.executable).with_name("backkit")


def backkit(
    *args: str, home: Path, timeout: float = 120, **more: str
) -> subprocess.CompletedProcess:
    """Run the installed ``backkit`` console script with a throw-away home (``more``: env)."""
    env = dict(os.environ, BACKKIT_HOME=str(home), MPLBACKEND="Agg", **more)
    env.pop("BACKKIT_LOG", None)
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=timeout,
    )


def assert_user_error(result: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    assert result.returncode == code, result
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


@pytest.fixture
def home(tmp_path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_the_console_script_is_installed():
    assert SCRIPT.is_file(), "pip install -e . makes the backkit command"


class TestHelp:
    def test_help_lists_every_command(self, home):
        result = backkit("--help", home=home)
        assert result.returncode == 0
        listed = re.findall(r"^    ([\w-]+)(?:  |\n)", result.stdout, flags=re.M)
        assert tuple(listed) == COMMANDS

    @pytest.mark.parametrize("command", COMMANDS)
    def test_each_command_has_help(self, command, home):
        result = backkit(command, "--help", home=home)
        assert result.returncode == 0
        assert result.stdout.startswith(f"usage: backkit {command}")

    def test_report_help_names_the_privacy_options(self, home):
        out = backkit("report", "--help", home=home).stdout
        for option in ("--pseudonym", "--name", "--date-shift", "--include-notes", "--pdf",
                       "--plan", "--out"):  # fmt: skip
            assert option in out

    def test_app_help_says_loopback_and_token(self, home):
        assert "127.0.0.1 only, behind a random token" in backkit("app", "--help", home=home).stdout

    @pytest.mark.parametrize(
        ("args", "said"),
        [
            (("report", "x.csv", "--paper", "A3"),
             "backkit report: error: argument --paper: invalid choice: 'A3' (choose from 'a4', "
             "'letter') (see backkit report --help)"),
            (("lab", "--port", "eighty"),
             "backkit lab: error: argument --port: invalid int value: 'eighty' "
             "(see backkit lab --help)"),
            (("exprot",), "backkit: error: argument COMMAND: invalid choice: 'exprot'"),
        ],
    )  # fmt: skip
    def test_a_usage_mistake_is_one_line_naming_the_value(self, home, args, said):
        result = backkit(*args, home=home)
        assert_user_error(result, 2, said)
        assert result.stderr.count("\n") == 1 and result.stdout == "", result.stderr

    def test_no_command_prints_help_and_exits_2(self, home):
        result = backkit(home=home)
        assert result.returncode == 2
        assert "report" in result.stdout

    def test_version(self, home):
        from backkit import __version__

        result = backkit("--version", home=home)
        assert result.returncode == 0 and result.stdout.strip() == f"backkit {__version__}"

    def test_lab_help_says_workspace_and_loopback(self, home):
        text = " ".join(backkit("lab", "--help", home=home).stdout.split())
        assert "(on 127.0.0.1 only) on your own copies of the notebooks" in text


class TestUsageErrors:
    def test_unknown_option(self, home):
        result = backkit("report", str(SAMPLE_CSV), "--bogus", home=home)
        assert_user_error(result, 2, "unrecognized arguments: --bogus")

    def test_unknown_command(self, home):
        result = backkit("reprot", home=home)
        assert_user_error(result, 2, "invalid choice: 'reprot'")

    def test_date_shift_not_a_number(self, home):
        result = backkit("report", str(SAMPLE_CSV), "--date-shift", "two weeks", home=home)
        assert_user_error(result, 2, "argument --date-shift: invalid int value: 'two weeks'")

    def test_date_shift_out_of_range(self, home):
        result = backkit("report", str(SAMPLE_CSV), "--date-shift", "99999", home=home)
        assert_user_error(result, 1, "backkit report: error: date_shift = 99999")
        assert not (home / "report.html").exists()


class TestReport:
    def test_missing_file(self, home):
        result = backkit("report", "jane_doe.csv", home=home)
        assert_user_error(result, 1, "backkit report: error: jane_doe.csv: no such file")
        assert not (home / "report.html").exists()

    def test_bad_csv_row_names_file_row_and_field(self, home):
        bad = home / "visit.csv"
        bad.write_text(
            "started_at,exercise_id,pain_before,pain_after\n"
            "2025-03-03T08:00,bridge,3,2\n2025-03-04T08:00,bridge,3,12\n"
        )
        result = backkit("report", str(bad), home=home)
        assert_user_error(result, 1, "1 of 2 rows rejected", "file visit.csv, row 3: pain_after")
        assert not (home / "report.html").exists()

    def test_output_not_html(self, home):
        result = backkit("report", str(SAMPLE_CSV), "--out", "r.docx", home=home)
        assert_user_error(result, 1, "output file 'r.docx': give an .html file name")

    def test_writes_the_report(self, home):
        result = backkit("report", str(SAMPLE_CSV), "--plan", str(SAMPLE_PLAN),
                         "--pseudonym", "Patient A", "--out", "r.html", home=home)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(Path("r.html"))
        text = (home / "r.html").read_text()
        assert "Back exercise review: Patient A" in text
        assert "3/3 wrote r.html" in result.stderr  # the progress bar

    def test_writes_the_patient_report_on_letter_paper_with_notes(self, home):
        (home / "notes.txt").write_text("Keep walking daily.")
        result = backkit("report", str(SAMPLE_CSV), "--plan", str(SAMPLE_PLAN), "--for", "patient",
                         "--notes", "notes.txt", "--paper", "letter", "--out", "p.html", "--quiet",
                         home=home)  # fmt: skip
        assert result.returncode == 0, result.stderr
        text = (home / "p.html").read_text()
        assert "Your back exercise review" in text and "Keep walking daily." in text
        assert "size: letter" in text

    def test_plan_out_on_the_log_is_refused(self, home):
        log = home / "log.csv"
        log.write_bytes(SAMPLE_CSV.read_bytes())
        result = backkit("report", str(log), "--plan-out", str(log), home=home)
        assert_user_error(result, 1, "give a .yaml file name")
        assert log.read_bytes() == SAMPLE_CSV.read_bytes()

    def test_bad_audience(self, home):
        result = backkit("report", str(SAMPLE_CSV), "--for", "colleague", home=home)
        assert_user_error(result, 2, "argument --for: invalid choice: 'colleague'")


class TestPlanActivate:
    def test_activates_a_plan_file(self, home):
        result = backkit("plan", "activate", str(SAMPLE_PLAN), home=home)
        assert result.returncode == 0, result.stderr
        name = "Sample plan: seven exercises, strength work three days a week"
        assert f"activated '{name}'" in result.stdout
        assert (home / "plan.yaml").is_file()

    def test_a_bad_plan_is_refused_and_nothing_activated(self, home):
        bad = home / "next.yaml"
        bad.write_text("name: x\nexercises: [{id: brige}]\n")
        result = backkit("plan", "activate", str(bad), home=home)
        assert result.returncode == 1 and "brige" in result.stderr
        assert not (home / "plan.yaml").exists()


def folder(tmp_path: Path) -> Path:
    path = tmp_path / "patient"
    path.mkdir(exist_ok=True)
    return path


class TestReportOnLogFiles:
    """A log file that is not a (current, intact) backkit log: one line naming it, exit 1."""

    def assert_refused(self, home: Path, path: Path, fragment: str) -> None:
        before = path.read_bytes()
        result = backkit("report", str(path), "--out", "r.html", "--quiet", home=home)
        assert_user_error(result, 1, f"backkit report: error: {path}: {fragment}")
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert path.read_bytes() == before
        beside = sorted(p.name for p in path.parent.iterdir())
        assert beside == [path.name], "nothing is written beside the file (no -wal, no -shm)"
        assert not (home / "r.html").exists()

    def test_a_foreign_sqlite_file(self, tmp_path, home):
        import sqlite3

        path = folder(tmp_path) / "photos.sqlite"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE albums (name TEXT)")
        db.close()
        self.assert_refused(home, path, "is an SQLite database but not a backkit session log")

    def test_a_damaged_log(self, tmp_path, home):
        path = folder(tmp_path) / "log.sqlite"
        with SessionLog(path) as log:
            start = pd.Timestamp("2025-01-06 08:00")
            days = [start + pd.Timedelta(days=n) for n in range(40)]
            log.record_many(
                [{"exercise_id": "bridge", "started_at": d, "notes": "x" * 900} for d in days]
            )
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])  # a copy cut short
        self.assert_refused(home, path, "is damaged")

    def test_a_log_from_a_newer_backkit(self, tmp_path, home):
        import sqlite3

        from backkit.log import SCHEMA_VERSION

        path = folder(tmp_path) / "log.sqlite"
        SessionLog(path).close()
        with sqlite3.connect(path) as db:
            db.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
            )
        db.close()
        self.assert_refused(home, path, "was written by a newer backkit")

    def test_not_a_database(self, tmp_path, home):
        path = folder(tmp_path) / "log.sqlite"
        path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
        result = backkit("report", str(path), "--out", "r.html", "--quiet", home=home)
        assert_user_error(result, 1, f"backkit report: error: {path}: ")
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


class TestImportExport:
    def test_import_then_export_round_trip(self, home):
        log = home / "mine.sqlite"
        result = backkit("import", str(SAMPLE_CSV), "--log", str(log), home=home)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"imported 611 rows into {log}"
        result = backkit("export", "back.csv", "--log", str(log), home=home)
        assert result.returncode == 0 and result.stdout.strip() == "wrote 611 rows to back.csv"
        frames = []
        for csv in (SAMPLE_CSV, home / "back.csv"):
            with SessionLog(":memory:") as fresh:
                fresh.import_csv(csv)
                frames.append(fresh.frame())
        pd.testing.assert_frame_equal(*frames)

    def test_import_of_a_bad_file_changes_nothing(self, home):
        log = home / "mine.sqlite"
        with SessionLog(log) as opened:
            opened.record(exercise_id="bridge")
        bad = home / "bad.csv"
        bad.write_text("exercise_id,pain_after\nbridge,2\nbrige,3\n")
        result = backkit("import", str(bad), "--log", str(log), home=home)
        assert_user_error(result, 1, "row 3: exercise_id = 'brige'", "Did you mean 'bridge'?")
        with SessionLog(log) as opened:
            assert len(opened) == 1

    def test_export_without_a_log(self, home):
        result = backkit("export", "out.csv", home=home)
        assert_user_error(result, 1, "backkit export: error:", "no log here yet")

    def test_json_export_round_trips(self, home):
        log = home / "mine.sqlite"
        assert backkit("import", str(SAMPLE_CSV), "--log", str(log), home=home).returncode == 0
        result = backkit("export", "whole.json", "--log", str(log), home=home)
        assert result.returncode == 0 and result.stdout.strip() == "wrote 611 rows to whole.json"
        with SessionLog(home / "back.sqlite") as back, SessionLog(log) as mine:
            back.import_json(home / "whole.json")
            pd.testing.assert_frame_equal(back.frame(ids=True), mine.frame(ids=True))

    def test_export_to_an_unknown_format(self, home):
        SessionLog(home / "backkit-log.sqlite").close()
        result = backkit("export", "out.txt", home=home)
        assert_user_error(result, 1, "give a .csv, .xlsx or .json file name")


class TestAppAndLabErrors:
    def test_busy_port(self, home):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            result = backkit("app", "--port", str(port), "--no-browser", home=home)
        assert_user_error(result, 1, f"port {port} on 127.0.0.1 is in use; give another")

    @pytest.mark.parametrize("port", ["0", "70000"])
    def test_bad_port(self, port, home):
        result = backkit("app", "--port", port, "--no-browser", home=home)
        assert_user_error(result, 1, f"port {port}: give a port number from 1 to 65535")

    def test_lab_with_a_missing_notebook(self, home):
        result = backkit("lab", "--notebook", "99_nothing.ipynb", "--no-browser", home=home)
        assert_user_error(result, 1, "notebook '99_nothing.ipynb' not found in")
        assert f"not found in {home / 'notebooks'}" in result.stderr

    def test_app_inside_jupyterhub_points_to_the_app_in_ones_own_server(self, home):
        result = backkit("app", "--no-browser", home=home, JUPYTERHUB_SERVICE_PREFIX="/user/ann/")
        assert_user_error(result, 1, "open /user/ann/voila/render/app.ipynb at the hub's address")
        assert result.stderr.count("\n") == 1


class TestWorkspace:
    def test_prints_the_workspace_alone_and_starts_no_server(self, home):
        first = backkit("workspace", home=home, timeout=60)
        assert first.returncode == 0, first.stderr
        assert first.stdout == f"{home / 'notebooks'}\n", "the path alone, for scripts"
        assert first.stderr.startswith("backkit workspace: copied ")
        assert (home / "notebooks" / "00_start_here.ipynb").is_file()
        again = backkit("workspace", home=home, timeout=60)
        assert (again.returncode, again.stdout, again.stderr) == (0, first.stdout, "")


class TestShare:
    @pytest.fixture
    def clinic(self, tmp_path) -> Path:
        folder = tmp_path / "clinic"
        folder.mkdir()
        folder.chmod(0o2770)
        return folder

    def test_shares_a_pseudonymised_export_with_the_folders_group(self, home, clinic):
        assert backkit("import", str(SAMPLE_CSV), home=home).returncode == 0
        result = backkit("share", "--to", str(clinic), "--as", "P001", home=home)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("shared 611 rows as 'P001', readable by you and group")
        for name in ("P001.csv", "P001.yaml"):
            assert (clinic / name).stat().st_mode & 0o777 == 0o640
        view = backkit("caseload", str(clinic), home=home)
        assert view.returncode == 0 and "P001" in view.stdout and view.stderr == ""

    @pytest.mark.parametrize(
        ("args", "said"),
        [
            (("--to", "{missing}", "--as", "P001"),
             "backkit share: error: --to '{missing}': no such folder"),
            (("--to", "{clinic}", "--as", "../P001"),
             "backkit share: error: --as '../P001': give an id"),
            (("--to", "{clinic}", "--as", "P001"), "there is no log here: nothing to share"),
        ],
    )  # fmt: skip
    def test_bad_input_is_one_line_and_nothing_is_written(self, home, clinic, tmp_path, args, said):
        names = {"missing": str(tmp_path / "missing"), "clinic": str(clinic)}
        result = backkit("share", *(a.format(**names) for a in args), home=home)
        assert_user_error(result, 1, said.format(**names))
        assert result.stderr.count("\n") == 1 and result.stdout == ""
        assert list(clinic.iterdir()) == [] and not (tmp_path / "missing").exists()
        assert not (home / "backkit-log.sqlite").exists()

    def test_the_folder_is_required(self, home):
        said = "the following arguments are required: --to"
        assert_user_error(backkit("share", home=home), 2, said)


def _jupyter_folders(base: Path) -> dict[str, str]:
    names = ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
             "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR")  # fmt: skip
    return {name: str(base / name.lower()) for name in names}


@pytest.mark.slow
def test_lab_opens_the_workspace_on_loopback_and_ctrl_c_stops_everything(home, tmp_path):
    """From a folder that is not the kit's: the workspace is served, on 127.0.0.1 only."""
    import json
    import signal
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, BACKKIT_HOME=str(home), **_jupyter_folders(tmp_path / "jupyter"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    log = tmp_path / "lab.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(SCRIPT), "lab", "--no-browser", "--port", str(port)],
            cwd=elsewhere,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline, url = time.monotonic() + 120, None
            while not url and time.monotonic() < deadline and process.poll() is None:
                found = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=\w+", log.read_text())
                url = found and found.group(0)
                time.sleep(0.3)
            assert url, log.read_text()[-3000:]
            with urllib.request.urlopen(url.replace("/lab?", "/api/contents?"), timeout=30) as r:
                listed = {item["name"] for item in json.load(r)["content"]}
            assert {"00_start_here.ipynb", "10_todays_session.ipynb"} <= listed
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent
                address = probe.getsockname()[0]
            if not address.startswith("127."):
                with pytest.raises(OSError), socket.create_connection((address, port), timeout=3):
                    pass
            process.send_signal(signal.SIGINT)  # Ctrl-C
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
    text = log.read_text()
    kit = [p for p in (REPO / "notebooks").iterdir() if p.suffix in (".ipynb", ".md")]
    kit += [p for p in (REPO / "notebooks" / "pt").iterdir() if p.suffix in (".ipynb", ".md")]
    assert text.splitlines()[0] == (
        f"backkit lab: copied {len(kit)} notebooks to your workspace {home / 'notebooks'}"
    )
    assert "received signal 15, stopping" in text  # Jupyter's own clean shutdown
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=3):
        pass
    assert list(elsewhere.iterdir()) == []


@pytest.mark.slow
def test_demo_writes_sample_data_and_a_report(home):
    result = backkit("demo", "--out", "demo", "--quiet", home=home)
    assert result.returncode == 0, result.stderr
    folder = home / "demo"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"  # health data, made up or not, is private
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["sample-log.sqlite", "sample-report.html", "sample_plan.yaml",
                     "sample_sessions.csv"]  # fmt: skip
    text = (folder / "sample-report.html").read_text()
    assert "Back exercise review: Sample patient" in text
    assert "Outcome measures since the baseline" in text  # the check-ins went in the log


def test_a_caseload_key_without_pseudonymise_is_refused_before_the_chart_is_written(home, tmp_path):
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    (clinic / "P01.csv").write_bytes(SAMPLE_CSV.read_bytes())
    chart, key = tmp_path / "caseload.png", tmp_path / "key.csv"
    result = backkit("caseload", str(clinic), "--chart", str(chart), "--key", str(key), home=home)
    assert_user_error(result, 1, "--key needs --pseudonymise")
    assert not chart.exists() and not key.exists()  # a failed command leaves nothing


def test_a_missing_output_folder_is_named_in_one_line_and_not_created(home, tmp_path):
    # the issue's own example: --chart into a folder that does not exist
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    (clinic / "P01.csv").write_bytes(SAMPLE_CSV.read_bytes())
    chart = tmp_path / "nonexistent" / "x.png"
    result = backkit("caseload", str(clinic), "--chart", str(chart), home=home)
    assert_user_error(result, 1, f"the folder {chart.parent} does not exist")
    assert result.stderr.count("\n") == 1 and result.stdout == ""  # refused before any work
    assert not chart.parent.exists()
    # in the data home the same folder is made, private
    result = backkit("caseload", str(clinic), "--chart", str(home / "charts" / "x.png"), home=home)
    assert result.returncode == 0, result.stderr
    assert (home / "charts" / "x.png").is_file()
    assert (home / "charts").stat().st_mode & 0o777 == 0o700
