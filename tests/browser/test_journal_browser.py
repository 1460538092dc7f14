"""A session survives the browser's storage too: Python's journal (backkit issue 26).

The page keeps a copy of a running session in the browser's storage, and
Python another on disk (``backkit.journal``) as the events arrive. Here the
kernel is lost mid-session and the browser's storage is cleared after the
reload (another browser, a private window): the new timer still offers the
session, from Python's copy; "Save what you did" stores its times, "Discard
it" removes it for good. In the app, another browser is opened on the
exercise the closed tab was doing, from Python's copy alone.
"""

from __future__ import annotations

import json
import time
from datetime import datetime

import pagetools
import pytest
from formtools import through_the_screening
from pagetools import ARTIFACTS

import backkit
from backkit import config
from backkit.routine import for_plan_item
from backkit.widgets.app import QUICK_DOSE
from backkit.widgets.timer import replay_events
from conftest import AppProcess

pytestmark = pytest.mark.browser

COPIES = (
    "Object.keys(localStorage).filter(k => k.startsWith('backkit.session/'))"
    ".map(k => JSON.parse(localStorage.getItem(k)))"
)


def journals(home) -> list[dict]:
    folder = home / "journal"
    return [json.loads(p.read_text()) for p in folder.glob("*.json")] if folder.is_dir() else []


def left_in_python_only(lab, open_notebook, page, tmp_path):
    """A bridge session running in Lab, then a new kernel and the browser's storage cleared.

    Returns the notebook, Python's copy as it was and the offer the new timer shows.
    """
    page.on("dialog", lambda dialog: dialog.accept())  # "leave this page?" mid-session
    home, log_path = tmp_path / "home", tmp_path / "log.sqlite"
    timer_cell = (
        "import os, json, backkit\n"
        f"os.environ['BACKKIT_HOME'] = r'{home}'\n"
        f"log = backkit.SessionLog(r'{log_path}')\n"
        "backkit.outcomes.record_screening(log, {q.id: False for q in "
        "backkit.safety.screening_questions()}, action='none')\n"
        "timer = backkit.SessionTimer('bridge', log, sets=1, reps=2, hold_seconds=4, "
        "rest_seconds=1, prepare_seconds=1)\n"
        "timer"
    )
    rows_cell = (
        "print(json.dumps([[r['started_at'].isoformat(), r['ended_at'].isoformat(),"
        " r['status']] for r in timer.saved_rows]))"
    )
    nb = open_notebook([timer_cell, rows_cell])
    nb.run_cell(0)
    page.locator(".bk-timer .bk-face").first.wait_for()
    page.locator(".bk-timer .bk-start").click()
    pagetools.wait_text(page.locator(".bk-timer .bk-phase").first, r"^Hold - rep 1 of 2$")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (
        journals(home) and len(journals(home)[0]["events"]) >= 2
    ):
        page.wait_for_timeout(100)
    (kept,) = journals(home)  # the start and the hold, as Python saw them
    assert [e["action"] for e in kept["events"]][:2] == ["start", "phase"]
    assert set(kept) == {"v", "key", "events", "alive", "title"}  # no ratings, notes or names
    t0 = kept["events"][0]["at"]
    assert page.evaluate(COPIES)[0]["events"][0]["at"] == t0  # the same session, in the browser

    lab.delete_sessions()  # the kernel is gone, as after a restart or a crash
    page.reload()
    nb.panel.locator(".jp-Cell").first.wait_for(timeout=60_000)
    page.evaluate("localStorage.clear()")  # and the browser's copy with it
    assert page.evaluate(COPIES) == []
    nb.wait_kernel_idle()
    nb.run_cell(0)  # a new kernel: a new timer, which finds Python's copy
    offer = page.locator(".bk-timer .bk-resume")
    offer.wait_for(state="visible")
    return nb, kept, offer


def test_storage_cleared_after_a_reload_python_s_copy_still_offers_the_session(
    lab, open_notebook, page, tmp_path
):
    nb, kept, offer = left_in_python_only(lab, open_notebook, page, tmp_path)
    t0, home = kept["events"][0]["at"], tmp_path / "home"
    face = page.locator(".bk-timer .bk-face").first
    assert "was not saved when the page closed" in offer.inner_text()
    assert "It stopped at: Hold - rep 1 of 2." in offer.inner_text()
    assert offer.locator(".bk-resume-go").is_visible()
    save = offer.locator(".bk-resume-save")
    assert save.inner_text().strip() == "Save what you did (0 of 2 repetitions)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    face.screenshot(path=str(ARTIFACTS / "timer-resume-offer-from-python.png"))
    save.click()
    offer.wait_for(state="hidden")
    pagetools.wait_text(page.locator(".bk-timer .bk-message").first,
                        r"what you did before the page closed")  # fmt: skip
    nb.run_cell(1, timeout=30)
    ((started, ended, status),) = json.loads(nb.output_text(1).strip().splitlines()[-1])
    # the page's own times, as Python's copy kept them: the hold began 1 s after
    # the start and was lost at the last event Python saw
    assert abs((datetime.fromisoformat(started) - config.at(t0 + 1)).total_seconds()) < 0.01
    assert abs((datetime.fromisoformat(ended) - config.at(kept["alive"])).total_seconds()) < 0.01
    assert status == "partial"
    assert journals(home) == []  # saved: Python's copy is gone
    assert page.evaluate(COPIES) == []  # and the browser keeps none


def test_another_browser_opens_the_app_on_the_session_python_kept(
    browser, page, tmp_path, pin_today
):
    pin_today("2026-12-07T10:00+00:00")  # a Monday: the bridge is due
    log, home = tmp_path / "app-log.sqlite", tmp_path / "home"
    running = AppProcess(tmp_path, log)
    elsewhere = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        url = running.wait_for(r"serving at (http://127\.0\.0\.1:\d+/\?token=\S+)")[1]
        through_the_screening(page, url)
        page.select_option(".bk-app-choice select", label="4. Bridge (quick try)")
        pagetools.wait_text(page.locator(".bk-app-instructions").first, r"^4\. Bridge")
        page.wait_for_timeout(500)
        page.locator(".bk-timer .bk-start").click()
        pagetools.wait_text(page.locator(".bk-timer .bk-phase").first, r"^Get ready")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not journals(home):
            page.wait_for_timeout(100)
        (kept,) = journals(home)
        assert kept["choice"] == "bridge"  # the app's choice, kept with the copy
        page.close()  # the tab is closed; its browser's storage is out of reach

        other = elsewhere.new_page()
        other.goto(url)  # a new kernel; the app opens on today's whole session...
        offer = other.locator(".bk-app .bk-timer .bk-resume")
        offer.wait_for(state="visible", timeout=60_000)
        # ...finds the bridge in Python's copy, shows it and offers it
        assert other.locator(".bk-app-choice select").input_value() == "4. Bridge (quick try)"
        assert "It stopped at: Get ready" in offer.inner_text()
        save = offer.locator(".bk-resume-save")
        assert save.inner_text().strip() == "Save what you did (0 of 1 repetition)"
        save.click()
        pagetools.wait_text(other.locator(".bk-timer .bk-message").first,
                            r"^Saved to your log: what you did")  # fmt: skip
        assert journals(home) == []
    finally:
        elsewhere.close()
        running.stop()
    with backkit.SessionLog(log, create=False) as stored:
        frame = stored.frame()
    item = next(i for i in backkit.Plan.default().items if i.exercise_id == "bridge")
    engine = replay_events(for_plan_item(item, QUICK_DOSE), kept["events"],
                           clock=lambda: kept["alive"])  # fmt: skip
    engine.stop(kept["alive"])
    (want,) = engine.log_rows()
    (row,) = frame.to_dict("records")
    assert (row["exercise_id"], row["status"]) == ("bridge", want["status"])
    for column in ("started_at", "ended_at"):
        if want[column] is None:
            assert row[column] is None or row[column] != row[column], column  # missing
        else:
            assert abs((row[column] - want[column]).total_seconds()) < 0.002, column


def test_discarding_python_s_copy_removes_it_for_good(lab, open_notebook, page, tmp_path):
    _nb, _kept, offer = left_in_python_only(lab, open_notebook, page, tmp_path)
    offer.locator(".bk-resume-discard").click()
    offer.wait_for(state="hidden")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and journals(tmp_path / "home"):
        page.wait_for_timeout(100)
    assert journals(tmp_path / "home") == []  # Python dropped its copy too
    # the notebook saved (as Lab does by itself), reloaded with the same kernel and
    # timer: the discarded session is not offered again
    page.keyboard.press("Control+s")
    page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").wait_for(state="detached")
    page.reload()
    page.locator(".bk-timer .bk-face").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    assert page.locator(".bk-timer .bk-resume").is_hidden()
    assert page.locator(".bk-timer .bk-start").is_visible()
