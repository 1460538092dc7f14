"""The no-code app as a person uses it: ``backkit app`` in a terminal, the page in Chromium.

The real command starts Voila on 127.0.0.1 with a random token; headless
Chromium opens the address it prints, runs one exercise (``--quick``: one
2-second repetition), saves it, and sees the progress charts redrawn from the
log. Then Ctrl-C (SIGINT) stops the app cleanly.
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pagetools
import pytest
from pagetools import set_slider

from backkit.log import SessionLog


def _browser_conftest():
    # tests/ is not a package: load this folder's conftest helpers by path
    import importlib.util

    path = Path(__file__).with_name("conftest.py")
    spec = importlib.util.spec_from_file_location("backkit_browser_conftest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_helpers = _browser_conftest()
ARTIFACTS, free_port, jupyter_env = _helpers.ARTIFACTS, _helpers.free_port, _helpers.jupyter_env
pytestmark = pytest.mark.browser

SCRIPT = Path(sys.executable).with_name("backkit")


class App:
    """``backkit app`` running in a subprocess, its output read line by line."""

    def __init__(self, tmp_path: Path, log: Path):
        self.port = free_port()
        env = jupyter_env(tmp_path / "jupyter")
        env.update(BACKKIT_HOME=str(tmp_path / "home"), BACKKIT_TZ="UTC")
        env.pop("BACKKIT_PLAN", None)
        argv = [str(SCRIPT), "app", "--port", str(self.port), "--no-browser", "--quick",
                "--log", str(log)]  # fmt: skip
        self.process = subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.output.append(line)
            if m := re.search(pattern, line):
                return m
        raise AssertionError(f"never printed {pattern!r}:\n{''.join(self.output)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent over UDP connect
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def wait_text(page, css: str, pattern: str, timeout: float = 30.0) -> str:
    return pagetools.wait_text(page.locator(css).first, pattern, timeout)


def read(page, css: str) -> str:
    return page.locator(css).first.inner_text().strip()


def chart_sources(page) -> list[str]:
    return page.locator(".bk-app-charts img").evaluate_all("els => els.map(e => e.src)")


@pytest.fixture
def app(tmp_path):
    log = tmp_path / "app-log.sqlite"
    running = App(tmp_path, log)
    yield running, log
    running.stop()


def test_run_one_exercise_in_the_app_and_see_the_chart_update(app, page):
    running, log = app
    url = running.wait_for(r"serving at (http://127\.0\.0\.1:\d+/\?token=\S+)")[1]
    running.wait_for(r"only this computer can open it")
    port = running.port

    # Loopback only, and the token is required.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/")  # no token: sent to the login page, no kernel started
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (302, "/login?next=%2F")
    connection.close()
    if (address := non_loopback_address()) is not None:
        with pytest.raises(OSError), socket.create_connection((address, port), timeout=3):
            pass

    page.goto(url)
    page.locator(".bk-app .bk-timer .bk-start").wait_for(timeout=60_000)
    assert "Quick try" in read(page, ".bk-app-header")
    assert read(page, ".bk-app-stats") == (
        "No sessions logged yet: your charts appear after the first one."
    )
    before = chart_sources(page)
    assert len(before) == 2 and all(src.startswith("data:image/png;base64,") for src in before)
    alts = page.locator(".bk-app-charts img").evaluate_all("els => els.map(e => e.alt)")
    assert alts[0] == "Pain before exercise"

    # Pick one exercise, rate the pain, run it.
    page.select_option(".bk-app-choice select", label="4. Bridge (quick try)")
    wait_text(page, ".bk-timer .bk-title", r"^Bridge\b")
    assert re.search(r"1 set x 1 reps?, hold 2 s", read(page, ".bk-timer .bk-title"))
    set_slider(page.locator(".bk-timer .bk-pain-before"), 3)
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-timer .bk-phase", r"^Hold", timeout=10)
    wait_text(page, ".bk-timer .bk-phase", r"^Done - well done!$", timeout=20)
    set_slider(page.locator(".bk-timer .bk-pain-after"), 2)
    page.locator(".bk-timer .bk-save").click()
    wait_text(page, ".bk-timer .bk-message", r"Saved 1 row to the log \(completed\)")

    # The progress section is redrawn from the log.
    stats = wait_text(page, ".bk-app-stats", r"^1 session on 1 day logged", timeout=20)
    assert "(1 exercise bout)" in stats
    after = chart_sources(page)  # drawn before the line above changes
    assert len(after) == 2 and after[0] != before[0] and after[1] != before[1]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app-after-save.png"), full_page=True)
    page.locator(".bk-app-charts").screenshot(path=str(ARTIFACTS / "app-charts.png"))
    shutil.copy(ARTIFACTS / "app-charts.png", "/tmp/app-charts.png")
    assert page.locator(".bk-app-errors").inner_text().strip() == ""

    # What the page showed is what the log holds.
    with SessionLog(log, create=False) as stored:
        frame = stored.frame()
    assert frame[["exercise_id", "sets_done", "reps_done", "pain_before", "pain_after"]].astype(
        str
    ).values.tolist() == [["bridge", "1", "1", "3", "2"]]
    assert frame["plan_id"].tolist() == ["all-seven-exercises-daily"]

    # Ctrl-C stops the app and its kernel; the port is free again.
    running.process.send_signal(signal.SIGINT)
    assert running.process.wait(timeout=30) == 0
    running.wait_for(r"backkit app: stopping", timeout=5)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=3):
        pass


def test_the_app_notebook_is_the_one_the_command_serves():
    from backkit import app
    from backkit.config import notebooks_dir

    path = notebooks_dir() / app.APP_NOTEBOOK
    assert path.is_file()
    assert "App()" in path.read_text()
    assert os.access(SCRIPT, os.X_OK)
