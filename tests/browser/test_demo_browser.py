"""While getting ready, the timer shows the movement: a person watches it in Chromium.

During a get-ready phase the pose area holds the start and end drawings
stacked, the end one fading in and out (a CSS animation); holds keep one still
drawing, and with reduced motion asked for nothing moves. Screenshots of
get-ready in the light, dark and floor views land in ``ARTIFACTS/get-ready``
(``$BACKKIT_TEST_ARTIFACTS``, else the system's temp folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from formtools import set_lab_theme, wait_theme
from pagetools import ARTIFACTS, wait_text

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "get-ready"
POSE = ".bk-timer .bk-pose"
LABEL = "Bridge: from the start position to the end position"

# What the pose area shows: its drawings, the CSS animations running in it,
# and the end drawing's opacity and background (it covers the start one).
READ_POSE = """e => {
  const to = e.querySelector(".bk-pose-to");
  return {
    drawings: e.querySelectorAll("svg").length,
    label: e.getAttribute("aria-label"),
    animations: e.getAnimations({subtree: true}).map(a => [a.animationName, a.playState]),
    opacity: to ? parseFloat(getComputedStyle(to).opacity) : null,
    background: to ? getComputedStyle(to).backgroundColor : null,
    face: getComputedStyle(e.closest(".bk-face")).backgroundColor,
    boxes: [...e.querySelectorAll(".bk-pose-layer")].map(l => {
      const b = l.getBoundingClientRect();
      return [Math.round(b.x), Math.round(b.y), Math.round(b.width), Math.round(b.height)];
    }),
  };
}"""


def timer_cell(log_path: Path) -> str:
    # The warning-sign questions answered no, as a person does before a first
    # session; a long get-ready and hold, so nothing moves on by itself.
    return (
        "import backkit\n"
        f"log = backkit.SessionLog(r'{log_path}')\n"
        "backkit.outcomes.record_screening(log, {q.id: False for q in "
        "backkit.safety.screening_questions()}, action='none')\n"
        "timer = backkit.SessionTimer('bridge', log, sets=1, reps=1, hold_seconds=120,\n"
        "                             prepare_seconds=120, muted=True)\n"
        "timer"
    )


def read_pose(page) -> dict:
    return page.locator(POSE).first.evaluate(READ_POSE)


def start_getting_ready(open_notebook, page, tmp_path) -> None:
    nb = open_notebook([timer_cell(tmp_path / "log.sqlite")])
    nb.run_cell(0)
    page.locator(".bk-timer .bk-face").first.wait_for()
    ready = read_pose(page)
    # Before Start nothing moves: a page left open does not animate for ever.
    assert ready["drawings"] == 1 and ready["animations"] == [], ready
    assert ready["label"] == "Bridge: start position"
    page.locator(".bk-timer .bk-start").click()
    wait_text(page.locator(".bk-timer .bk-badge").first, r"(?i)^get ready$")
    page.locator(f"{POSE}.bk-demo").first.wait_for()


def shoot(page, name: str, *, whole_page: bool = False) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    target = page if whole_page else page.locator(".bk-timer .bk-face").first
    # mid-fade when moving, where both poses show
    page.wait_for_function(
        "() => { const to = document.querySelector('.bk-timer .bk-pose-to'); if (!to) return true;"
        " const o = parseFloat(getComputedStyle(to).opacity);"
        " return to.getAnimations().length === 0 || (o > 0.4 && o < 0.7); }",
        polling=50,
    )
    target.screenshot(path=str(path), animations="allow")
    return path


def assert_moving(page) -> dict:
    shown = read_pose(page)
    assert shown["drawings"] == 2, shown
    assert shown["animations"] == [["bk-pose-demo", "running"]], shown
    # stacked: both drawings in the same place, the same size
    first, second = shown["boxes"]
    assert first == second and first[2] > 100, shown
    # the end drawing sits on the face's own background: a true cross-fade
    assert shown["background"] == shown["face"], shown
    # and it really fades: its opacity changes from moment to moment
    seen = set()
    for _ in range(10):
        seen.add(round(read_pose(page)["opacity"], 2))
        page.wait_for_timeout(250)
    assert len(seen) >= 3 and min(seen) < 0.5 < max(seen), seen
    return shown


def test_get_ready_shows_the_movement_and_a_hold_stands_still(open_notebook, page, tmp_path):
    start_getting_ready(open_notebook, page, tmp_path)
    shown = assert_moving(page)
    assert shown["label"] == LABEL
    shoot(page, "get-ready-light.png")

    # The floor view shows the same movement, bigger.
    page.locator(".bk-timer .bk-floor-button").click()
    page.locator(".bk-face.bk-floor").wait_for()
    floor = assert_moving(page)
    assert floor["boxes"][0][2] > shown["boxes"][0][2], (floor, shown)
    shoot(page, "get-ready-floor.png", whole_page=True)
    page.keyboard.press("Escape")
    page.locator(".bk-face.bk-floor").wait_for(state="detached")

    # Paused, the fade stops where it is.
    page.locator(".bk-timer .bk-pause").click()
    page.locator(".bk-timer .bk-face[data-state='paused']").wait_for()
    paused = read_pose(page)
    assert paused["animations"] == [["bk-pose-demo", "paused"]], paused
    page.wait_for_timeout(400)
    assert read_pose(page)["opacity"] == paused["opacity"]
    page.locator(".bk-timer .bk-paused-overlay").click()
    page.locator(".bk-timer .bk-face[data-state='running']").wait_for()

    # Reduced motion asked for: nothing moves, both poses still show.
    page.emulate_media(reduced_motion="reduce")
    still = read_pose(page)
    assert still["drawings"] == 2 and still["animations"] == [], still
    assert still["opacity"] == pytest.approx(0.35), still
    shoot(page, "get-ready-light-reduced-motion.png")
    page.emulate_media(reduced_motion="no-preference")
    assert read_pose(page)["animations"] == [["bk-pose-demo", "running"]]

    # The hold keeps today's still pose: one drawing, nothing animated.
    page.locator(".bk-timer .bk-skip").click()
    wait_text(page.locator(".bk-timer .bk-phase").first, r"^Hold - rep 1 of 1$")
    hold = read_pose(page)
    assert hold["drawings"] == 1 and hold["animations"] == [], hold
    assert hold["label"] == "Bridge: end position"
    # Back to getting ready: the movement again.
    page.locator(".bk-timer .bk-back").click()
    wait_text(page.locator(".bk-timer .bk-badge").first, r"(?i)^get ready$")
    assert read_pose(page)["animations"] == [["bk-pose-demo", "running"]]


def test_dark_theme_and_reduced_motion_from_the_start(lab, open_notebook, page, tmp_path):
    set_lab_theme(lab, "JupyterLab Dark")
    try:
        page.emulate_media(reduced_motion="reduce")
        start_getting_ready(open_notebook, page, tmp_path)
        wait_theme(page, "JupyterLab Dark")
        still = read_pose(page)
        assert still["drawings"] == 2 and still["animations"] == [], still
        assert still["label"] == LABEL
        shoot(page, "get-ready-dark-reduced-motion.png")
        # A person who has not asked for less motion sees it move, on the dark face.
        page.emulate_media(reduced_motion="no-preference")
        shown = assert_moving(page)
        channels = [int(v) for v in shown["face"].strip("rgba()").split(",")[:3]]
        assert sum(channels) < 120, shown  # the face is dark, and so is what covers it
        shoot(page, "get-ready-dark.png")
    finally:
        set_lab_theme(lab, None)
