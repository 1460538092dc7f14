"""A person shows an exercise figure and its animation in JupyterLab in Chromium."""


import pytest
from pagetools import ARTIFACTS

pytestmark = pytest.mark.browser



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
    anim = nb.cell(1).locator("img.bk-animation")
    anim.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    nb.cell(1).locator(".jp-OutputArea-output").screenshot(path=str(ARTIFACTS / "poses-anim.png"))
    assert anim.get_attribute("src").startswith("data:image/gif;base64,")
    # The browser plays the image: two screenshots a second apart differ.
    first = anim.screenshot()
    page.wait_for_timeout(1000)
    assert anim.screenshot() != first, "the animation moves in the page"
