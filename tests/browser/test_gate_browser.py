"""The safety gate and the cautions in Chromium: as notebooks 01-08 show a timer, and in the app.

A timer on a fresh log shows the warning-sign questions where its countdown
would be; answered "no" (with the one-time personal check), the countdown
appears with the cautions that apply to the person first, in the floor view
too. In the app, a "yes" stays in force after a reload until the visit to a
clinician is recorded. Screenshots in light, dark and floor views go to the
test artifacts folder.
"""

from __future__ import annotations

import datetime as dt

import pytest
from formtools import answer_red_flags, press, set_lab_theme, shoot, wait_theme
from pagetools import (
    ARTIFACTS,
    wait_text,
)
from test_timer_browser import CONTRAST_JS

import backkit
from backkit.log import SessionLog
from backkit.outcomes import clearances_frame, record_screening, screenings_frame
from conftest import AppProcess

pytestmark = pytest.mark.browser


def notebook_cell(log_path) -> str:
    # what notebooks 01-08 do: the exercise's timer on the person's log
    return (
        "import backkit\n"
        f"log = backkit.SessionLog(r'{log_path}')\n"
        "timer = backkit.SessionTimer('knee-to-chest', log)\n"
        "timer"
    )


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_a_fresh_log_asks_first_then_shows_the_countdown_with_my_cautions(
    lab, open_notebook, tmp_path, theme
):
    tag = "dark" if theme.endswith("Dark") else "light"
    set_lab_theme(lab, theme)
    try:
        nb = open_notebook([notebook_cell(tmp_path / "log.sqlite")])
    finally:
        set_lab_theme(lab, None)
    page = nb.page
    wait_theme(page, theme)
    nb.run_cell(0)
    check = page.locator(".bk-safety-check").first
    check.locator(".bk-screening-save").wait_for()
    assert page.locator(".bk-face").count() == 0  # no countdown, no Start to press
    assert "About you" in check.inner_text()
    shoot(check, f"gate-questions-{tag}.png")

    answer_red_flags(check)
    press(check.locator(".bk-p-osteoporosis"), "Yes")
    page.wait_for_timeout(500)
    check.locator(".bk-screening-save").click()
    page.locator(".bk-timer .bk-start").wait_for(timeout=30_000)
    mine = page.locator(".bk-timer .bk-cautions-mine")
    wait_text(mine, "osteoporosis")
    caution = backkit.get_exercise("knee-to-chest").cautions_for({"osteoporosis"})[0]
    assert caution in mine.inner_text()
    low = [f for f in page.locator(".bk-timer .bk-cautions").evaluate(CONTRAST_JS)
           if f["ratio"] < 4.5]  # fmt: skip
    assert low == [], low
    shoot(page.locator(".bk-timer").first, f"gate-timer-cautions-{tag}.png")

    # The floor view keeps the person's cautions in view, large.
    page.locator(".bk-timer .bk-floor-button").click()
    page.locator(".bk-face.bk-floor").wait_for()
    floor_mine = page.locator(".bk-face.bk-floor .bk-cautions-mine")
    assert floor_mine.is_visible()
    size = float(floor_mine.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))
    assert size >= 17, size
    page.screenshot(path=str(ARTIFACTS / f"gate-floor-{tag}.png"))
    page.keyboard.press("Escape")
    page.locator(".bk-timer .bk-start").click()
    wait_text(page.locator(".bk-timer .bk-phase").first, r"^(Get ready|Hold)")
    with SessionLog(tmp_path / "log.sqlite", create=False) as log:
        assert screenings_frame(log)["action"].tolist() == ["none"]


def test_a_yes_in_the_app_survives_a_reload_until_the_visit_is_recorded(tmp_path, pin_today, page):
    pin_today("2026-12-07T10:00+00:00")
    log = tmp_path / "app-log.sqlite"
    running = AppProcess(tmp_path, log)
    try:
        url = running.wait_for(r"serving at (http://127\.0\.0\.1:\d+/\?token=\S+)")[1]
        page.goto(url)
        check = page.locator(".bk-app .bk-safety-check")
        check.locator(".bk-screening-save").wait_for(timeout=60_000)
        answer_red_flags(check, yes=("fever",))
        check.locator(".bk-screening-save").click()
        wait_text(check.locator(".bk-screening-message"), "do not start the session")

        # A reload, and an all-no answer from another door: the yes stays in force.
        with SessionLog(log, create=False) as stored:
            record_screening(stored, {"fever": False}, action="none")
        page.reload()
        check = page.locator(".bk-app .bk-safety-check")
        form = check.locator(".bk-clearance")
        form.wait_for(timeout=60_000)
        assert not check.locator(".bk-screening-save").is_visible()
        assert "high temperature" in check.locator(".bk-screening-message").inner_text()
        assert page.locator(".bk-app .bk-timer").count() == 0
        shoot(page.locator(".bk-app"), "gate-app-yes-after-reload.png")

        # The visit, recorded as a person does: unfold, who, the day (today), what they said.
        form.locator(".bk-clearance-open").click()
        form.locator(".bk-clearance-who select").wait_for()
        form.locator(".bk-clearance-who select").select_option(label="GP")
        form.locator(".bk-clearance-notes input").fill("a chest infection; exercise is fine")
        page.wait_for_timeout(500)
        form.locator(".bk-clearance-record").click()
        page.locator(".bk-app .bk-timer .bk-start").wait_for(timeout=30_000)
        with SessionLog(log, create=False) as stored:
            visits = clearances_frame(stored)
        assert visits["seen_by"].tolist() == ["gp"]
        assert visits["seen_on"].dt.date.tolist() == [dt.date(2026, 12, 7)]
    finally:
        running.stop()


# How far a person must scroll to bring an element's bottom edge into the
# window: its bottom on the unscrolled page less the window's height (Voila
# scrolls an inner panel, so the scrolling ancestors' offsets are added back).
SCROLL_NEEDED_JS = """e => { let s = 0; for (let p = e.parentElement; p; p = p.parentElement)
  s += p.scrollTop;
  return Math.max(0, e.getBoundingClientRect().bottom + s - window.innerHeight); }"""


def test_a_first_run_reaches_exercise_1_in_few_clicks_and_one_screen(tmp_path, pin_today, browser):
    """Issue 26: from opening the app to exercise 1 in a 1366x768 window, as a new person does.

    The person reads the warning signs, answers "About you" (five presses),
    presses "I have read them all: No to the rest", Save and Start: at most 17 presses
    and at most one screen of scrolling, with the emergency list shown once.
    """
    pin_today("2026-12-07T10:00+00:00")
    log = tmp_path / "first-run.sqlite"
    running = AppProcess(tmp_path, log)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    presses: list[str] = []
    scrolled: list[float] = []

    def press_on(locator, what: str) -> None:
        locator.scroll_into_view_if_needed()
        scrolled.append(locator.evaluate(SCROLL_NEEDED_JS))
        locator.click()
        presses.append(what)

    try:
        url = running.wait_for(r"serving at (http://127\.0\.0\.1:\d+/\?token=\S+)")[1]
        page.goto(url)
        check = page.locator(".bk-app .bk-safety-check")
        check.locator(".bk-screening-save").wait_for(timeout=60_000)
        emergency = [e for e in page.locator(".bk-emergency").all() if e.is_visible()]
        assert len(emergency) == 1  # once per page

        for tag in ("osteoporosis", "hip_replacement", "knee", "spinal_surgery", "pregnancy"):
            press_on(check.locator(f".bk-p-{tag} button", has_text="No").first, f"about you: {tag}")
        press_on(check.locator(".bk-screening-none"), "none of these apply")
        # every warning-sign question now reads No, for the person to see before Save
        answers = check.locator(".bk-screening-answer")
        assert answers.count() == len(backkit.safety.screening_questions())
        active = check.locator(".bk-screening-answer button.mod-active")
        all_no = ["No"] * answers.count()
        for _ in range(100):  # the answers come back from the kernel: wait up to 10 s
            if active.all_inner_texts() == all_no:
                break
            page.wait_for_timeout(100)
        assert active.all_inner_texts() == all_no
        page.wait_for_timeout(500)  # ipywidgets throttles state messages
        press_on(check.locator(".bk-screening-save"), "save")
        start = page.locator(".bk-app .bk-timer .bk-start")
        start.wait_for(timeout=30_000)
        press_on(start, "start")
        wait_text(page.locator(".bk-app .bk-timer .bk-phase").first, r"^(Get ready|Hold)")
        assert "1 of" in page.locator(".bk-app .bk-timer").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "first-run-exercise-1.png"))
    finally:
        context.close()
        running.stop()
    assert len(presses) <= 17, presses
    assert max(scrolled) <= 768, scrolled
    with SessionLog(log, create=False) as stored:
        assert screenings_frame(stored)["action"].tolist() == ["none"]
