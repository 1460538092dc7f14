"""Driving backkit's forms in a Playwright page as a person does: press answers, read boxes.

Shared by the check-in, app and notebook browser tests (pytest puts this
folder on ``sys.path``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

from pagetools import ARTIFACTS


def press(buttons, label: str) -> None:
    """Press the button reading ``label`` in a row of ToggleButtons (a locator)."""
    buttons.first.locator("button", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).click()


def answer_red_flags(form, yes: tuple[str, ...] = ()) -> None:
    """Answer every warning-sign question in ``form``: "Yes" for the ids in ``yes``, else "No"."""
    rows = form.locator(".bk-choice")
    for k in range(rows.count()):
        row = rows.nth(k)
        classes = row.get_attribute("class") or ""
        if "answer" not in classes:
            continue
        ids = re.findall(r"bk-q-(\w+)", classes)
        press(row, "Yes" if ids and ids[0] in yes else "No")
    # ipywidgets throttles state messages; a person takes longer to reach Save
    form.page.wait_for_timeout(500)


def through_the_screening(page, url: str) -> None:
    """Open the app at ``url`` and answer the warning signs "no": the timer's Start shows."""
    page.goto(url)
    check = page.locator(".bk-app .bk-safety-check")
    check.locator(".bk-screening-save").wait_for(timeout=60_000)
    answer_red_flags(check)
    check.locator(".bk-screening-save").click()
    page.locator(".bk-app .bk-timer .bk-start").wait_for(timeout=30_000)


def active(form, css: str) -> list[str]:
    """Labels of the pressed buttons in the ToggleButtons matching ``css``."""
    return form.locator(f"{css} button.mod-active").all_inner_texts()


def record_requests(page) -> list[str]:
    """Record every URL the page asks for (read it with :func:`outside_requests`)."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    return seen


def outside_requests(urls: list[str]) -> list[str]:
    """The requests that left 127.0.0.1 (blob: and data: URLs stay in the page)."""
    return [
        u
        for u in urls
        if urlparse(u).scheme not in ("blob", "data") and urlparse(u).hostname != "127.0.0.1"
    ]


def shoot(locator, name: str) -> Path:
    """Screenshot ``locator`` to ``ARTIFACTS/name``; return the file's path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page = locator.page
    size = page.viewport_size
    box = locator.bounding_box()
    if box is not None and size is not None and box["height"] + 300 > size["height"]:
        # a tall form inside Lab's scrolling panel: make the window tall enough to show it all
        page.set_viewport_size({"width": size["width"], "height": int(box["height"]) + 300})
        page.wait_for_timeout(300)
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(path))
    if size is not None:
        page.set_viewport_size(size)
    return path


def set_lab_theme(lab, theme: str | None) -> None:
    """Make JupyterLab open in ``theme`` ("JupyterLab Dark"), or its default with None."""
    path = lab.root_dir.parent / "settings" / "@jupyterlab" / "apputils-extension"
    path.mkdir(parents=True, exist_ok=True)
    file = path / "themes.jupyterlab-settings"
    if theme is None:
        file.unlink(missing_ok=True)
    else:
        file.write_text(json.dumps({"theme": theme}))


def wait_theme(page, theme: str) -> None:
    dark = theme.endswith("Dark")
    page.locator(f"body[data-jp-theme-light='{str(not dark).lower()}']").wait_for(
        state="attached", timeout=30_000
    )
