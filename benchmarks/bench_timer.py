"""Benchmark the session timer in a real JupyterLab and Chromium: kernel-driven vs browser-driven.

Side by side, for one hold of ``--hold`` seconds (20 by default, so that
``make bench`` stays under 10 minutes; the lateness is of the hold's end,
whatever its length, and the messages are counted per minute, where the
browser face's few messages at the start and the end weigh more in a short
hold than in a long one):

- **kernel ticker** (the timer before issue 18): a task on the kernel's loop
  (:class:`backkit.widgets.timer.Ticker`, 0.1 s tick) redraws an ipywidgets
  HTML countdown;
- **browser face** (now): :class:`backkit.SessionTimer`'s anywidget counts
  down on the page's own clock.

For each it prints the widget messages (``comm_msg``) the kernel sent to the
page per minute of session, and how late the page showed
the end of the hold (a MutationObserver in the page stamps the moment the
text changes, against the planned end on the same clock), first with the
kernel idle, then while a cell keeps the kernel busy for ``--busy`` seconds
(10 by default) across the end of the hold.

Four runs (old and new, idle and busy) of a hold each, plus starting JupyterLab:
about 2 minutes. The new face's timer writes to an in-memory log whose
warning-sign screening is answered "no" to every question, so its safety gate
is open (:mod:`backkit.gate`).

Usage: ``python benchmarks/bench_timer.py [--hold SECONDS] [--busy SECONDS]``
(needs Debian's chromium and playwright, as the browser tests do).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _helpers():
    path = REPO / "tests" / "browser" / "conftest.py"
    spec = importlib.util.spec_from_file_location("backkit_browser_conftest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


OLD = """
import time, ipywidgets as w
from backkit.routine import Engine, build_routine, format_seconds
from backkit.widgets.timer import Ticker
_r = build_routine("bridge", sets=1, reps=1, hold_seconds={hold}, prepare_seconds=0)
_e = Engine(_r, clock=time.time)
_box = w.HTML("Ready")
_box.add_class("bench-old")
def _draw(entered, now):
    s = _e.status(now)
    _box.value = "Done" if s.state == "finished" else format_seconds(s.remaining)
_t = Ticker(_e, _draw, tick=0.1)
_e.start(); _t.start()
_box
"""
# the safety gate opens once the warning-sign questions are answered (all "no" here)
NEW = """
import backkit
_log = backkit.SessionLog(":memory:")
_no = {{q.id: False for q in backkit.safety.screening_questions()}}
backkit.outcomes.record_screening(_log, _no, action="none")
_timer = backkit.SessionTimer("bridge", _log, sets=1, reps=1, hold_seconds={hold},
                              prepare_seconds=0)
_timer
"""
WATCH = """
(css) => new Promise((resolve) => {
  const el = document.querySelector(css);
  const seen = () => /Done/.test(el.textContent);
  if (seen()) return resolve(Date.now());
  new MutationObserver(() => { if (seen()) resolve(Date.now()); })
    .observe(el, {subtree: true, childList: true, characterData: true});
})
"""


def watch_comm_messages(page) -> None:
    """Count the widget messages (``comm_msg``) the kernel sends the page."""
    page.frames_seen = {"n": 0}

    def on_frame(payload) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        if b'"msg_type":"comm_msg"' in data or b'"msg_type": "comm_msg"' in data:
            page.frames_seen["n"] += 1

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))


def run_one(nb, page, kind: str, hold: float, busy: float) -> dict:
    frames = page.frames_seen
    cell = 0 if kind == "old" else 1
    nb.run_cell(cell, timeout=60)
    if kind == "new":
        page.locator(".bk-face .bk-start").first.click()
        css = ".bk-face .bk-phase"
    else:
        css = ".bench-old"
    page.locator(css).first.wait_for()
    t_start = time.time()
    before = frames["n"]
    if busy:
        # Busy across the end of the hold: start the busy cell `busy - 2` s before it.
        page.wait_for_timeout(max(0.0, hold - (busy - 2)) * 1000)
        nb.run_cell(2, wait=False)
    seen_ms = page.locator(css).first.evaluate(f"(el) => ({WATCH})('{css}')")
    if busy:
        nb.wait_cell_done(2, timeout=busy + 30)
    # The planned end on the kernel's clock: read back the start time.
    code = "_e.start_time" if kind == "old" else "_timer.events[0]['at']"
    nb_cell = 3 if kind == "old" else 4
    nb.run_cell(nb_cell, timeout=30)
    start = float(nb.output_text(nb_cell).strip().splitlines()[-1])
    assert code  # documented which value each cell prints
    minutes = (time.time() - t_start) / 60
    return {
        "late_ms": seen_ms - (start + hold) * 1000,
        "frames_per_min": (frames["n"] - before) / minutes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold", type=float, default=20.0)
    parser.add_argument("--busy", type=float, default=10.0)
    args = parser.parse_args(argv)
    h = _helpers()
    from playwright.sync_api import sync_playwright

    from backkit.report import find_chromium

    results: dict[tuple[str, str], dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = base / "notebooks"
        root.mkdir()
        env = h.jupyter_env(base)
        env["PYTHONPATH"] = str(REPO)
        port, token = h.free_port(), secrets.token_hex(16)
        argv_ = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                 f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                 f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
                 "--LabApp.news_url=None", "--allow-root"]  # fmt: skip
        server = h.Server("jupyterlab", argv_, port, token, root, env, base / "lab.log")
        try:
            server.wait_ready("/api/status")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=find_chromium(), headless=True,
                                            args=h.CHROMIUM_FLAGS)  # fmt: skip
                for label, busy in (
                    ("idle kernel", 0.0),
                    (f"{args.busy:g} s busy cell", args.busy),
                ):
                    for kind in ("old", "new"):
                        name = f"bench-{kind}-{secrets.token_hex(3)}.ipynb"
                        h.write_notebook(root / name, [
                            OLD.format(hold=args.hold), NEW.format(hold=args.hold),
                            f"import time\ntime.sleep({args.busy})",
                            "print(_e.start_time)", "print(_timer.events[0]['at'])",
                        ])  # fmt: skip
                        page = browser.new_context(
                            viewport={"width": 1280, "height": 900}
                        ).new_page()
                        watch_comm_messages(page)
                        page.goto(server.url(f"/lab/workspaces/{secrets.token_hex(6)}/tree/{name}"))
                        nb = h.Notebook(page, server, name)
                        nb.panel.locator(".jp-Cell").first.wait_for()
                        nb.wait_kernel_idle()
                        results[(label, kind)] = run_one(nb, page, kind, args.hold, busy)
                        print(
                            f"  {label}, {kind}: {json.dumps(results[(label, kind)])}"
                            f" (load {os.getloadavg()[0]:.2f})",
                            flush=True,
                        )
                        page.context.close()
                        server.delete_sessions()
                browser.close()
        finally:
            server.stop()

    print(
        f"\nOne {args.hold:g} s hold in JupyterLab + Chromium          kernel ticker   browser face"
        f"   (load {os.getloadavg()[0]:.2f})"
    )
    for label in ("idle kernel", f"{args.busy:g} s busy cell"):
        old, new = results[(label, "old")], results[(label, "new")]
        print(f"{label:>18}: widget msgs kernel->page /min {old['frames_per_min']:>12.0f}   "
              f"{new['frames_per_min']:>12.0f}")  # fmt: skip
        print(f"{label:>18}: end of hold seen late (ms)     {old['late_ms']:>12.0f}   "
              f"{new['late_ms']:>12.0f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
