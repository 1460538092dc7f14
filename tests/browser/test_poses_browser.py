"""A person shows an exercise figure and its animation in JupyterLab in Chromium."""

import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def test_figure_and_animation_show_inline_and_the_animation_plays(open_notebook):
    nb = open_notebook(
        [
            "%matplotlib inline\nimport backkit\nfig = backkit.show_exercise('bridge')\nfig",
            "backkit.animate_exercise('squat', max_images=12)",
        ]
    )
    page = nb.page
    try:
        nb.run_cell(0, timeout=20)
    except TimeoutError:
        # On a loaded machine the first Shift+Enter can land before the kernel
        # connection is up; a person would press it again.
        nb.run_cell(0, timeout=60)
    figure = nb.cell(0).locator(".jp-OutputArea-output img")
    figure.wait_for()
    box = figure.bounding_box()
    assert box["width"] > 300 and box["height"] > 100

    nb.run_cell(1)
    frame = nb.cell(1).locator("img[id^='_anim_img']")
    frame.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    nb.cell(1).locator(".jp-OutputArea-output").screenshot(path=str(ARTIFACTS / "poses-anim.png"))
    # The player's slider advances by itself and the image changes: it plays in the page.
    slider = nb.cell(1).locator("input[type='range']")
    seen_images, seen_positions = set(), set()
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline and (len(seen_images) < 3 or len(seen_positions) < 5):
        seen_images.add(frame.get_attribute("src")[-64:])
        seen_positions.add(slider.input_value())
        page.wait_for_timeout(100)
    assert slider.get_attribute("max") == "47"  # 4.8 s at 10 frames a second
    assert len(seen_positions) >= 5, seen_positions
    assert len(seen_images) >= 3, "the animation shows different poses"
