"""The timer in Portuguese: its labels, spoken cues, the face's own words and its voice.

These read the merged ``backkit`` catalogue (``backkit/locale/pt``): the
Portuguese asserted here is the catalogue's, as written for the timer.
"""

from __future__ import annotations

import pytest

from backkit.routine import Engine, Routine, build_routine, spoken_cues
from backkit.widgets.timer_view import TimerView, face_payload, face_words, phase_text


@pytest.fixture
def pt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACKKIT_REGION", raising=False)
    monkeypatch.setenv("BACKKIT_LANG", "pt")


@pytest.fixture
def en(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACKKIT_REGION", raising=False)
    monkeypatch.setenv("BACKKIT_LANG", "en")


def test_the_cues_name_the_side_in_portuguese_word_order(pt: None):
    """The adjective follows the noun and agrees with it: "perna esquerda", not "esquerda perna"."""
    cues = spoken_cues(build_routine("knee-to-chest", reps=2))
    assert cues[0].endswith(" Primeiro a perna esquerda.")
    assert cues[1] == "Sustente, perna esquerda, 1 de 2"
    assert "Troque para a perna direita" in cues
    assert cues[-1] == "Muito bem"


def test_the_labels_and_the_dose_are_in_portuguese(pt: None):
    r = build_routine("knee-to-chest", reps=2, hold_seconds=15, prepare_seconds=10)
    labels = [p.label for p in r.phases[:3]]
    assert labels == [
        "Prepare-se - perna esquerda",
        "Sustente - perna esquerda - repetição 1 de 2",
        "Descanso - perna esquerda",
    ]
    # the plural follows the count: one set, two repetitions
    assert r.describe(names=False).startswith("1 série x 2 repetições por lado, sustentar 15 s")
    assert phase_text(Engine(r).status()) == "Pressione Iniciar quando quiser começar"
    chained = Routine.chain([build_routine("bridge"), build_routine("squat")])
    assert face_payload(chained)["phases"][0]["heading"].startswith("Exercício 1 de 2: ")


def test_the_language_is_read_when_the_words_are_shown(monkeypatch: pytest.MonkeyPatch):
    """One process, two languages: nothing keeps the words of the first."""
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    assert spoken_cues(build_routine("bridge", sets=1, reps=1))[-1] == "Muito bem"
    monkeypatch.setenv("BACKKIT_LANG", "en")
    assert spoken_cues(build_routine("bridge", sets=1, reps=1))[-1] == "Well done"


def test_the_face_gets_the_words_of_its_script_translated(pt: None):
    """Python sends exactly the messages timer.js marks, read from the script itself."""
    import re
    from pathlib import Path

    import backkit.widgets.timer_view as tv

    words = face_words()
    assert words["▶ Start"] == "▶ Iniciar"
    assert words["Paused"] == "Pausado"
    # a plural message brings both its forms
    assert words["{done} of {total} repetition"] == [
        "{done} de {total} repetição",
        "{done} de {total} repetições",
    ]
    script = Path(tv.__file__).with_name("timer.js").read_text(encoding="utf-8")
    script = re.sub(r"^\s*//.*$", "", script, flags=re.M)  # comments mark nothing
    marked = set(re.findall(r'\b(?:_|ngettext)\(\s*"((?:[^"\\]|\\.)*)"', script))
    assert set(words) <= marked
    # every marked message is translated in Portuguese, so every one is sent
    assert set(words) == marked


def test_english_sends_no_words_and_an_english_voice(en: None):
    view = TimerView(build_routine("bridge", sets=1, reps=1))
    assert view.face.words == {}
    assert view.face.lang == "en-GB"


@pytest.mark.parametrize(("lang", "region", "tag"), [("pt", None, "pt-BR"), ("pt", "PT", "pt-PT")])
def test_the_voice_is_asked_for_in_the_kits_language(
    monkeypatch: pytest.MonkeyPatch, lang: str, region: str | None, tag: str
):
    monkeypatch.setenv("BACKKIT_LANG", lang)
    if region is None:
        monkeypatch.delenv("BACKKIT_REGION", raising=False)
    else:
        monkeypatch.setenv("BACKKIT_REGION", region)
    view = TimerView(build_routine("bridge", sets=1, reps=1))
    assert view.face.lang == tag
    assert view.face.words["■ Stop"] == "■ Parar"
    assert view.start_button.description == "▶ Iniciar"
