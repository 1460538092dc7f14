"""``backkit app``: serve the no-code app with Voila, on this computer only.

The app itself is the :class:`~backkit.widgets.app.App` widget (today's plan,
a guided timer and the progress charts), which ``notebooks/app.ipynb`` shows.
:func:`serve` serves that notebook with Voila, which runs the notebook and
shows only its widgets:

- on **127.0.0.1 only**, so nothing on the network can reach it, and only
  to loopback names in the ``Host:`` header (a web page elsewhere cannot reach
  it by pointing its own name at 127.0.0.1);
- behind a **random token** in the address, so other programs and users on
  the same machine cannot open it either. The token is handed to Voila in a
  0600 file, never on its command line (which every local user can read);
  an address without it shows a short page saying to use the printed one;
- loading **nothing from outside this computer** (the kit's own Voila
  template, without the icon-font CDN links of Voila's);
- stopped cleanly with Ctrl-C or SIGTERM (Voila shuts its kernel down).

:mod:`backkit.appserver` is the Voila process that does the first three.

Inside a JupyterHub server (``$JUPYTERHUB_SERVICE_PREFIX`` set) the app is
already served by that server's Voila, behind the hub's login, at
``/user/NAME/voila/render/app.ipynb`` (:func:`backkit.hub.hub_app_url`), so
:func:`serve` says so instead of starting a second server the hub cannot reach.

``quick=True`` (``backkit app --quick``) sets ``$BACKKIT_APP_QUICK`` for the
app, which then shortens every exercise (see :mod:`backkit.widgets.app`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .errors import AppError
from .hub import hub_app_url
from .i18n import gettext as _
from .widgets.app import QUICK_ENV, App

__all__ = ["APP_NOTEBOOK", "QUICK_ENV", "App", "AppError", "check_port", "serve"]

#: The notebook ``backkit app`` serves (in ``notebooks/``, or ``backkit/notebooks`` installed).
APP_NOTEBOOK = "app.ipynb"
_READY_TIMEOUT = 60.0  # seconds for Voila to come up
#: The kit's Voila template (no CDN links), under ``backkit/data/jupyter``.
TEMPLATE = "backkit"
# Voila's JupyterLab-extension list includes Notebook 7's, which the app does not
# use and which logs a console error in Voila pages.
_EXTENSION_DENYLIST = "@jupyter-notebook/lab-extension"


# --------------------------------------------------------------------------
# Serving


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_ready(process: subprocess.Popen, url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # the command line waiting for a server, not kernel code
    return False


def serve(
    port: int = 8866,
    *,
    open_browser: bool = True,
    log: str | Path | None = None,
    quick: bool = False,
    token: str | None = None,
    notebook: str | Path | None = None,
) -> int:
    """Serve the app with Voila on 127.0.0.1 until Ctrl-C; return the exit code.

    Parameters
    ----------
    port : int
        The port on 127.0.0.1 (default 8866). A busy port is an error, not
        silently replaced, so the address printed is the one that works.
    open_browser : bool
        Open the app in the default browser once it is up.
    log : path, optional
        The session log to use (default: the person's log).
    quick : bool
        Shorten every exercise (sets ``$BACKKIT_APP_QUICK`` for the app).
    token : str, optional
        The access token (default: a new random one each time).
    notebook : path, optional
        Serve another notebook (default: the kit's ``app.ipynb``).

    Returns
    -------
    int
        0 after Ctrl-C (or SIGTERM) stopped it, Voila's exit code if it failed.

    Raises
    ------
    AppError
        For a bad or busy port or a missing notebook, or inside a JupyterHub
        server (where the app is at :func:`backkit.hub.hub_app_url`).
    """
    from .config import notebooks_dir

    in_hub = hub_app_url()
    if in_hub is not None:
        raise AppError(
            _(
                "JUPYTERHUB_SERVICE_PREFIX = {prefix}: in JupyterHub your own server "
                "serves the app: open {url} at the hub's address"
            ).format(prefix=repr(os.environ["JUPYTERHUB_SERVICE_PREFIX"]), url=in_hub)
        )

    check_port(port)
    path = Path(notebook) if notebook is not None else notebooks_dir() / APP_NOTEBOOK
    if not path.is_file():
        raise AppError(_("the app notebook is missing: {path}").format(path=path))
    if not _port_free(port):
        raise AppError(
            _("port {port} on 127.0.0.1 is in use; give another with --port").format(port=port)
        )
    token = token or secrets.token_urlsafe(24)
    secret_dir = Path(tempfile.mkdtemp(prefix="backkit-app-"))  # 0700
    env = _voila_env(log, quick, _token_file(secret_dir, token))
    argv = [
        sys.executable,
        "-m",
        "backkit.appserver",  # Voila, with the changes that module lists
        str(path.resolve()),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",  # loopback only: never reachable from the network
        "--Voila.port_retries=0",
        "--show_tracebacks=False",
        f"--template={TEMPLATE}",
        f"--VoilaConfiguration.extension_denylist={_EXTENSION_DENYLIST}",
        # The browser's languages reach the app's kernel as HTTP_ACCEPT_LANGUAGE,
        # which backkit.config.language() follows when BACKKIT_LANG is not set.
        "--VoilaConfiguration.http_header_envs=Accept-Language",  # one item (traitlets 5)
    ]
    # A plain command (no shell), so the PID is Voila's own; in its own session,
    # so a Ctrl-C in the terminal reaches only us and we stop Voila with SIGTERM
    # (on SIGINT it would ask for a confirmation on the terminal).
    try:
        process = subprocess.Popen(
            argv, env=env, cwd=str(path.parent), stdin=subprocess.DEVNULL, start_new_session=True
        )
    except OSError:
        shutil.rmtree(secret_dir, ignore_errors=True)
        raise
    try:
        return _run(process, port, token, open_browser)
    finally:
        shutil.rmtree(secret_dir, ignore_errors=True)


def _token_file(folder: Path, token: str) -> Path:
    path = folder / "token"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(token)
    return path


def check_port(port: Any) -> None:
    """Refuse ``port`` unless it is a TCP port number (1-65535), naming it.

    Raises
    ------
    AppError
        For anything else: 0, 70000, text, True.

    Examples
    --------
    >>> from backkit.app import check_port
    >>> check_port(8866)
    >>> check_port(70000)
    Traceback (most recent call last):
    ...
    backkit.errors.AppError: port 70000: give a port number from 1 to 65535
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise AppError(_("port {port}: give a port number from 1 to 65535").format(port=repr(port)))


def _voila_env(log: str | Path | None, quick: bool, token_file: Path) -> dict[str, str]:
    from .appserver import TOKEN_FILE_ENV  # imports Voila: only when serving

    env = dict(os.environ)
    env.pop("JUPYTER_TOKEN", None)  # the file is the one source of the token
    env[TOKEN_FILE_ENV] = str(token_file)
    if log is not None:
        env["BACKKIT_LOG"] = str(Path(log).expanduser().resolve())
    if quick:
        env[QUICK_ENV] = "1"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # Where Voila finds the kit's template (the folder holds no kernels).
    templates = str(Path(__file__).resolve().parent / "data" / "jupyter")
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [templates, env.get("JUPYTER_PATH")]))
    return env


def _run(process: subprocess.Popen, port: int, token: str, open_browser: bool) -> int:
    import webbrowser

    url = f"http://127.0.0.1:{port}/?token={token}"

    def on_stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # A service manager's stop is a Ctrl-C too; and Ctrl-C stops the app even
    # when it was started with SIGINT ignored (a background job of a script).
    previous = {s: signal.signal(s, on_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        # a static file: up without starting a kernel
        ready = _wait_ready(
            process, f"http://127.0.0.1:{port}/voila/static/voila.js", _READY_TIMEOUT
        )
        if not ready:
            code = process.poll()
            if code is None:
                process.terminate()
                process.wait(timeout=10)
            print(
                _("backkit app: Voila did not start (exit code {code})").format(code=code),
                file=sys.stderr,
            )
            return code or 1
        print(_("backkit app: serving at {url}").format(url=url), flush=True)
        print(_("backkit app: only this computer can open it; press Ctrl-C to stop"), flush=True)
        if open_browser:
            webbrowser.open(url)
        return process.wait()
    except KeyboardInterrupt:
        # a closed terminal or pipe fails the print: Voila is stopped all the same
        with contextlib.suppress(OSError):
            print(_("backkit app: stopping"), file=sys.stderr, flush=True)
        return 0
    finally:
        # whatever ended the wait (a signal, an error), Voila never outlives us
        if process.poll() is None:
            process.terminate()  # Voila shuts its kernel down on SIGTERM
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for s, handler in previous.items():
            signal.signal(s, handler)
