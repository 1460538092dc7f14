"""``backkit app`` as a process: Voila never outlives the command that started it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(sys.executable).with_name("backkit")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_sigterm_with_its_output_closed_stops_voila_too(tmp_path):
    # A service manager stops `backkit app` with SIGTERM; its terminal or log
    # pipe may be gone by then, so saying "stopping" fails: Voila must stop anyway.
    env = {**os.environ, "BACKKIT_HOME": str(tmp_path)}
    app = subprocess.Popen(
        [str(SCRIPT), "app", "--no-browser", "--port", str(_free_port())],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    voila = None
    try:
        assert app.stdout is not None and app.stderr is not None
        line = app.stdout.readline()  # the first line is printed once Voila answers
        assert "serving at http://127.0.0.1:" in line, line + app.stderr.read()
        (voila,) = _children(app.pid)
        app.stdout.close()
        app.stderr.close()
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=60)
        deadline = time.monotonic() + 30
        while _alive(voila) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(voila), "Voila still runs after backkit app ended"
    finally:
        for pid in [app.pid, *_children(app.pid), *([voila] if voila else [])]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_ctrl_c_stops_the_app_even_when_it_was_started_with_ctrl_c_ignored(tmp_path):
    # A script's background job starts with SIGINT ignored, and Python then keeps
    # it ignored: Ctrl-C (SIGINT) must still stop the app, and Voila with it.
    env = {**os.environ, "BACKKIT_HOME": str(tmp_path)}
    app = subprocess.Popen(
        [str(SCRIPT), "app", "--no-browser", "--port", str(_free_port())],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    voila = None
    try:
        assert app.stdout is not None
        line = app.stdout.readline()  # the first line is printed once Voila answers
        assert "serving at http://127.0.0.1:" in line, line
        (voila,) = _children(app.pid)
        app.send_signal(signal.SIGINT)
        assert app.wait(timeout=60) == 0
        assert not _alive(voila), "Voila still runs after backkit app ended"
    finally:
        for pid in [app.pid, *_children(app.pid), *([voila] if voila else [])]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
