"""The timer in Portuguese, in Chromium: what a person reads and hears, and the voice's language.

The kernel sets ``BACKKIT_LANG=pt`` before it makes the timer, as ``backkit lab
--lang pt`` does for every kernel. A spy on ``speechSynthesis.speak`` records
each utterance's words and ``lang``; the words expected are the kit's own cues
for the same routine, made here in Portuguese.
"""

from __future__ import annotations

import pytest
from pagetools import ARTIFACTS
from test_timer_browser import SCREENED, face, wait_js, wait_text

from backkit.routine import build_routine, spoken_cues

pytestmark = pytest.mark.browser

# Two voices installed: an English one and a Brazilian Portuguese one.
SPIES = """
window.__speech = [];
const synth = window.speechSynthesis;
synth.getVoices = () => [
  {name: "English", lang: "en-GB", default: true, localService: true, voiceURI: "en"},
  {name: "Português", lang: "pt-BR", default: false, localService: true, voiceURI: "pt"},
];
synth.cancel = () => {};
synth.speak = (u) => {
  window.__speech.push({text: u.text, lang: u.lang});
  setTimeout(() => { if (u.onend) u.onend(new SpeechSynthesisEvent("end", {utterance: u})); }, 5);
};
"""

DOSE = {"reps": 2, "hold_seconds": 6, "rest_seconds": 6, "prepare_seconds": 1}


def test_the_timer_speaks_and_shows_portuguese_with_a_portuguese_voice(
    open_notebook, page, tmp_path, monkeypatch, no_english
):
    page.add_init_script(SPIES)
    args = ", ".join(f"{k}={v!r}" for k, v in DOSE.items())
    cell = (
        "import os\n"
        "os.environ['BACKKIT_LANG'] = 'pt'\n"
        "import backkit, json\n"
        f"log = backkit.SessionLog(r'{tmp_path / 'log.sqlite'}')\n"
        + SCREENED
        + f"timer = backkit.SessionTimer('knee-to-chest', log, {args})\n"
        "timer"
    )
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    monkeypatch.delenv("BACKKIT_REGION", raising=False)
    expected = spoken_cues(build_routine("knee-to-chest", **DOSE))
    nb = open_notebook([cell])
    nb.run_cell(0)
    face(page).wait_for()
    start = page.locator(".bk-timer .bk-start")
    assert start.inner_text().strip() == "▶ Iniciar"
    start.click()
    wait_text(page, ".bk-phase", r"^Sustente - perna esquerda - repetição 1 de 2$")
    wait_js(page, "window.__speech.length >= 3")
    said = page.evaluate("window.__speech")
    words = [s["text"] for s in said if not s["text"].isdigit()]  # the count: "3", "2", "1"
    assert words[:2] == list(expected[:2])
    # each cue asks for a Portuguese voice (the page's fake voices cannot be
    # set as an utterance's voice: Chromium takes only its own voice objects)
    assert {s["lang"] for s in said} == {"pt-BR"}
    page.locator(".bk-timer .bk-floor-button").click()
    page.locator(".bk-face.bk-floor").wait_for()
    no_english(page.locator(".bk-timer").inner_text(), "the timer in floor view")
    no_english(" ".join(s["text"] for s in said), "the timer's cues")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timer-floor-pt.png"))
    page.keyboard.press("Escape")


SILENT = """
window.__speech = [];
window.speechSynthesis.getVoices = () => [
  {name: "English", lang: "en-GB", default: true, localService: true, voiceURI: "en"},
];
window.speechSynthesis.speak = (u) => window.__speech.push(u.text);
"""


def test_with_no_portuguese_voice_no_english_voice_reads_portuguese(open_notebook, page, tmp_path):
    page.add_init_script(SILENT)
    args = ", ".join(f"{k}={v!r}" for k, v in DOSE.items())
    cell = (
        "import os\n"
        "os.environ['BACKKIT_LANG'] = 'pt'\n"
        "import backkit\n"
        f"log = backkit.SessionLog(r'{tmp_path / 'log.sqlite'}')\n"
        + SCREENED
        + f"timer = backkit.SessionTimer('knee-to-chest', log, {args})\n"
        "timer"
    )
    nb = open_notebook([cell])
    nb.run_cell(0)
    face(page).wait_for()
    page.locator(".bk-timer .bk-start").click()
    wait_text(page, ".bk-phase", r"^Sustente - perna esquerda - repetição 1 de 2$")
    wait_text(page, ".bk-phase", r"^Descanso")
    assert page.evaluate("window.__speech") == []  # beeps instead


# --------------------------------------------------------------------------
# The app follows the browser's language


@pytest.fixture
def app(tmp_path, pin_today, monkeypatch):
    from conftest import AppProcess

    pin_today("2026-12-07T10:00+00:00")
    # neither language nor region given: the app follows the browser for both
    monkeypatch.delenv("BACKKIT_LANG", raising=False)
    monkeypatch.delenv("BACKKIT_REGION", raising=False)
    running = AppProcess(tmp_path, tmp_path / "app-log.sqlite")  # no BACKKIT_LANG set
    yield running
    running.stop()


def test_the_app_speaks_the_browser_s_language_with_brazil_s_numbers(
    app, browser, monkeypatch, no_english
):
    from formtools import outside_requests, press, record_requests, shoot

    from backkit import safety

    url = app.wait_for(r"serving at (http://127\.0\.0\.1:\d+/\?token=\S+)")[1]
    context = browser.new_context(locale="pt-BR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests = record_requests(page)
    # what the loading screen shows while the cells run, before the app has a language
    page.add_init_script("""
        window.__loading = [];
        new MutationObserver(() => {
          const box = document.getElementById("loading");
          const bar = document.getElementById("bk-loading-bar");
          if (box) window.__loading.push([box.innerText, bar ? bar.value : null]);
        }).observe(document, {subtree: true, childList: true, attributes: true});
    """)
    try:
        page.goto(url)
        check = page.locator(".bk-app .bk-safety-check")
        check.locator(".bk-screening-save").wait_for(timeout=60_000)
        loading = page.evaluate("window.__loading")
        assert loading, "the loading screen was never seen"
        for text, _ in loading:
            no_english(text, "the loading screen")
        assert max(value for _, value in loading) > 0, loading  # the bar moved
        monkeypatch.setenv("BACKKIT_LANG", "pt-BR")
        monkeypatch.delenv("BACKKIT_REGION", raising=False)
        signs = safety.rules()["emergency"]["signs"]
        header = page.locator(".bk-app .bk-app-header").first.inner_text()
        assert signs[0] in header and "192" in header
        assert "999" not in header and "NHS" not in header
        shoot(page.locator(".bk-app"), "app-pt.png")
        # what the browser shows, as rendered: the page's words, its title and language
        no_english(page.locator("body").inner_text(), "the app's first page")
        assert page.evaluate("document.documentElement.lang").startswith("pt")
        no_english(page.title(), "the app's title")
        rows = check.locator(".bk-choice")
        for k in range(rows.count()):
            if "answer" in (rows.nth(k).get_attribute("class") or ""):
                press(rows.nth(k), "Não")
        page.wait_for_timeout(500)
        check.locator(".bk-screening-save").click()
        page.locator(".bk-app .bk-timer .bk-start").wait_for(timeout=30_000)
        assert page.locator(".bk-app .bk-timer .bk-start").inner_text().strip() == "▶ Iniciar"
        page_text = page.locator(".bk-app").inner_text()
        assert "999" not in page_text and "NHS" not in page_text
        no_english(page.locator("body").inner_text(), "the app with its timer")
        # the weekly check-in, in its tab
        page.locator(".bk-app .lm-TabBar-tab", has_text="Check-in semanal").click()
        checkin = page.locator(".bk-app .bk-checkin")
        checkin.wait_for()
        assert "Check-in semanal" in checkin.inner_text()
        no_english(checkin.inner_text(), "the check-in")
        shoot(checkin, "checkin-pt.png")
        assert outside_requests(requests) == []
    finally:
        context.close()
