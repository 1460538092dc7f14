"""A person makes a baseline and a follow-up check-in in JupyterLab in Chromium."""

import shutil
import time
from pathlib import Path

import pytest
from pagetools import set_slider

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def save(page, form) -> None:
    # ipywidgets sends a model's state changes throttled (one message in flight,
    # the rest buffered) but a button's click at once, so a click right after
    # a burst of key presses can reach the kernel before the last value. A
    # person takes longer than this pause to move from the keyboard to Save.
    page.wait_for_timeout(500)
    form.locator(".bk-checkin-save").click()


def wait_message(page, words: str, timeout: float = 20.0) -> str:
    message = page.locator(".bk-checkin .bk-checkin-message").last
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = message.inner_text()
        if words in text:
            return text
        page.wait_for_timeout(50)
    raise AssertionError(f"the message reads {text!r}, never {words!r}")


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / name
    page.locator(".bk-checkin").last.screenshot(path=str(shot))
    Path("/tmp/outcomes").mkdir(exist_ok=True)
    shutil.copy(shot, Path("/tmp/outcomes") / name)


def test_a_person_checks_in_twice_and_the_scores_land_in_the_store(open_notebook, tmp_path):
    log_path = tmp_path / "checkin-log.sqlite"
    setup = (
        "import datetime as dt\n"
        "import backkit\n"
        "from backkit import CheckIn\n"
        "from backkit.outcomes import outcomes_frame\n"
        f"log = backkit.SessionLog(r'{log_path}')\n"
    )
    nb = open_notebook(
        [
            setup + "CheckIn(log, today=dt.date(2025, 3, 3))",
            "CheckIn(log, today=dt.date(2025, 3, 10))",
            "df = outcomes_frame(log)\n"
            "print(df[['date', 'measure', 'item', 'score', 'baseline']].to_string(index=False))\n"
            "print('rows:', len(df))",
        ]
    )
    page = nb.page
    nb.run_cell(0)
    form = page.locator(".bk-checkin").first
    form.locator(".bk-checkin-save").wait_for()

    set_slider(form.locator(".bk-checkin-pain-average"), 6)
    set_slider(form.locator(".bk-checkin-pain-worst"), 8)
    names = form.locator(".bk-checkin-activity input")
    scores = form.locator(".bk-checkin-psfs-score")
    # two activities only first: the widget must say why it will not save
    for k, (name, score) in enumerate([("sitting 1 hour", 3), ("gardening", 2)]):
        names.nth(k).fill(name)
        names.nth(k).press("Tab")
        set_slider(scores.nth(k), score)
    save(page, form)
    text = wait_message(page, "Not saved")
    assert "names 2 activities; the PSFS needs 3 to 5" in text
    shoot(page, "checkin-refused.png")

    names.nth(2).fill("lifting a child")
    names.nth(2).press("Tab")
    set_slider(scores.nth(2), 4)
    save(page, form)
    text = wait_message(page, "Saved")
    shoot(page, "checkin-baseline-saved.png")
    nb.run_cell(2)
    out = nb.output_text(2)
    assert "rows: 5" in out, out
    assert [line.split()[-2] for line in out.splitlines()[1:6]] == [
        "6.0",
        "8.0",
        "3.0",
        "2.0",
        "4.0",
    ], out
    assert "Baseline on 3 Mar 2025: average pain 6/10, worst pain 8/10, PSFS (mean) 3/10" in text
    shoot(page, "checkin-baseline-saved.png")

    nb.run_cell(1)
    follow = page.locator(".bk-checkin").nth(1)
    follow.locator(".bk-checkin-save").wait_for()
    labels = follow.locator(".bk-checkin-activity-name").all_inner_texts()
    assert [t.strip() for t in labels] == ["sitting 1 hour", "gardening", "lifting a child"]
    lasts = [t.strip() for t in follow.locator(".bk-checkin-last").all_inner_texts()]
    assert lasts == ["last time: 6", "last time: 8", "last time: 3", "last time: 2", "last time: 4"]
    set_slider(follow.locator(".bk-checkin-pain-average"), 4)
    for k, score in enumerate([6, 5, 6]):
        set_slider(follow.locator(".bk-checkin-psfs-score").nth(k), score)
    save(page, follow)
    text = wait_message(page, "Saved")
    assert "average pain 6 → 4 (improved)" in text and "PSFS (mean) 3 → 5.7 (improved)" in text
    shoot(page, "checkin-follow-up-saved.png")

    first_run = nb.execution_count(2)
    nb.run_cell(2)
    assert nb.execution_count(2) > first_run
    out = nb.output_text(2)
    assert "rows: 10" in out
    assert out.count("True") == 5 and out.count("False") == 5


def test_a_check_in_works_in_voila(start_voila, make_notebook, page, tmp_path):
    log_path = tmp_path / "voila-log.sqlite"
    nb = make_notebook(
        tmp_path / "checkin-app.ipynb",
        [
            "import datetime as dt\n"
            "import backkit\n"
            "from backkit import CheckIn\n"
            f"CheckIn(backkit.SessionLog(r'{log_path}'), today=dt.date(2025, 3, 3))"
        ],
    )
    server = start_voila(nb)
    page.goto(server.url("/"))
    form = page.locator(".bk-checkin")
    form.locator(".bk-checkin-save").wait_for(timeout=60_000)
    set_slider(form.locator(".bk-checkin-pain-average"), 5)
    set_slider(form.locator(".bk-checkin-pain-worst"), 7)
    names = form.locator(".bk-checkin-activity input")
    for k, name in enumerate(["sitting 1 hour", "gardening", "lifting a child"]):
        names.nth(k).fill(name)
        names.nth(k).press("Tab")
        set_slider(form.locator(".bk-checkin-psfs-score").nth(k), k + 2)
    save(page, form)
    text = wait_message(page, "Saved")
    assert "average pain 5/10, worst pain 7/10, PSFS (mean) 3/10" in text
    page.locator(".bk-checkin").screenshot(path=str(ARTIFACTS / "checkin-voila.png"))
    server.stop()

    from backkit.log import SessionLog
    from backkit.outcomes import outcomes_frame

    with SessionLog(log_path) as log:
        assert outcomes_frame(log)["score"].tolist() == [5, 7, 2, 3, 4]
