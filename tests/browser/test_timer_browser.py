"""A person runs a SessionTimer in JupyterLab in Chromium, from Start to a saved log row."""

import re
import shutil
from pathlib import Path

import pagetools
import pytest
from pagetools import set_slider

from backkit.log import SessionLog

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def read(page, css: str) -> str:
    return page.locator(f".bk-timer {css}").first.inner_text().strip()


def wait_text(page, css: str, pattern: str, timeout: float = 30.0) -> str:
    return pagetools.wait_text(page.locator(f".bk-timer {css}").first, pattern, timeout)


def test_a_person_runs_the_timer_and_the_session_lands_in_the_log(open_notebook, tmp_path):
    log_path = tmp_path / "browser-log.sqlite"
    nb = open_notebook(
        [
            "import backkit\n"
            f"log = backkit.SessionLog(r'{log_path}')\n"
            "timer = backkit.SessionTimer('knee-to-chest', log, reps=2, hold_seconds=2,\n"
            "                             prepare_seconds=2, rest_seconds=1, switch_seconds=1)\n"
            "timer",
            "import time\nt_cell = time.monotonic()\nprint('other cell ran', 1 + 1)",
            "df = log.frame()\n"
            "print(df[['exercise_id', 'side', 'reps_done', 'status', 'pain_before',"
            " 'pain_after']].to_string(index=False))\n"
            "print('rows:', len(df))",
        ]
    )
    page = nb.page
    nb.run_cell(0)
    page.locator(".bk-timer .bk-start").wait_for()
    assert read(page, ".bk-phase") == "Ready: Get ready - left leg"
    assert read(page, ".bk-countdown") == "0:02"

    set_slider(page.locator(".bk-timer .bk-pain-before"), 2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".bk-timer").screenshot(path=str(ARTIFACTS / "timer-ready.png"))
    page.locator(".bk-timer .bk-start").click()

    # The countdown changes in the page while the kernel is free.
    wait_text(page, ".bk-countdown", r"^0:01$", timeout=10)
    wait_text(page, ".bk-phase", r"^Hold - left leg - rep 1 of 2$", timeout=10)
    first = read(page, ".bk-countdown")
    page.wait_for_timeout(600)
    shot = ARTIFACTS / "timer-mid-countdown.png"
    page.locator(".bk-timer").screenshot(path=str(shot))
    shutil.copy(shot, "/tmp/timer-mid-countdown.png")
    wait_text(page, ".bk-countdown", rf"^(?!{re.escape(first)}$)")

    # Another cell runs while the timer counts down, and finishes first.
    nb.run_cell(1, timeout=10)
    assert "other cell ran 2" in nb.output_text(1)
    phase = read(page, ".bk-phase")
    assert not phase.startswith("Done"), f"the timer had already finished: {phase!r}"
    progress = page.locator(".bk-timer .bk-session-bar .progress-bar, .bk-timer .bk-session-bar")
    assert progress.count() >= 1

    # The session runs to the end, then asks how the back feels.
    wait_text(page, ".bk-phase", r"^Done - well done!$", timeout=30)
    page.locator(".bk-timer .bk-pain-after").wait_for(state="visible")
    set_slider(page.locator(".bk-timer .bk-pain-after"), 5)
    page.locator(".bk-timer .bk-notes textarea").fill("browser test")
    page.locator(".bk-timer .bk-save").click()
    message = wait_text(page, ".bk-message", r"Saved 2 rows to the log \(completed\)")
    # pain rose 2 -> 5: the kit's reduce advice shows
    assert "Reduce:" in message and "Pain rose from 2 to 5" in message
    page.locator(".bk-timer").screenshot(path=str(ARTIFACTS / "timer-saved.png"))

    # The kernel reads the log back and the page shows what it stored.
    nb.run_cell(2, timeout=20)
    out = nb.output_text(2)
    assert "rows: 2" in out
    lines = [line.split() for line in out.splitlines() if line.startswith("knee-to-chest")]
    assert lines == [
        ["knee-to-chest", "left", "2", "completed", "2", "5"],
        ["knee-to-chest", "right", "2", "completed", "2", "5"],
    ]
    errors = page.locator(".bk-timer .bk-errors").inner_text().strip()
    assert errors == ""


def test_the_timer_works_in_voila(start_voila, make_notebook, page, tmp_path):
    log_path = tmp_path / "voila-log.sqlite"
    nb = make_notebook(
        tmp_path / "timer-app.ipynb",
        [
            "import backkit\n"
            f"timer = backkit.SessionTimer('bridge', r'{log_path}', sets=1, reps=2,\n"
            "                             hold_seconds=2, prepare_seconds=1, rest_seconds=1)\n"
            "timer"
        ],
    )
    server = start_voila(nb)
    page.goto(server.url("/"))
    page.locator(".bk-timer .bk-start").wait_for(timeout=60_000)
    assert read(page, ".bk-phase") == "Ready: Get ready"
    page.locator(".bk-timer .bk-start").click()
    # Two separate waits, so a failure says which step did not happen: the
    # click reaching the kernel (the phase leaves "Ready"), or the countdown
    # moving on to the hold. (On a busy machine the first once took > 15 s.)
    try:
        wait_text(page, ".bk-phase", r"^(?!Ready:)", timeout=15)
    except AssertionError as err:
        errors = page.locator(".bk-timer .bk-errors").inner_text().strip()
        raise AssertionError(f"Start never took effect: {err}; errors shown: {errors!r}") from None
    wait_text(page, ".bk-phase", r"^Hold - rep 1 of 2$", timeout=15)
    wait_text(page, ".bk-countdown", r"^0:01$", timeout=5)
    page.screenshot(path=str(ARTIFACTS / "timer-voila.png"))
    page.locator(".bk-timer .bk-stop").click()
    wait_text(page, ".bk-phase", r"^Stopped during: Hold - rep 1 of 2$", timeout=10)
    page.locator(".bk-timer .bk-save").click()
    wait_text(page, ".bk-message", r"Saved 1 row to the log \(partial\)")
    with SessionLog(log_path, create=False) as stored:
        frame = stored.frame()
    assert frame[["exercise_id", "status"]].values.tolist() == [["bridge", "partial"]]
