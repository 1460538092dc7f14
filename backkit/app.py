"""The no-code app: today's plan, a guided timer and the progress charts, in one page.

:class:`App` is an ipywidgets dashboard for people who do not want to see
code. ``notebooks/app.ipynb`` shows it, and :func:`serve` (``backkit app``)
serves that notebook with Voila, which runs the notebook and shows only its
widgets:

- on **127.0.0.1 only**, so nothing on the network can reach it;
- behind a **random token** in the address, so other programs and users on
  the same machine cannot open it either;
- stopped cleanly with Ctrl-C (Voila shuts its kernel down).

The app reads the person's active plan (:meth:`backkit.plan.Plan.active`)
and writes to their session log (``$BACKKIT_LOG`` or the default log). After
a session is saved, the progress charts are drawn again from the log.

``BACKKIT_APP_QUICK=1`` (``backkit app --quick``) shortens every exercise to
one set of one 2-second repetition with 1-second pauses: for trying the app
out and for the browser test. Sessions saved that way are logged at that
short dose, so they count only as the small sessions they were.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .errors import AppError

if TYPE_CHECKING:
    from .log import SessionLog
    from .plan import Plan
    from .timer import SessionTimer

__all__ = ["APP_NOTEBOOK", "QUICK_ENV", "App", "AppError", "serve"]

#: The notebook ``backkit app`` serves (in ``notebooks/``, or ``backkit/notebooks`` installed).
APP_NOTEBOOK = "app.ipynb"
#: Environment variable: "1" shortens every exercise (a quick try; used by the tests).
QUICK_ENV = "BACKKIT_APP_QUICK"
_QUICK = {
    "sets": 1,
    "reps": 1,
    "hold_seconds": 2,
    "prepare_seconds": 1,
    "rest_seconds": 1,
    "switch_seconds": 1,
    "set_rest_seconds": 1,
}
_SESSION = "session"  # the chooser's value for "today's whole session"
_READY_TIMEOUT = 60.0  # seconds for Voila to come up




def _quick_from_env() -> bool:
    return os.environ.get(QUICK_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _escape(text: str) -> str:
    import html

    return html.escape(str(text), quote=True)


class App(widgets.VBox):
    """Today's plan, a guided timer and progress charts; charts redraw after each save.

    Parameters
    ----------
    log : SessionLog, optional
        Where sessions are saved (default: the person's log, ``SessionLog()``).
    plan : Plan, optional
        The plan to follow (default: :meth:`Plan.active`, the plan the person
        activated, else all seven exercises daily).
    day : date, optional
        The day to show (default: today in the kit's time zone).
    quick : bool, optional
        Shorten every exercise (see the module notes); default from
        ``$BACKKIT_APP_QUICK``.

    Examples
    --------
    >>> import backkit
    >>> from backkit.app import App
    >>> app = App(backkit.SessionLog(":memory:"), backkit.Plan.default("2025-03-03"),
    ...           day=backkit.Plan.default().start, quick=True)
    >>> app.choice.options[0][0].startswith("Today's whole session")
    True
    >>> app.stats.value
    'No sessions logged yet: your charts appear after the first one.'
    """

    def __init__(
        self,
        log: SessionLog | None = None,
        plan: Plan | None = None,
        *,
        day: dt.date | None = None,
        quick: bool | None = None,
    ):
        from .log import SessionLog, kit_timezone
        from .plan import Plan

        self.session_log = log if log is not None else SessionLog()
        self.plan = plan if plan is not None else Plan.active()
        self.day = day or dt.datetime.now(kit_timezone()).date()
        self.quick = _quick_from_env() if quick is None else quick
        self.timer: SessionTimer | None = None
        self.saves = 0

        self.errors = widgets.Output()
        self.errors.add_class("bk-app-errors")
        self.header = widgets.HTML(self._header_html())
        self.header.add_class("bk-app-header")
        self.choice = widgets.Dropdown(
            options=self._options(),
            description="Do now",
            style={"description_width": "70px"},
            layout=widgets.Layout(width="100%", max_width="560px"),
        )
        self.choice.add_class("bk-app-choice")
        self.timer_box = widgets.VBox()
        self.timer_box.add_class("bk-app-timer")
        self.stats = widgets.HTML()
        self.stats.add_class("bk-app-stats")
        self.charts = widgets.HTML()
        self.charts.add_class("bk-app-charts")
        progress = widgets.VBox(
            [widgets.HTML("<h3 style='margin:16px 0 4px'>Your progress</h3>"), self.stats,
             self.charts],
        )  # fmt: skip
        super().__init__(
            [self.header, self.choice, self.timer_box, progress, self.errors],
            layout=widgets.Layout(max_width="1000px", padding="0 8px"),
        )
        self.add_class("bk-app")
        self.choice.observe(self._guard(self._on_choice), names="value")
        self._show_timer(self.choice.value)
        self.refresh_charts()

    # -- content -----------------------------------------------------------------

    def _due(self) -> tuple[Any, ...]:
        return self.plan.due_on(self.day)

    def _header_html(self) -> str:
        from . import safety
        from .exercises import get_exercise

        due = self._due()
        plan = self.plan
        rows = []
        for item in due or plan.items:
            sets, reps, hold = plan.dose(item.exercise_id)
            ex = get_exercise(item.exercise_id)
            side = " per side" if ex.sides == "per-side" else ""
            unit = "s a rep" if ex.kind == "paced" else "s hold"
            rows.append(
                f"<tr><td>{ex.number}. {_escape(ex.name)}</td>"
                f"<td>{sets} &times; {reps}{side}</td><td>{hold:g} {unit}</td></tr>"
            )
        if due:
            intro = f"Today's exercises ({len(due)}), from your plan <b>{_escape(plan.name)}</b>:"
        else:
            intro = (
                f"Today is not an exercise day in your plan <b>{_escape(plan.name)}</b>; "
                "you can still do any of its exercises:"
            )
        stops = "".join(f"<li>{_escape(r)}</li>" for r in safety.rules()["stop_rules"]["rules"])
        quick = (
            "<p style='color:#b35806'><b>Quick try:</b> every exercise is shortened to one "
            "2-second repetition.</p>"
            if self.quick
            else ""
        )
        return (
            f"<h2 style='margin:4px 0'>backkit: {self.day:%A %-d %B %Y}</h2>"
            f"<p>{intro}</p>"
            "<style>.bk-app-header td,.bk-app-header th{padding:2px 14px 2px 0}</style>"
            "<table style='border-collapse:collapse'>"
            "<tr><th style='text-align:left'>exercise</th><th>sets &times; reps</th>"
            f"<th>time</th></tr>{''.join(rows)}</table>"
            f"{quick}"
            "<details><summary><b>Safety: when to stop</b></summary>"
            f"<ul>{stops}</ul></details>"
        )

    def _options(self) -> list[tuple[str, str]]:
        from .exercises import get_exercise

        due = self._due()
        options = []
        if due:
            minutes = self._routine(_SESSION).total_seconds / 60
            options.append(
                (f"Today's whole session ({len(due)} exercises, about {minutes:.0f} min)", _SESSION)
            )
        for item in due or self.plan.items:
            ex = get_exercise(item.exercise_id)
            sets, reps, _ = self.plan.dose(item.exercise_id)
            dose = "quick try" if self.quick else f"{sets} x {reps}"
            options.append((f"{ex.number}. {ex.name} ({dose})", item.exercise_id))
        return options

    def _routine(self, choice: str) -> Any:
        from .routine import Routine, build_routine

        def one(exercise_id: str) -> Any:
            if self.quick:
                return build_routine(exercise_id, **_QUICK)
            sets, reps, hold = self.plan.dose(exercise_id)
            return build_routine(exercise_id, sets=sets, reps=reps, hold_seconds=hold)

        if choice == _SESSION:
            ids = [item.exercise_id for item in self._due()]
            return Routine.chain([one(i) for i in ids], rest_seconds=2 if self.quick else 30)
        return one(choice)

    def _show_timer(self, choice: str) -> None:
        from .timer import SessionTimer

        if self.timer is not None:
            self.timer.close()
        self.timer = SessionTimer(self._routine(choice), self.session_log, plan_id=self.plan.id)
        # after the timer's own Save handler (handlers run in the order added)
        self.timer.save_button.on_click(self._guard(self._on_saved))
        self.timer_box.children = [self.timer]

    def refresh_charts(self) -> None:
        """Draw the progress charts and the summary line again from the log."""
        from matplotlib.figure import Figure

        from . import analysis, charts
        from .report import chart_html

        frame = self.session_log.frame()
        if frame.empty:
            stats = "No sessions logged yet: your charts appear after the first one."
        else:
            days = analysis.local_day(frame)
            sessions, n_days, bouts = frame["session_id"].nunique(), days.nunique(), len(frame)
            stats = (
                f"{_count(sessions, 'session')} on {_count(n_days, 'day')} logged "
                f"({_count(bouts, 'exercise bout')}); the last on {days.max():%-d %b %Y}."
            )
        figures = []
        for draw in (charts.plot_pain_trend, charts.plot_adherence):
            fig = Figure(figsize=(9, 3.6), layout="constrained")
            draw(frame, self.plan, ax=fig.add_subplot())
            figures.append(chart_html(fig, dpi=80))
        # Charts first, then the line about them: the page never shows new words on old charts.
        self.charts.value = "".join(f"<div>{img}</div>" for img in figures)
        self.stats.value = stats

    # -- events ------------------------------------------------------------------

    def _guard(self, fn: Any) -> Any:
        # Errors in widget callbacks vanish unless shown: show them in the page.
        def wrapper(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as err:
                text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
                self.errors.append_stderr(text)
                return None

        return wrapper

    def _on_choice(self, change: dict[str, Any]) -> None:
        self._show_timer(change["new"])

    def _on_saved(self, _button: Any) -> None:
        if self.timer is not None and self.timer.saved_rows:
            self.saves += 1
            self.refresh_charts()


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
        For a bad or busy port or a missing notebook.
    """
    import webbrowser

    from .config import notebooks_dir

    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise AppError(f"port {port!r}: give a port number from 1 to 65535")
    path = Path(notebook) if notebook is not None else notebooks_dir() / APP_NOTEBOOK
    if not path.is_file():
        raise AppError(f"the app notebook is missing: {path}")
    if not _port_free(port):
        raise AppError(f"port {port} on 127.0.0.1 is in use; give another with --port")
    token = token or secrets.token_urlsafe(24)
    env = dict(os.environ)
    if log is not None:
        env["BACKKIT_LOG"] = str(Path(log).expanduser().resolve())
    if quick:
        env[QUICK_ENV] = "1"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    argv = [
        sys.executable,
        "-m",
        "voila",
        str(path.resolve()),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",  # loopback only: never reachable from the network
        f"--token={token}",
        "--Voila.port_retries=0",
        "--show_tracebacks=False",
    ]
    # A plain command (no shell), so the PID is Voila's own; in its own session,
    # so a Ctrl-C in the terminal reaches only us and we stop Voila with SIGTERM
    # (on SIGINT it would ask for a confirmation on the terminal).
    process = subprocess.Popen(
        argv, env=env, cwd=str(path.parent), stdin=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}/?token={token}"
    stop_signal = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)  # a service manager's stop is a Ctrl-C too
    try:
        ready = _wait_ready(process, f"http://127.0.0.1:{port}/voila/static/voila.js?token={token}",
                            _READY_TIMEOUT)  # fmt: skip
        if not ready:
            code = process.poll()
            if code is None:
                process.terminate()
                process.wait(timeout=10)
            print(f"backkit app: Voila did not start (exit code {code})", file=sys.stderr)
            return code or 1
        print(f"backkit app: serving at {url}", flush=True)
        print("backkit app: only this computer can open it; press Ctrl-C to stop", flush=True)
        if open_browser:
            webbrowser.open(url)
        return process.wait()
    except KeyboardInterrupt:
        print("backkit app: stopping", file=sys.stderr, flush=True)
        if process.poll() is None:
            process.terminate()  # Voila shuts its kernel down on SIGTERM
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, stop_signal)
