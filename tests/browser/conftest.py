"""Real-browser fixtures: JupyterLab (or Voila) on 127.0.0.1 driven by headless Chromium.

Reusable by every browser test:

``lab``
    A JupyterLab server (session-wide) on a free port with a random token and
    throw-away config, data, runtime, settings and workspace folders. Its
    ``root_dir`` is where notebooks go; ``lab.delete_sessions()`` stops kernels.
``browser``
    Debian's Chromium (``/usr/bin/chromium``, or ``$BACKKIT_CHROMIUM``) driven by
    playwright; never a downloaded browser. Missing browser: the tests skip,
    unless ``BACKKIT_REQUIRE_BROWSER=1`` (CI), then they fail.
``page``
    A fresh browser page per test; on failure a screenshot is saved under
    :data:`pagetools.ARTIFACTS` (a temp folder unless ``$BACKKIT_TEST_ARTIFACTS``).
``open_notebook``
    ``open_notebook(["code", ...])`` or ``open_notebook(path)``: writes (or
    copies) the notebook into the server's root and opens it in a fresh Lab
    workspace; returns a :class:`Notebook` that runs cells like a person
    (click the editor, Shift+Enter, wait for the ``[n]:`` prompt).
``start_voila``
    ``start_voila(path)``: serves one notebook with Voila, returns the server;
    open ``server.url("/")`` in ``page``.
``make_notebook``
    ``make_notebook(path, cells)`` writes a notebook file (for Voila, nbval...).

Facts behind the choices: ``/work/shared/BROWSER_TESTING.md``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from backkit.report import CHROMIUM_FLAGS as CHROMIUM_OFFLINE_FLAGS
from backkit.report import find_chromium

# pytest imports test files by path (--import-mode=importlib, so two conftest.py
# files and the package's doctests do not clash); the browser tests share the
# helpers in pagetools.py beside this file, so this folder is on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pagetools import ARTIFACTS

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    *CHROMIUM_OFFLINE_FLAGS,
    "--no-sandbox",
    # Beeps may play without a click first (there is one anyway: Start).
    "--autoplay-policy=no-user-gesture-required",
]
REQUIRE = os.environ.get("BACKKIT_REQUIRE_BROWSER") == "1"


def _unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"BACKKIT_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"{reason} (set BACKKIT_REQUIRE_BROWSER=1 to make this an error)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# Servers


class Server:
    """A Jupyter-family server process on 127.0.0.1 with a token."""

    def __init__(
        self,
        kind: str,
        argv: list[str],
        port: int,
        token: str,
        root_dir: Path,
        env: dict,
        log: Path,
    ):
        self.kind = kind
        self.port = port
        self.token = token
        self.root_dir = root_dir
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log
        self._log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        # Started as a plain command (no shell), so the PID is the server's own.
        self.process = subprocess.Popen(
            argv, cwd=root_dir, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def url(self, path: str = "/", **params: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in {**params, "token": self.token}.items())
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}{query}"

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.kind} exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url(path), timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)  # test harness, not kernel code
        raise TimeoutError(f"{self.kind} not ready after {timeout} s:\n{self.log_tail()}")

    def api(self, path: str, method: str = "GET", body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url(path), data=data, method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read()
        return json.loads(text) if text else None

    def delete_sessions(self) -> None:
        """Shut down every kernel session (between tests)."""
        for s in self.api("/api/sessions"):
            self.api(f"/api/sessions/{s['id']}", method="DELETE")

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    @contextlib.contextmanager
    def serving(self, path: str = "/api/status") -> Iterator[Server]:
        """Wait until the server answers ``path``; stop it when the block ends, however it ends."""
        try:
            self.wait_ready(path)
            yield self
        finally:
            self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # also stops the server's kernels
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


def jupyter_env(base: Path) -> dict[str, str]:
    """Environment with every Jupyter folder in ``base``, so no person's settings are touched."""
    env = dict(os.environ)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ("MPLCONFIGDIR", "mpl"),
    ):
        (base / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(base / sub)
    # Kernels get the data folders of the venv's own kernelspec through sys.prefix.
    env.pop("JUPYTER_PATH", None)
    env["MPLBACKEND"] = "Agg"
    env.setdefault("BACKKIT_TZ", "UTC")
    settings = base / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    # The news pop-up appears even with news_url=None; this setting stops it.
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return env


class AppProcess:
    """``backkit app --quick`` (the console script) in a subprocess, its output read by line."""

    SCRIPT = Path(sys.executable).with_name("backkit")

    def __init__(self, tmp: Path, log: Path):
        self.port = free_port()
        env = jupyter_env(tmp / "jupyter")
        env.update(BACKKIT_HOME=str(tmp / "home"), BACKKIT_TZ="UTC")
        env.pop("BACKKIT_PLAN", None)
        env.pop("JUPYTER_TOKEN", None)  # the app makes its own
        argv = [str(self.SCRIPT), "app", "--port", str(self.port), "--no-browser", "--quick",
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
        """Read the app's output until a line matches ``pattern``; fail with all it printed."""
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
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def lab(tmp_path_factory) -> Iterator[Server]:
    """A JupyterLab server for the whole session; notebooks go in ``lab.root_dir``."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    root.mkdir()
    env = jupyter_env(base)
    port, token = free_port(), secrets.token_hex(16)
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # Lab refuses to run as root otherwise
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = Server("jupyterlab", argv, port, token, root, env, base / "lab.log")
    try:
        with server.serving():
            yield server
    finally:
        shutil.copy(server.log_path, ARTIFACTS / "jupyterlab.log")


@pytest.fixture
def start_voila(tmp_path) -> Iterator[Callable[[str | Path], Server]]:
    """``start_voila(notebook)`` serves one notebook with Voila; stopped after the test."""
    servers: list[Server] = []

    def start(notebook: str | Path) -> Server:
        notebook = Path(notebook)
        root = tmp_path / f"voila{len(servers)}"
        root.mkdir()
        shutil.copy(notebook, root / notebook.name)
        port, token = free_port(), secrets.token_hex(16)
        argv = [
            sys.executable,
            "-m",
            "voila",
            notebook.name,
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            f"--token={token}",
        ]
        server = Server("voila", argv, port, token, root, jupyter_env(root / ".jupyter"),
                        tmp_path / f"voila{len(servers)}.log")  # fmt: skip
        servers.append(server)
        # A GET of "/" would start a kernel; a static file only says the server is up.
        # (Here /voila/static/extension.js answers 403; voila.js is served.)
        server.wait_ready("/voila/static/voila.js")
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def notebook7(tmp_path) -> Iterator[Server]:
    """A Notebook 7 server (the classic interface); notebooks go in ``notebook7.root_dir``."""
    root = tmp_path / "nb7"
    root.mkdir()
    env = jupyter_env(tmp_path / "nb7-jupyter")
    port, token = free_port(), secrets.token_hex(16)
    argv = [sys.executable, "-m", "notebook", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    with Server("notebook", argv, port, token, root, env, tmp_path / "nb7.log").serving() as server:
        yield server


# --------------------------------------------------------------------------
# The browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless system Chromium driven by playwright (skips or fails when missing).

    Module-scoped on purpose: playwright's sync API keeps an asyncio loop
    running in this thread while it is open, which would make ``asyncio.run``
    fail in every test that follows in the same session.
    """
    path = find_chromium()
    if path is None:
        _unavailable("no Chromium found (looked at $BACKKIT_CHROMIUM, /usr/bin/chromium, PATH)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield b
        finally:
            b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request) -> Iterator[Any]:
    """A fresh page (own context) per test; a screenshot lands in ARTIFACTS on failure."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    messages: list[str] = []
    pg.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    pg.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        try:
            pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as err:  # the page may be gone; keep the original failure
            messages.append(f"screenshot failed: {err}")
        (ARTIFACTS / f"{name}.console.txt").write_text("\n".join(messages))
    context.close()


# --------------------------------------------------------------------------
# Notebooks


def write_notebook(path: Path, cells: Sequence[str]) -> Path:
    """Write code cells (a string starting with ``%%md`` is a Markdown cell) as a notebook."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for src in cells:
        if src.startswith("%%md\n"):
            nb.cells.append(nbformat.v4.new_markdown_cell(src.removeprefix("%%md\n")))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(src))
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def make_notebook() -> Callable[[Path, Sequence[str]], Path]:
    """``make_notebook(path, cells)`` writes a notebook file (see :func:`write_notebook`)."""
    return write_notebook


class Notebook:
    """A notebook open in JupyterLab, operated the way a person does."""

    def __init__(self, page: Any, server: Server, name: str):
        self.page = page
        self.server = server
        self.name = name

    @property
    def panel(self) -> Any:
        return self.page.locator(".jp-NotebookPanel:visible")

    def cell(self, index: int) -> Any:
        return self.panel.locator(".jp-Notebook .jp-Cell").nth(index)

    def prompt(self, index: int) -> str:
        return self.cell(index).locator(".jp-InputPrompt").inner_text().strip()

    def wait_kernel_idle(self, timeout: float = 60.0) -> None:
        idle = self.page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first
        deadline = time.monotonic() + timeout
        while not idle.is_visible():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the kernel of {self.name} is not idle after {timeout} s")
            self.answer_kernel_dialog()
            self.page.wait_for_timeout(100)

    def answer_kernel_dialog(self) -> bool:
        """Accept Lab's "Select Kernel" dialog if it is up; say whether it was.

        Lab asks when a kernel is slow to start (seen with the machine under
        load); the dialog covers the notebook and takes every click.
        """
        dialog = self.page.locator(".jp-Dialog:visible").first
        if not dialog.count() or "kernel" not in dialog.inner_text().lower():
            return False
        dialog.locator("button.jp-mod-accept").click()
        dialog.wait_for(state="detached")
        return True

    def run_cell(self, index: int, *, wait: bool = True, timeout: float = 60.0) -> str:
        """Click the cell's editor and press Shift+Enter; by default wait until it ran.

        Returns the prompt (``[n]:`` when waited for). Right after a notebook
        opens, Lab can take the key press, show ``[*]:`` and then drop the run
        (its kernel connection is not up yet), leaving ``[ ]:``; when the prompt
        sits at ``[ ]:`` for 3 s the key is pressed again, as a person would.
        With ``wait=False`` it returns once the run is queued (``[*]:``) and stays so.
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        before = self.prompt(index)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.answer_kernel_dialog()
            try:
                self.cell(index).locator(".jp-InputArea-editor").click(timeout=5000)
            except PlaywrightTimeoutError:
                continue  # a dialog came up in between: answer it and click again
            self.page.keyboard.press("Shift+Enter")
            idle_since = time.monotonic()
            queued_since = None
            while time.monotonic() < deadline:
                prompt = self.prompt(index)
                if re.fullmatch(r"\[\d+\]:", prompt) and prompt != before:
                    return prompt
                now = time.monotonic()
                if prompt == "[*]:":
                    idle_since = None
                    queued_since = queued_since or now
                    if not wait and now - queued_since > 1.0:
                        return prompt
                else:
                    queued_since = None
                    idle_since = idle_since or now
                    if now - idle_since > 3.0:
                        break  # not taken, or taken and dropped: press again
                self.page.wait_for_timeout(50)
        raise TimeoutError(f"cell {index} still reads {self.prompt(index)!r} after {timeout} s")

    def wait_cell_done(self, index: int, *, timeout: float = 60.0, not_prompt: str = "") -> str:
        """Wait until the cell's prompt reads ``[n]:`` (a number, not ``*``); return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            prompt = self.prompt(index)
            if re.fullmatch(r"\[\d+\]:", prompt) and prompt != not_prompt:
                return prompt
            self.page.wait_for_timeout(50)
        raise TimeoutError(f"cell {index} still reads {self.prompt(index)!r} after {timeout} s")

    def execution_count(self, index: int) -> int | None:
        m = re.fullmatch(r"\[(\d+)\]:", self.prompt(index))
        return int(m.group(1)) if m else None

    def output_text(self, index: int) -> str:
        return self.cell(index).locator(".jp-OutputArea").inner_text()


@pytest.fixture
def open_notebook(lab, page) -> Iterator[Callable[..., Notebook]]:
    """``open_notebook(cells_or_path, name=None)`` opens a notebook in a fresh Lab workspace."""
    opened: list[str] = []

    def open_(source: Sequence[str] | str | Path, name: str | None = None) -> Notebook:
        if isinstance(source, (str, Path)) and Path(source).suffix == ".ipynb":
            name = name or Path(source).name
            shutil.copy(source, lab.root_dir / name)
        else:
            name = name or f"test-{secrets.token_hex(4)}.ipynb"
            write_notebook(lab.root_dir / name, list(source))
        opened.append(name)
        # A fresh workspace, so Lab does not restore tabs of earlier tests.
        page.goto(lab.url(f"/lab/workspaces/{secrets.token_hex(6)}/tree/{name}"))
        nb = Notebook(page, lab, name)
        nb.panel.locator(".jp-Cell").first.wait_for()
        nb.wait_kernel_idle()
        return nb

    yield open_
    lab.delete_sessions()
