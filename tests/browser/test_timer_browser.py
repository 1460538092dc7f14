"""A person runs a SessionTimer in Chromium: JupyterLab, Notebook 7 and Voila.

The countdown runs in the page (an anywidget): these tests spy on
``speechSynthesis.speak`` and ``navigator.wakeLock.request`` (installed before
the page's own scripts), record every request the page makes, and read what a
person reads. They wait on conditions, never on fixed sleeps.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pagetools
import pytest
from formtools import set_lab_theme
from pagetools import ARTIFACTS, run_in_notebook7

from backkit.log import SessionLog

pytestmark = pytest.mark.browser


# Installed before any script of the page: a voice that records what it is
# asked to say, and a wake lock that records requests and releases.
SPIES = """
window.__speech = [];
window.__wake = [];
const synth = window.speechSynthesis;
synth.getVoices = () => [{name: "Test voice", lang: "en-GB", default: true,
                          localService: true, voiceURI: "test"}];
synth.cancel = () => {};
synth.speak = (u) => {
  window.__speech.push({text: u.text, t: Date.now()});
  setTimeout(() => { if (u.onend) u.onend(new SpeechSynthesisEvent("end", {utterance: u})); }, 5);
};
if (navigator.wakeLock) {
  navigator.wakeLock.request = async (type) => {
    const rec = {type, t: Date.now(), released: null};
    window.__wake.push(rec);
    const lock = new EventTarget();
    lock.release = async () => {
      rec.released = Date.now();
      lock.dispatchEvent(new Event("release"));
    };
    return lock;
  };
}
"""


@pytest.fixture
def spied(page):
    """The page with the spies and a record of every request it makes."""
    page.add_init_script(SPIES)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.requests = requests
    return page


def assert_offline(requests: list[str]) -> None:
    outside = [
        u for u in requests
        if urlparse(u).scheme not in ("blob", "data") and urlparse(u).hostname != "127.0.0.1"
    ]  # fmt: skip
    assert outside == [], f"requests left 127.0.0.1: {outside[:5]}"


def face(page):
    return page.locator(".bk-timer .bk-face").first


def read(page, css: str) -> str:
    return page.locator(f".bk-timer {css}").first.inner_text().strip()


def wait_text(page, css: str, pattern: str, timeout: float = 30.0) -> str:
    return pagetools.wait_text(page.locator(f".bk-timer {css}").first, pattern, timeout)


def rate(page, css: str, value: int) -> None:
    page.locator(f".bk-timer {css} button").nth(value).click()


def wait_js(page, expression: str, timeout: float = 30.0) -> None:
    page.wait_for_function(expression, timeout=timeout * 1000)


# The warning-sign questions answered no, as a person does before a first session
# (the gate closed is tests/browser/test_gate_browser.py's).
SCREENED = (
    "backkit.outcomes.record_screening(log, {q.id: False for q in "
    "backkit.safety.screening_questions()}, action='none')\n"
)


def timer_cell(log_path: Path, **dose) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in dose.items())
    return (
        "import backkit, json\n"
        f"log = backkit.SessionLog(r'{log_path}')\n"
        + SCREENED
        + f"timer = backkit.SessionTimer('bridge', log, {args})\n"
        "timer"
    )


EVENTS_CELL = "print(json.dumps(timer.events))"


def events_from(nb, index: int) -> list[dict]:
    nb.run_cell(index, timeout=30)
    return json.loads(nb.output_text(index).strip().splitlines()[-1])


# --------------------------------------------------------------------------
# JupyterLab


def test_spoken_cues_come_in_order_and_on_time_and_the_screen_stays_awake(
    open_notebook, spied, tmp_path
):
    page = spied
    log_path = tmp_path / "log.sqlite"
    nb = open_notebook(
        [
            timer_cell(log_path, sets=1, reps=2, hold_seconds=5, prepare_seconds=2, rest_seconds=2),
            EVENTS_CELL,
            "print(log.frame()[['side', 'status', 'pain_before', 'pain_after']].to_string())",
        ]
    )
    nb.run_cell(0)
    face(page).wait_for()
    assert read(page, ".bk-phase") == "Press Start when you are ready"
    assert read(page, ".bk-title").startswith("Bridge")
    assert read(page, ".bk-next") == "First: Get ready (0:02)"
    rate(page, ".bk-pain-before", 2)
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Done - well done!$", timeout=40)
    wait_js(page, "window.__speech.length >= 11")
    said = page.evaluate("window.__speech")
    start = bridge_start()
    assert [s["text"] for s in said] == [
        f"Bridge. {start}", "Hold, 1 of 2", "3", "2", "1", "Rest", "Hold, 2 of 2", "3", "2", "1",
        "Well done",
    ]  # fmt: skip

    # Each cue within 250 ms of its moment, on the clock the page stamped the start with.
    events = events_from(nb, 1)
    assert events[0]["action"] == "start" and events[-1]["action"] == "end"
    t0 = events[0]["at"] * 1000
    due = [0, 2, 4, 5, 6, 7, 9, 11, 12, 13, 14]  # seconds after start
    late = [s["t"] - (t0 + d * 1000) for s, d in zip(said, due, strict=True)]
    assert all(-50 <= x <= 250 for x in late), f"cue lateness (ms): {late}"

    # The wake lock was taken at start and let go at the end.
    wake = page.evaluate("window.__wake")
    assert len(wake) >= 1 and wake[0]["type"] == "screen"
    assert abs(wake[0]["t"] - t0) < 500
    assert all(w["released"] is not None for w in wake), wake
    assert abs(wake[-1]["released"] - (t0 + 14_000)) < 500

    # Save asks for the missing rating, then stores what was chosen.
    page.locator(".bk-timer .bk-save").click()
    wait_text(page, ".bk-message", r"Not rated yet: pain now")
    rate(page, ".bk-pain-after", 3)
    page.locator(".bk-timer .bk-save").click()
    wait_text(page, ".bk-message", r"Saved to your log\. Bridge done: 2 of 2 repetitions\.")
    assert page.locator(".bk-timer .bk-errors").inner_text().strip() == ""
    assert_offline(page.requests)


# No voice installed (as on many Linux desktops): speech offers no voices, and
# every oscillator the page starts is recorded with its pitch and time.
NO_VOICE = """
window.__tones = [];
window.__spoken = [];
if (window.speechSynthesis) {
  window.speechSynthesis.getVoices = () => [];
  window.speechSynthesis.speak = (u) => window.__spoken.push(u.text);
}
const makeOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  const osc = makeOscillator.call(this);
  const start = osc.start.bind(osc);
  osc.start = (when) => {
    window.__tones.push({hz: osc.frequency.value, t: Date.now()});
    start(when);
  };
  return osc;
};
"""


def test_without_a_voice_every_cue_is_a_beep_on_time(open_notebook, page, tmp_path):
    page.add_init_script(NO_VOICE)
    nb = open_notebook([timer_cell(tmp_path / "log.sqlite", sets=1, reps=1, hold_seconds=5,
                             prepare_seconds=2), EVENTS_CELL])  # fmt: skip
    nb.run_cell(0)
    face(page).wait_for()
    assert page.locator(".bk-timer select").first.input_value() == "voice"  # the default
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Done - well done!$", timeout=30)
    cues = page.evaluate("[...document.querySelector('.bk-face').bkCues]")
    tones = page.evaluate("window.__tones")
    assert page.evaluate("window.__spoken") == []  # nothing handed to a missing voice
    # start, Hold, 3-2-1, Well done: each one a beep, none silent
    assert [c["type"] for c in cues] == ["beep"] * 6, cues
    assert [c["text"] for c in cues][1:] == ["Hold", "3", "2", "1", "Well done"]
    assert len(tones) >= len(cues) and all(t["hz"] > 0 for t in tones), tones
    t0 = events_from(nb, 1)[0]["at"] * 1000
    due = [0, 2, 4, 5, 6, 7]  # seconds after start
    late = [c["at"] - (t0 + d * 1000) for c, d in zip(cues, due, strict=True)]
    assert all(-50 <= x <= 250 for x in late), f"beep lateness (ms): {late}"


def bridge_start() -> str:
    from backkit import get_exercise

    return get_exercise("bridge").start_position


def test_a_busy_kernel_does_not_stop_the_countdown_and_the_times_are_right(
    open_notebook, spied, tmp_path
):
    page = spied
    log_path = tmp_path / "log.sqlite"
    nb = open_notebook(
        [
            timer_cell(log_path, sets=1, reps=1, hold_seconds=5, prepare_seconds=1),
            "import time\ntime.sleep(8)\nprint('slept')",
            EVENTS_CELL,
            "timer.save(skip_ratings=True)\n"
            "df = log.frame()\n"
            "print(df['started_at'].iloc[0].isoformat(), df['ended_at'].iloc[0].isoformat(),"
            " df['status'].iloc[0])",
        ]
    )
    nb.run_cell(0)
    face(page).wait_for()
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Hold")
    nb.run_cell(1, wait=False)  # the kernel is busy for 8 s from here
    seen = set()
    pagetools.wait_text(page.locator(".bk-timer .bk-phase").first, r"^Done - well done!$", 20)
    assert nb.prompt(1) == "[*]:", "the session ended after the busy cell: nothing was shown"
    # The countdown moved while the kernel slept.
    seen = set(
        page.evaluate("[...document.querySelectorAll('.bk-face')].map(f => f.bkCues.length)")
    )
    assert seen and max(seen) >= 5
    nb.wait_cell_done(1, timeout=30)
    assert "slept" in nb.output_text(1)

    events = events_from(nb, 2)
    assert [e["action"] for e in events] == ["start", "phase", "end"]
    t0 = events[0]["at"]
    nb.run_cell(3, timeout=30)
    started, ended, status = nb.output_text(3).split()
    from datetime import datetime

    from backkit import config

    # stored on the kit's clock (pinned by the suite; the kernel inherits it): the
    # browser's instants, as config.at reads them
    assert status == "completed"
    for shown, at in ((started, t0 + 1), (ended, t0 + 6)):
        assert abs((datetime.fromisoformat(shown) - config.at(at)).total_seconds()) < 0.01
    assert_offline(page.requests)


def test_a_reload_mid_session_shows_the_running_timer_and_stop_lets_the_screen_sleep(
    open_notebook, spied, tmp_path
):
    page = spied
    nb = open_notebook(
        [timer_cell(tmp_path / "log.sqlite", sets=1, reps=1, hold_seconds=30, prepare_seconds=1)]
    )
    nb.run_cell(0)
    face(page).wait_for()
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Hold - rep 1 of 1$")
    before = read(page, ".bk-countdown")
    # As a person's notebook is: saved (Lab also saves by itself every two minutes).
    page.keyboard.press("Control+s")
    page.locator(".jp-NotebookPanel-toolbar, .lm-TabBar-tab.jp-mod-current").first.wait_for()
    page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").wait_for(state="detached")
    page.reload()
    face(page).wait_for(timeout=60_000)
    wait_text(page, ".bk-phase", r"^Hold - rep 1 of 1$", timeout=30)
    after = read(page, ".bk-countdown")
    assert re.fullmatch(r"0:[0-2]\d", after) and after <= before
    assert page.locator(".bk-timer .bk-start").first.is_disabled()
    wait_js(page, "window.__wake.length >= 1")  # taken again after the reload
    page.locator(".bk-timer .bk-stop").click()
    wait_text(page, ".bk-phase", r"^Stopped during: Hold - rep 1 of 1$")
    wait_js(page, "window.__wake.every(w => w.released !== null)")
    note = read(page, ".bk-stop-note")
    from backkit import safety

    assert safety.rules()["emergency"]["signs"][0] in note
    assert "left" not in read(page, ".bk-session")
    assert_offline(page.requests)


# --------------------------------------------------------------------------
# Themes, contrast and the floor view

CONTRAST_JS = """
(root) => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat(1);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const out = [];
  for (const el of root.querySelectorAll("*")) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3)
      .map(n => n.textContent).join("").trim();
    if (!text || el.closest("style, script, option")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
    const bg = background(el);
    const fg = over(parse(getComputedStyle(el).color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out.push({text: text.slice(0, 40), ratio: (a + 0.05) / (b + 0.05), cls: el.className});
  }
  return out;
}
"""


def check_contrast(page, theme: str) -> list[dict]:
    found = page.locator(".bk-timer").first.evaluate(CONTRAST_JS)
    low = [f for f in found if f["ratio"] < 4.5]
    assert len(found) >= 15, found
    assert low == [], f"{theme}: text under 4.5:1: {low}"
    return found


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_every_text_is_readable_in_the_theme_and_the_pose_follows_it(
    lab, open_notebook, spied, tmp_path, theme
):
    page = spied
    set_lab_theme(lab, theme)
    try:
        nb = open_notebook(
            [
                timer_cell(
                    tmp_path / "log.sqlite", sets=1, reps=1, hold_seconds=60, prepare_seconds=1
                )
            ]
        )
        dark = theme.endswith("Dark")
        page.locator(f"body[data-jp-theme-light='{str(not dark).lower()}']").wait_for(
            state="attached"
        )
        nb.run_cell(0)
        face(page).wait_for()
        check_contrast(page, f"{theme}, ready")
        page.locator(".bk-timer .bk-start").click()
        wait_text(page, ".bk-phase", r"^Hold - rep 1 of 1$")
        wait_text(page, ".bk-countdown", r"^0:5\d$")
        page.locator(".bk-timer .bk-after").first.wait_for(state="hidden")
        check_contrast(page, f"{theme}, mid-hold")
        # The drawing has no box of its own: its near limbs take the theme's text colour.
        near = page.locator(".bk-timer .bk-pose svg path[style*='--bk-pose-near']").first
        fill = near.evaluate("e => getComputedStyle(e).fill")
        text = face(page).evaluate("e => getComputedStyle(e).color")
        bg = page.locator(".bk-timer .bk-pose").first.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        assert bg in ("rgba(0, 0, 0, 0)", "transparent")
        assert fill != text  # mixed with the background
        channels = [int(v) for v in re.findall(r"\d+", fill)[:3]]
        assert (sum(channels) > 380) == dark, f"near limbs {fill} in {theme}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = "dark" if dark else "light"
        page.locator(".bk-timer").first.screenshot(path=str(ARTIFACTS / f"timer-hold-{name}.png"))
        assert_offline(page.requests)
    finally:
        set_lab_theme(lab, None)


def test_floor_view_is_full_screen_and_answers_the_keyboard(open_notebook, spied, tmp_path):
    page = spied
    nb = open_notebook(
        [
            timer_cell(
                tmp_path / "log.sqlite",
                sets=1,
                reps=2,
                hold_seconds=60,
                prepare_seconds=1,
                rest_seconds=5,
            )
        ]
    )
    nb.run_cell(0)
    face(page).wait_for()
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Hold - rep 1 of 2$")
    page.locator(".bk-timer .bk-floor-button").click()
    floor = page.locator(".bk-face.bk-floor")
    floor.wait_for()
    box = floor.bounding_box()
    assert box["width"] >= 1270 and box["height"] >= 890
    size = float(
        floor.locator(".bk-countdown").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )
    name = float(
        floor.locator(".bk-heading").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )
    # 1 mm of letter height per 0.35 m of distance: 3 m needs letters ~9 mm high,
    # about 34 px on a 96 dpi screen; the countdown is far larger.
    assert size >= 200 and name >= 34, (size, name)
    wait_text(page, ".bk-countdown", r"^0:5\d$")
    # Everything fits on the screen: nothing cut off at the top or the bottom.
    for css in (".bk-heading", ".bk-countdown", ".bk-stop", ".bk-keys"):
        part = floor.locator(css).bounding_box()
        assert part["y"] >= 0 and part["y"] + part["height"] <= 900, (css, part)
    assert floor.locator(".bk-heading").inner_text() == "Bridge"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timer-hold-floor.png"))
    page.keyboard.press("Space")
    wait_text(page, ".bk-phase", r"\(paused\)$")
    page.keyboard.press("Space")
    wait_text(page, ".bk-phase", r"^Hold - rep 1 of 2$")
    page.keyboard.press("ArrowRight")
    wait_text(page, ".bk-phase", r"^Rest$")
    page.keyboard.press("Escape")
    floor.wait_for(state="detached")
    assert_offline(page.requests)


# --------------------------------------------------------------------------
# Notebook 7 and Voila


def test_the_timer_renders_and_runs_in_notebook_7(notebook7, make_notebook, spied, tmp_path):
    page = spied
    make_notebook(
        notebook7.root_dir / "timer.ipynb",
        [timer_cell(tmp_path / "log.sqlite", sets=1, reps=1, hold_seconds=3, prepare_seconds=1)],
    )
    page.goto(notebook7.url("/notebooks/timer.ipynb"))
    run_in_notebook7(page, 0, face(page))
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Hold - rep 1 of 1$", timeout=15)
    wait_text(page, ".bk-phase", r"^Done - well done!$", timeout=15)
    assert page.evaluate("window.__speech.map(s => s.text)")[-1] == "Well done"
    assert_offline(page.requests)


def test_the_timer_works_in_voila(start_voila, make_notebook, page, tmp_path):
    log_path = tmp_path / "voila-log.sqlite"
    nb = make_notebook(
        tmp_path / "timer-app.ipynb",
        [
            "import backkit\n"
            f"log = backkit.SessionLog(r'{log_path}')\n"
            + SCREENED
            + "timer = backkit.SessionTimer('bridge', log, sets=1, reps=2,\n"
            "                             hold_seconds=2, prepare_seconds=1, rest_seconds=1)\n"
            "timer"
        ],
    )
    server = start_voila(nb)
    page.goto(server.url("/"))
    page.locator(".bk-timer .bk-start").wait_for(timeout=60_000)
    assert read(page, ".bk-phase") == "Press Start when you are ready"
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Hold - rep 1 of 2$", timeout=15)
    page.screenshot(path=str(ARTIFACTS / "timer-voila.png"))
    page.locator(".bk-timer .bk-stop").click()
    wait_text(page, ".bk-phase", r"^Stopped during: Hold - rep 1 of 2$", timeout=10)
    page.locator(".bk-timer .bk-after").wait_for(state="visible", timeout=15_000)
    page.locator(".bk-timer .bk-save-unrated").first.wait_for(state="hidden")
    page.locator(".bk-timer .bk-save").click()
    page.locator(".bk-timer .bk-save-unrated").click()
    nothing = r"Saved to your log\. Nothing was done: 0 of 2 repetitions \(stopped before"
    wait_text(page, ".bk-message", nothing)
    with SessionLog(log_path, create=False) as stored:
        frame = stored.frame()
    assert frame[["exercise_id", "status"]].values.tolist() == [["bridge", "partial"]]
    assert frame["pain_before"].isna().all()


def test_start_keeps_the_countdown_in_view_and_paused_is_unmistakable(
    open_notebook, spied, tmp_path
):
    page = spied
    page.set_viewport_size({"width": 1366, "height": 768})
    tall = "print('\\n'.join(f'line {i}' for i in range(60)))"  # a long output above
    nb = open_notebook(
        [tall, timer_cell(tmp_path / "log.sqlite", sets=1, reps=1, hold_seconds=30,
                          prepare_seconds=1), EVENTS_CELL]
    )  # fmt: skip
    nb.run_cell(0)
    nb.run_cell(1)
    face(page).wait_for()
    start = page.locator(".bk-timer .bk-start")
    start.scroll_into_view_if_needed()
    start.click()
    wait_text(page, ".bk-phase", r"^Hold - rep 1 of 1$")
    page.wait_for_timeout(1500)  # the questions above are hidden; the face is brought back
    box = page.locator(".bk-timer .bk-countdown").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timer-after-start-1366x768.png"))

    overlay = page.locator(".bk-timer .bk-paused-overlay")
    assert not overlay.is_visible()
    page.locator(".bk-timer .bk-countdown").click()  # the countdown is a big pause button
    overlay.wait_for(state="visible")
    cover = overlay.bounding_box()
    whole = face(page).bounding_box()
    assert cover is not None and whole is not None and cover["height"] >= 0.9 * whole["height"]
    word = overlay.locator(".bk-paused-word")
    assert word.inner_text().strip().lower() == "paused"
    assert float(word.evaluate("e => getComputedStyle(e).fontSize").rstrip("px")) >= 48
    face(page).screenshot(path=str(ARTIFACTS / "timer-paused.png"))
    overlay.click()
    overlay.wait_for(state="hidden")
    assert [e["action"] for e in events_from(nb, 2) if e["action"] in ("pause", "resume")] == [
        "pause", "resume",
    ]  # fmt: skip


def test_cues_name_the_side_and_rep_and_back_returns_to_the_step_before(
    open_notebook, spied, tmp_path
):
    page = spied
    cell = (
        "import backkit, json\n"
        f"log = backkit.SessionLog(r'{tmp_path / 'log.sqlite'}')\n"
        + SCREENED
        + "timer = backkit.SessionTimer('knee-to-chest', log, reps=2, hold_seconds=6,\n"
        "                             rest_seconds=6, prepare_seconds=1)\n"
        "timer"
    )
    nb = open_notebook([cell, EVENTS_CELL])
    nb.run_cell(0)
    face(page).wait_for()
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Hold - left leg - rep 1 of 2$")
    wait_js(page, "window.__speech.some(s => s.text === 'Hold, left leg, 1 of 2')")
    face(page).press("ArrowRight")  # skipped by mistake: now resting
    wait_text(page, ".bk-phase", r"^Rest")
    face(page).press("ArrowLeft")  # back to the start of the hold
    wait_text(page, ".bk-phase", r"^Hold - left leg - rep 1 of 2$")
    assert re.fullmatch(r"0:0[56]", read(page, ".bk-countdown"))
    page.locator(".bk-timer .bk-back").click()  # the button does the same
    wait_text(page, ".bk-phase", r"^Get ready")
    actions = [e["action"] for e in events_from(nb, 1)]
    assert actions[:1] == ["start"] and actions.count("back") == 2 and "skip" in actions


# --------------------------------------------------------------------------
# The voice waits for the instruction (backkit issue 26)

# A voice that takes as long as a real one: each utterance lasts its words at
# WPS words a second, utterances queue as the browser's do, cancel() cuts the
# one being said (recorded), and onstart/onend/onerror fire as in Chromium.
TALKING_VOICE = """
window.__said = [];
window.__wake = [];
(() => {
  const WPS = %(wps)s;
  const synth = window.speechSynthesis;
  let queue = [], current = null;
  synth.getVoices = () => [{name: "Test voice", lang: "en-GB", default: true,
                            localService: true, voiceURI: "test"}];
  const next = () => {
    if (current || !queue.length) return;
    const u = queue.shift();
    const words = u.text.split(/\\s+/).filter(Boolean).length;
    const rec = {text: u.text, start: Date.now(), end: null, cut: false};
    window.__said.push(rec);
    const timer = setTimeout(() => {
      rec.end = Date.now();
      current = null;
      if (u.onend) u.onend(new SpeechSynthesisEvent("end", {utterance: u}));
      next();
    }, Math.max(250, 1000 * words / WPS));
    current = {u, rec, timer};
    if (u.onstart) u.onstart(new SpeechSynthesisEvent("start", {utterance: u}));
  };
  synth.speak = (u) => { queue.push(u); next(); };
  synth.cancel = () => {
    queue = [];
    if (!current) return;
    const {u, rec, timer} = current;
    clearTimeout(timer);
    rec.end = Date.now(); rec.cut = true;
    current = null;
    if (u.onerror) u.onerror(new SpeechSynthesisErrorEvent("error",
                                {utterance: u, error: "interrupted"}));
  };
})();
"""


def talking(page, wps: float = 2.7):
    page.add_init_script(TALKING_VOICE % {"wps": wps})
    return page


def said(page) -> list[dict]:
    return page.evaluate("window.__said")


def test_the_instruction_is_heard_in_full_before_the_count_and_cues_name_side_and_rep(
    open_notebook, page, tmp_path
):
    page = talking(page)
    cell = (
        "import backkit, json\n"
        f"log = backkit.SessionLog(r'{tmp_path / 'log.sqlite'}')\n"
        + SCREENED
        + "timer = backkit.SessionTimer('knee-to-chest', log, reps=2, hold_seconds=6,\n"
        "                             rest_seconds=3)\n"
        "timer"
    )
    nb = open_notebook([cell, EVENTS_CELL, "print(timer.routine.phases[0].seconds)"])
    nb.run_cell(0)
    face(page).wait_for()
    nb.run_cell(2)
    prepare = float(nb.output_text(2).strip())
    page.locator(".bk-timer .bk-start").click()
    wait_js(page, "window.__said.some(s => s.text === 'Hold, left leg, 2 of 2')",
            timeout=prepare + 30)  # fmt: skip
    spoken = said(page)
    t0 = events_from(nb, 1)[0]["at"] * 1000
    first = spoken[0]
    from backkit import get_exercise

    assert first["text"].startswith("Single knee to chest. ")
    assert get_exercise("knee-to-chest").start_position in first["text"]
    assert first["text"].endswith("Left leg first.")
    # said in full (no cut), and over before the count began
    assert not first["cut"] and first["end"] is not None
    assert [s["text"] for s in spoken[1:4]] == ["3", "2", "1"]
    assert first["end"] <= spoken[1]["start"], spoken[:2]
    assert abs(spoken[1]["start"] - (t0 + (prepare - 3) * 1000)) < 300
    assert not any(s["cut"] for s in spoken), spoken
    texts = [s["text"] for s in spoken]
    assert texts[4:6] == ["Hold, left leg, 1 of 2", "3"], texts
    hold = spoken[4]
    assert abs(hold["start"] - (t0 + prepare * 1000)) < 300
    page.locator(".bk-timer .bk-stop").click()


def test_a_short_get_ready_never_cuts_the_instruction_the_next_cue_waits(
    open_notebook, page, tmp_path
):
    # A get-ready asked for by its length (1 s) and a slow voice: the hold's cue
    # waits for the instruction, and a count whose moment has passed is dropped.
    page = talking(page, wps=2.0)
    nb = open_notebook([timer_cell(tmp_path / "log.sqlite", sets=1, reps=1, hold_seconds=12,
                                   prepare_seconds=1), EVENTS_CELL])  # fmt: skip
    nb.run_cell(0)
    face(page).wait_for()
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Done", timeout=30)
    wait_js(page, "window.__said.length >= 5 && window.__said.every(s => s.end !== null)")
    spoken = said(page)
    t0 = events_from(nb, 1)[0]["at"] * 1000
    texts = [s["text"] for s in spoken]
    assert texts == [f"Bridge. {bridge_start()}", "Hold", "3", "2", "1", "Well done"], texts
    instruction, hold = spoken[0], spoken[1]
    assert not any(s["cut"] for s in spoken), spoken
    # about 8.5 s of words: the hold began at 1 s, its cue came when they ended
    assert instruction["end"] - instruction["start"] > 8000
    assert instruction["end"] <= hold["start"] < instruction["end"] + 300
    # the count at its moments (the hold ends 13 s after start)
    for s, n in zip(spoken[2:5], (3, 2, 1), strict=True):
        assert abs(s["start"] - (t0 + (13 - n) * 1000)) < 300, (s, n)


def test_floor_view_shows_the_key_cue_and_caution_and_long_holds_say_halfway(
    open_notebook, spied, tmp_path
):
    page = spied
    nb = open_notebook([timer_cell(tmp_path / "log.sqlite", sets=1, reps=1, hold_seconds=24,
                                   prepare_seconds=4), EVENTS_CELL])  # fmt: skip
    nb.run_cell(0)
    face(page).wait_for()
    from backkit import get_exercise

    bridge = get_exercise("bridge")
    key = page.locator(".bk-timer .bk-key").first
    assert key.inner_text().strip() == f"You should feel: {bridge.feel}"
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Get ready")
    page.locator(".bk-timer .bk-floor-button").click()
    floor = page.locator(".bk-face.bk-floor")
    floor.wait_for()
    # read from the floor: the key cue and the caution for everyone, large
    cue = floor.locator(".bk-key")
    assert cue.is_visible() and bridge.feel in cue.inner_text()
    assert float(cue.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 20
    caution = floor.locator(".bk-cautions-everyone")
    assert caution.is_visible() and bridge.cautions[0] in caution.inner_text()
    for css in (".bk-heading", ".bk-countdown", ".bk-key", ".bk-cautions", ".bk-stop"):
        part = floor.locator(css).bounding_box()
        assert part["y"] >= 0 and part["y"] + part["height"] <= 900, (css, part)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timer-get-ready-floor.png"))
    wait_js(page, "window.__speech.some(s => s.text === '10 seconds left')", timeout=30)
    page.keyboard.press("Escape")
    floor.wait_for(state="detached")
    t0 = events_from(nb, 1)[0]["at"] * 1000
    spoken = page.evaluate("window.__speech")
    texts = [s["text"] for s in spoken]
    assert texts[-3:] == ["Hold", "Halfway", "10 seconds left"], texts
    halfway, ten = spoken[-2], spoken[-1]
    assert abs(halfway["t"] - (t0 + (4 + 12) * 1000)) < 300
    assert abs(ten["t"] - (t0 + (4 + 14) * 1000)) < 300
    page.locator(".bk-timer .bk-stop").click()


# --------------------------------------------------------------------------
# A running session is never lost (backkit issue 26)

COPIES = (
    "Object.keys(localStorage).filter(k => k.startsWith('backkit.session/'))"
    ".map(k => JSON.parse(localStorage.getItem(k)))"
)


def test_a_new_kernel_mid_session_offers_resume_and_the_times_are_the_page_s(
    lab, open_notebook, spied, tmp_path
):
    page = spied
    dialogs: list[str] = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    log_path = tmp_path / "log.sqlite"
    nb = open_notebook([
        timer_cell(log_path, sets=1, reps=2, hold_seconds=4, rest_seconds=1, prepare_seconds=1),
        EVENTS_CELL,
        "rows = timer.save(skip_ratings=True)\n"
        "print(json.dumps([[r['started_at'].isoformat(), r['ended_at'].isoformat(),"
        " r['reps_done'], r['status']] for r in rows]))",
    ])  # fmt: skip
    nb.run_cell(0)
    face(page).wait_for()
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Hold - rep 1 of 2$")
    page.wait_for_timeout(1500)
    copies = page.evaluate(COPIES)
    assert len(copies) == 1 and [e["action"] for e in copies[0]["events"]][:2] == ["start", "phase"]
    assert set(copies[0]) == {"v", "events", "alive", "title"}  # no ratings, no notes, no names
    t0 = copies[0]["events"][0]["at"]
    lab.delete_sessions()  # the kernel is gone, as after a restart or a crash
    page.reload()
    assert dialogs == ["beforeunload"]  # leaving mid-session asked first
    nb.panel.locator(".jp-Cell").first.wait_for(timeout=60_000)
    nb.wait_kernel_idle()
    nb.run_cell(0)  # a new kernel: a new timer, knowing nothing of the session
    offer = page.locator(".bk-timer .bk-resume")
    offer.wait_for(state="visible")
    assert "was not saved when the page closed" in offer.inner_text()
    assert "It stopped at: Hold - rep 1 of 2." in offer.inner_text()
    assert offer.locator(".bk-resume-save").inner_text().strip() == (
        "Save what you did (0 of 2 repetitions)"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    face(page).screenshot(path=str(ARTIFACTS / "timer-resume-offer.png"))
    offer.locator(".bk-resume-go").click()
    offer.wait_for(state="hidden")
    # back where it stopped, paused: the time away is not counted
    wait_text(page, ".bk-phase", r"^Hold - rep 1 of 2 \(paused\)$")
    page.locator(".bk-timer .bk-paused-overlay").click()
    wait_text(page, ".bk-phase", r"^Done - well done!$", timeout=30)
    events = events_from(nb, 1)
    assert events[0]["at"] == t0 and [e["action"] for e in events].count("start") == 1
    nb.run_cell(2, timeout=30)
    rows = json.loads(nb.output_text(2).strip().splitlines()[-1])
    from datetime import datetime

    from backkit import config

    ((started, ended, reps, status),) = rows
    assert (reps, status) == (2, "completed")
    # the first hold began 1 s after the page's own start, before the kernel was lost
    assert abs((datetime.fromisoformat(started) - config.at(t0 + 1)).total_seconds()) < 0.01
    assert datetime.fromisoformat(ended) > config.at(t0 + 10)  # the pause is in between
    page.wait_for_timeout(500)
    assert page.evaluate(COPIES) == []  # saved: the copy is gone
