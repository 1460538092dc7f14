"""A person makes a baseline and a follow-up check-in in JupyterLab (light and dark) and Voila.

Every answer starts empty; Save without a rating asks for it; "Save with
skipped answers" stores what was skipped as missing, never 0; last week's
values stand beside the questions, not in them; a red-flag "yes" shows what
to do now and is recorded. Each question is asked once: the baseline asks
nothing about the morning after, there is no second below-knee question, and
warning-sign questions answered today are not asked again unless the person
says something has changed.
"""

import time

import pytest
from formtools import (
    active,
    answer_red_flags,
    outside_requests,
    press,
    record_requests,
    set_lab_theme,
    shoot,
    wait_theme,
)

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def save(page, form, css: str = ".bk-checkin-save") -> None:
    # ipywidgets sends state changes throttled but a click at once: a person
    # takes longer than this to move from the answers to Save.
    page.wait_for_timeout(500)
    form.locator(css).click()


def wait_message(form, words: str, timeout: float = 20.0) -> str:
    message = form.locator(".bk-checkin-message")
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = message.inner_text()
        if words in text:
            return text
        form.page.wait_for_timeout(50)
    raise AssertionError(f"the message reads {text!r}, never {words!r}")


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_a_person_checks_in_twice_and_skips_on_purpose(lab, open_notebook, tmp_path, theme):
    log_path = tmp_path / "checkin-log.sqlite"
    setup = (
        "import datetime as dt\n"
        "import backkit\n"
        "from backkit import CheckIn\n"
        "from backkit.outcomes import outcomes_frame, checkins_frame, screenings_frame\n"
        f"log = backkit.SessionLog(r'{log_path}')\n"
    )
    set_lab_theme(lab, theme)
    try:
        nb = open_notebook(
            [
                setup + "CheckIn(log, today=dt.date(2025, 3, 3))",
                "CheckIn(log, today=dt.date(2025, 3, 10))",
                "df = outcomes_frame(log)\n"
                "print(df[['measure', 'item', 'score']].to_string(index=False))\n"
                "print('rows:', len(df))\n"
                "print(checkins_frame(log)[['leg_pain', 'next_morning', 'below_knee']]"
                ".to_string(index=False))\n"
                "print('screenings:', screenings_frame(log)['action'].tolist())",
            ]
        )
    finally:
        set_lab_theme(lab, None)
    page = nb.page
    requests = record_requests(page)
    wait_theme(page, theme)
    tag = "dark" if theme.endswith("Dark") else "light"
    nb.run_cell(0)
    form = page.locator(".bk-checkin").first
    form.locator(".bk-checkin-save").wait_for()

    # Every input starts empty: no rating, no answer is pressed.
    assert form.locator(".bk-rating button.mod-active").count() == 0
    assert form.locator(".bk-choice button.mod-active").count() == 0
    assert "Call 999" in form.locator(".bk-safety").inner_text()  # the emergency signs
    # asked once: no morning after at the baseline, below the knee only among the warning signs
    assert form.locator(".bk-checkin-next-morning").count() == 0
    assert form.locator(".bk-checkin-below-knee").count() == 0
    assert form.locator(".bk-checkin-screening .bk-q-below_knee").count() == 1
    shoot(form, f"checkin-empty-{tag}.png")

    # Save with nothing rated: it asks, nothing is stored.
    save(page, form)
    text = wait_message(form, "Not answered yet")
    assert "average pain" in text and "never as 0" in text
    assert form.locator(".bk-checkin-skip").is_visible()

    # Average pain, three activities and the warning signs; worst pain and leg
    # pain are skipped on purpose.
    press(form.locator(".bk-checkin-pain-average"), "6")
    names = form.locator(".bk-checkin-activity input")
    scores = form.locator(".bk-checkin-psfs-score")
    for k, (name, score) in enumerate([(XSS, 3), ("gardening", 2), ("lifting a child", 4)]):
        names.nth(k).fill(name)
        names.nth(k).press("Tab")
        press(scores.nth(k), str(score))
    answer_red_flags(form.locator(".bk-checkin-screening"))
    assert active(form, ".bk-checkin-pain-average") == ["6"]
    save(page, form)
    wait_message(form, "Not answered yet: worst pain")
    save(page, form, ".bk-checkin-skip")
    text = wait_message(form, "Saved")
    assert "Baseline on 3 Mar 2025: average pain 6/10, PSFS (mean) 3/10" in text
    shoot(form, f"checkin-saved-{tag}.png")

    nb.run_cell(2)
    out = nb.output_text(2)
    assert "rows: 4" in out and "pain_worst" not in out, out  # skipped: missing, never 0
    assert "<NA>" in out and "screenings: ['none']" in out, out

    # The follow-up: last time's values beside the questions, never as their start.
    nb.run_cell(1)
    follow = page.locator(".bk-checkin").nth(1)
    follow.locator(".bk-checkin-save").wait_for()
    labels = [t.strip() for t in follow.locator(".bk-checkin-activity-name").all_inner_texts()]
    assert labels == [XSS, "gardening", "lifting a child"]  # shown as text, not run
    assert follow.locator(".bk-checkin-activity-name img").count() == 0
    lasts = [t.strip() for t in follow.locator(".bk-checkin-last").all_inner_texts()]
    assert lasts == ["last time: 6", "", "", "last time: 3", "last time: 2", "last time: 4"]
    assert follow.locator(".bk-rating button.mod-active").count() == 0
    press(follow.locator(".bk-checkin-pain-average"), "4")
    press(follow.locator(".bk-checkin-pain-worst"), "5")
    press(follow.locator(".bk-checkin-leg-pain"), "2")
    press(follow.locator(".bk-checkin-next-morning"), "Worse")
    for k, score in enumerate([6, 5, 6]):
        press(follow.locator(".bk-checkin-psfs-score").nth(k), str(score))
    assert "settle by the next morning" in follow.locator(".bk-checkin-legs-advice").inner_text()
    # The warning signs were answered today, with the baseline: said, not asked again ...
    note = follow.locator(".bk-checkin-screening-note").inner_text()
    assert "You answered the warning-sign questions today at" in note, note
    assert "answered no to each one" in note
    assert not follow.locator(".bk-checkin-screening").is_visible()
    # ... until the person says something has changed.
    follow.locator(".bk-checkin-rescreen").click()
    follow.locator(".bk-checkin-screening").wait_for(state="visible")
    answer_red_flags(follow.locator(".bk-checkin-screening"), yes=("fever",))
    save(page, follow)
    text = wait_message(follow, "Saved")
    assert "average pain 6 → 4 (improved)" in text
    advice = follow.locator(".bk-checkin-screening-advice").inner_text()
    assert "Urgent" in advice and "NHS 111" in advice
    shoot(follow, f"checkin-follow-up-{tag}.png")

    nb.run_cell(2)
    out = nb.output_text(2)
    assert "rows: 9" in out and "screenings: ['none', 'urgent']" in out, out
    assert "worse" in out
    assert outside_requests(requests) == []


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
    press(form.locator(".bk-checkin-pain-average"), "5")
    press(form.locator(".bk-checkin-pain-worst"), "7")
    names = form.locator(".bk-checkin-activity input")
    for k, name in enumerate(["sitting 1 hour", "gardening", "lifting a child"]):
        names.nth(k).fill(name)
        names.nth(k).press("Tab")
        press(form.locator(".bk-checkin-psfs-score").nth(k), str(k + 2))
    save(page, form)
    wait_message(form, "Not answered yet")
    save(page, form, ".bk-checkin-skip")
    text = wait_message(form, "Saved")
    assert "average pain 5/10, worst pain 7/10, PSFS (mean) 3/10" in text
    shoot(form, "checkin-voila.png")
    server.stop()

    from backkit.log import SessionLog
    from backkit.outcomes import outcomes_frame

    with SessionLog(log_path) as log:
        assert outcomes_frame(log)["score"].tolist() == [5, 7, 2, 3, 4]


def test_a_check_in_works_in_notebook_7(notebook7, make_notebook, page, tmp_path):
    from pagetools import run_in_notebook7

    log_path = tmp_path / "nb7-log.sqlite"
    make_notebook(
        notebook7.root_dir / "checkin.ipynb",
        [
            "import datetime as dt\n"
            "import backkit\n"
            "from backkit import CheckIn\n"
            f"CheckIn(backkit.SessionLog(r'{log_path}'), today=dt.date(2025, 3, 3))"
        ],
    )
    requests = record_requests(page)
    page.goto(notebook7.url("/notebooks/checkin.ipynb"))
    form = page.locator(".bk-checkin").first
    run_in_notebook7(page, 0, form.locator(".bk-checkin-save"))
    assert form.locator(".bk-rating button.mod-active").count() == 0  # nothing pre-rated
    assert "Call 999" in form.locator(".bk-safety").inner_text()
    press(form.locator(".bk-checkin-pain-average"), "0")  # 0 pressed on purpose is a 0
    press(form.locator(".bk-checkin-pain-worst"), "3")
    names = form.locator(".bk-checkin-activity input")
    for k, name in enumerate(["walking the dog", "sitting at work", XSS]):
        names.nth(k).fill(name)
        names.nth(k).press("Tab")
        press(form.locator(".bk-checkin-psfs-score").nth(k), str(7 - k))
    answer_red_flags(form.locator(".bk-checkin-screening"))
    save(page, form)  # every question asked is answered: saved at once, nothing to skip
    text = wait_message(form, "Saved")
    assert "average pain 0/10, worst pain 3/10, PSFS (mean) 6/10" in text, text
    assert page.locator(".bk-checkin img").count() == 0  # the activity name stayed text
    shoot(form, "checkin-notebook7.png")
    assert outside_requests(requests) == []

    from backkit.log import SessionLog
    from backkit.outcomes import outcomes_frame

    with SessionLog(log_path) as log:
        frame = outcomes_frame(log)
    assert frame["score"].tolist() == [0, 3, 7, 6, 5]
    assert XSS in frame["item"].dropna().tolist()
