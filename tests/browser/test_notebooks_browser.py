"""A person runs *Today's session* in JupyterLab in Chromium, from Run All to the progress chart.

The notebook is the committed ``notebooks/10_todays_session.ipynb``, unchanged:
Run > Run All Cells, then its quick-try timer is driven with the mouse and the
keyboard (the warning-sign questions, pain before, Start, the real countdown,
pain after, Save), and the
cells that summarise today and draw the progress calendar are run again, as
the notebook tells a person to. The kernel's backkit home is the test
session's temporary folder (the root conftest), never a real log.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pytest
from formtools import answer_red_flags, press
from pagetools import ARTIFACTS, wait_text

import backkit

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "10_todays_session.ipynb"


def code_cell(needle: str) -> int:
    """Index (among all cells, as Lab shows them) of the one code cell containing ``needle``."""
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    hits = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and needle in c.source]
    assert len(hits) == 1, f"{needle!r} is in {len(hits)} code cells of {NOTEBOOK.name}"
    return hits[0]


def sessions_logged() -> int:
    """Sessions already in the test home's log (the kernel's log too; usually none)."""
    path = backkit.config.default_log_path()
    if not path.exists():
        return 0
    return int(backkit.SessionLog(path, create=False).frame()["session_id"].nunique())


def image_of(cell) -> str:
    img = cell.locator(".jp-OutputArea-output img").last
    img.wait_for()
    return img.get_attribute("src") or ""


def test_todays_session_runs_a_quick_try_saves_it_and_shows_it_in_the_progress(open_notebook):
    quick, full = code_cell("quick_try = backkit.SafetyCheck("), code_cell("for_plan(")
    summary, progress = code_cell("Today you did"), code_cell("plot_calendar(")
    last = max(quick, full, summary, progress)
    before_all = sessions_logged()

    nb = open_notebook(NOTEBOOK)
    page = nb.page
    # The first cell by Shift+Enter (which waits for the kernel to take it), then Run All.
    nb.run_cell(code_cell("plan = backkit.Plan.active()"))
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()
    nb.wait_cell_done(last, timeout=60)
    assert nb.execution_count(last) is not None
    nb.cell(summary).scroll_into_view_if_needed()
    assert "Nothing saved today yet" in nb.output_text(summary)

    # Before any session, the progress cell shows sample data and says so.
    progress_cell = nb.cell(progress)
    progress_cell.scroll_into_view_if_needed()
    assert "SAMPLE DATA" in nb.output_text(progress) or before_all > 0
    sample_chart = image_of(progress_cell)

    # The emergency signs first, then the warning-sign questions (when due) before any timer;
    # answering them under the quick try opens the full session's timer too.
    check = nb.cell(quick).locator(".bk-safety-check")
    check.scroll_into_view_if_needed()
    wait_text(check.locator(".bk-safety").first, "Call 999")
    if check.locator(".bk-screening-save").is_visible():
        assert nb.cell(quick).locator(".bk-timer").count() == 0
        answer_red_flags(check)
        check.locator(".bk-screening-save").click()
        wait_text(check.locator(".bk-screening-message"), "No warning signs")

    # The full session is there, ready, with every exercise of the day.
    session = nb.cell(full).locator(".bk-timer")
    session.wait_for(timeout=15_000)
    session.scroll_into_view_if_needed()
    assert re.search(r"Session of \d+ exercises", session.locator(".bk-title").inner_text())
    assert session.locator(".bk-start button, button.bk-start").first.is_enabled()

    # The quick try, driven as a person does.
    timer = nb.cell(quick).locator(".bk-timer")
    # Lab skips the layout of cells out of view (content-visibility): bring it into view first.
    timer.scroll_into_view_if_needed()
    assert timer.locator(".bk-phase").inner_text().strip() == "Press Start when you are ready"
    assert timer.locator(".bk-notes textarea").input_value() == "quick try"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "todays-session-lab.png"))
    press(timer.locator(".bk-pain-before"), "3")
    page.wait_for_timeout(500)
    timer.locator(".bk-start").click()
    wait_text(timer.locator(".bk-phase"), r"^Hold - left leg - rep 1 of 1$", timeout=15)
    timer.screenshot(path=str(ARTIFACTS / "todays-quick-try-running.png"))
    wait_text(timer.locator(".bk-phase"), r"^Done - well done!$", timeout=40)
    timer.locator(".bk-pain-after").wait_for(state="visible")
    press(timer.locator(".bk-pain-after"), "2")
    page.wait_for_timeout(500)
    timer.locator(".bk-save").click()
    saved = r"Saved to your log\. Supine hamstring stretch done: 2 of 2 repetitions\."
    wait_text(timer.locator(".bk-message"), saved)
    assert timer.locator(".bk-errors").inner_text().strip() == ""
    assert nb.cell(quick).locator(".bk-undo").is_visible()  # Undo, right after the save

    # The notebook says: run the summary cell again after saving.
    nb.run_cell(summary, timeout=30)
    nb.cell(summary).scroll_into_view_if_needed()
    today = nb.output_text(summary)
    pattern = r"Today you did 1 exercise\(s\) in \d+ session\(s\): Supine hamstring stretch\."
    assert re.search(pattern, today), today
    assert "Pain before your sessions:" in today

    # And the progress cell: the session is in the summary and the calendar.
    nb.run_cell(progress, timeout=30)
    progress_cell.scroll_into_view_if_needed()
    text = nb.output_text(progress)
    expected = before_all + 1
    assert f"You logged {expected} session{'s' if expected != 1 else ''} on" in text
    assert "SAMPLE DATA" not in text
    own_chart = image_of(progress_cell)
    assert own_chart.startswith("data:image/png;base64,") and own_chart != sample_chart
    png = base64.b64decode(own_chart.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    progress_cell.screenshot(path=str(ARTIFACTS / "todays-progress-after-save.png"))

    # What the page said is what the log holds.
    frame = backkit.SessionLog(backkit.config.default_log_path(), create=False).frame()
    rows = frame[frame["notes"] == "quick try"]
    assert list(rows["side"]) == ["left", "right"]
    # the quick try is one exercise: rated before and after, it is that exercise's rating
    assert list(rows["pain_before"]) == [3, 3] and list(rows["pain_after"]) == [2, 2]
    assert rows["session_pain_before"].isna().all()
    assert set(rows["status"]) == {"completed"}
    assert set(rows["plan_id"]) == {backkit.Plan.default().id}
