"""Reading and driving ipywidgets in a Playwright page, as a person would.

Shared by the browser tests (import with ``from pagetools import ...``; pytest
puts this folder on ``sys.path``).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

#: Where the browser tests leave their screenshots and server logs for a person
#: to look at: ``$BACKKIT_TEST_ARTIFACTS``, else a folder in the system's temp
#: folder (never the checkout: tests write only outside it).
ARTIFACTS = Path(
    os.environ.get("BACKKIT_TEST_ARTIFACTS")
    or Path(tempfile.gettempdir()) / "backkit-test-artifacts"
)


def wait_text(locator, pattern: str, timeout: float = 30.0) -> str:
    """Poll the text of ``locator`` until it matches the regex ``pattern``; return it."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = locator.inner_text().strip()
        if re.search(pattern, text):
            return text
        locator.page.wait_for_timeout(50)
    raise AssertionError(f"text {text!r} never matched {pattern!r} in {timeout} s")


def set_slider(slider, value: int) -> None:
    """Move the ipywidgets slider ``slider`` (a locator) to ``value`` with the keyboard."""
    slider = slider.first
    page = slider.page
    slider.locator(".noUi-handle").click()
    page.keyboard.press("Home")
    for _ in range(value):
        page.keyboard.press("ArrowRight")
    wait_text(slider.locator(".widget-readout"), rf"^{value}$", timeout=10)
    # ipywidgets holds back a value while an earlier one is unanswered, and a
    # button click is not held back: pause as a person does before clicking on.
    page.wait_for_timeout(600)


def run_in_notebook7(page, index: int, shows, attempts: int = 3) -> None:
    """Run cell ``index`` of the open Notebook 7 page until the locator ``shows`` appears.

    A Shift+Enter pressed right after the page opens can be dropped while the
    kernel connects (see ``Notebook.run_cell``), so it is pressed again.
    """
    page.locator(".jp-Cell").first.wait_for()
    cell = page.locator(".jp-Cell").nth(index)
    for _ in range(attempts):
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        try:
            shows.wait_for(timeout=15_000)
            return
        except Exception:
            continue
    shows.wait_for()
