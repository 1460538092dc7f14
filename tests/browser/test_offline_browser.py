"""Every notebook page, run as a person runs it in JupyterLab, asks nothing of the internet.

Each of the kit's notebooks is opened in JupyterLab in Chromium and run top to
bottom (Run All Cells); every request the page makes, JupyterLab's own
included, is recorded, and none may go anywhere but 127.0.0.1. (The app, served
by Voila, has its own test in test_app_security.py.)
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PAGES = sorted(p.name for p in NOTEBOOKS.glob("[0-9]*.ipynb"))
LOCAL = ("127.0.0.1", "localhost")


def outside(urls: list[str]) -> list[str]:
    """The requests that left the computer (data: and blob: URLs never do)."""
    out = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            continue
        if parts.hostname not in LOCAL:
            out.append(url)
    return out


def test_the_outside_check_can_fail():
    urls = ["http://127.0.0.1:8888/lab", "data:image/gif;base64,R0", "https://cdn.jsdelivr.net/x"]
    assert outside(urls) == ["https://cdn.jsdelivr.net/x"]


@pytest.mark.parametrize("name", PAGES)
def test_running_a_notebook_requests_nothing_beyond_127_0_0_1(name, page, open_notebook):
    cells = nbformat.read(str(NOTEBOOKS / name), as_version=4).cells
    code = [i for i, c in enumerate(cells) if c.cell_type == "code"]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    nb = open_notebook(NOTEBOOKS / name)
    nb.run_cell(code[0], timeout=120)  # Shift+Enter first: it waits for the kernel to take it
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()
    nb.wait_cell_done(code[-1], timeout=240, not_prompt=nb.prompt(code[0]))
    page.wait_for_timeout(1000)  # widgets and images the last outputs load
    assert requests, "the page was recorded"
    assert outside(requests) == []
