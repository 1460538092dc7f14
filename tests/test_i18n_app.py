"""The app's own words (gate, warning-sign check, check-in, Fix an entry) come in Portuguese.

Each test switches ``$BACKKIT_LANG`` in this one process, so it also proves
the words are translated when they are shown, not when a module is imported:
the same widget class speaks English again once the variable is gone.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import backkit
from backkit import gate
from backkit.errors import Problem
from backkit.widgets import ui
from backkit.widgets.checkin import CheckIn
from backkit.widgets.fix import UndoBar, field_name, refusal
from backkit.widgets.screening import SafetyCheck, advice_html

DAY = dt.date(2025, 3, 3)
NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc)


def _no_screenings() -> gate.Gate:
    return gate.screening_gate(pd.DataFrame(), pd.DataFrame(), NOW)


def test_the_gate_gives_its_reason_in_portuguese_and_then_in_english_again(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt_BR")
    assert _no_screenings().reason == (
        "As perguntas sobre sinais de alerta ainda não foram respondidas."
    )
    monkeypatch.delenv("BACKKIT_LANG")
    assert _no_screenings().reason == "The warning-sign questions have not been answered yet."


def test_a_stale_screening_keeps_its_numbers_in_the_portuguese_reason(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    log = backkit.SessionLog(":memory:")
    backkit.outcomes.record_screening(log, {"fever": False}, action="none")
    later = backkit.config.now() + dt.timedelta(days=8, hours=1)
    reason = gate.check(log, now=later).reason
    assert reason == (
        "As perguntas sobre sinais de alerta foram respondidas pela última vez há 8 dias; "
        "responda-as de novo (a cada 7 dias)."
    )


def test_yes_and_no_buttons_and_the_pain_scale_are_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    assert [label for label, _value in ui.yes_no("x").options] == ["Não", "Sim"]
    assert "0 = sem dor, 10 = pior dor imaginável" in ui.pain_question("x", "?").value
    assert ui.rating("x").tooltips[7] == "7 de 10"


def test_the_advice_box_says_stop_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    assert "<b>Emergência: não comece a sessão.</b>" in advice_html("emergency")


def test_the_warning_sign_check_asks_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    check = SafetyCheck(backkit.SessionLog(":memory:"))
    assert check.save_button.description == "Salvar respostas"
    assert check.clearance.open_button.description == (
        "Já passei por avaliação depois de responder sim"
    )
    check.save_button.click()  # nothing answered
    assert "Responda a todas as perguntas" in check.message.value


def test_the_check_in_names_what_is_missing_with_a_portuguese_plural(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    checkin = CheckIn(backkit.SessionLog(":memory:"), today=DAY)
    assert checkin.save_button.description == "Salvar check-in"
    missing = checkin.missing()
    assert missing[:2] == ["dor média", "pior dor"]
    assert missing[-1].endswith("perguntas sobre sinais de alerta")
    for buttons in list(checkin.red_flags.values())[1:]:
        buttons.value = False
    assert checkin.missing()[-1] == "1 pergunta sobre sinais de alerta"


def test_a_refused_change_is_explained_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    said = refusal([Problem("session x", "reason", "", "is required: give a reason")])
    assert said == "Informe um motivo para a alteração (por exemplo 'digitei 3 em vez de 2')."
    assert field_name("pain_after") == "dor logo depois"


def test_undo_speaks_portuguese_and_the_log_keeps_the_english_reason(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    log = backkit.SessionLog(":memory:")
    bar = UndoBar(log)
    assert bar.undo_button.description == "Desfazer"
    rows = log.record_many([{"exercise_id": "bridge"}])
    bar.offer(rows)
    bar.undo_button.click()
    assert bar.message.value == (
        "Desfeito: a sessão foi removida do seu registro (continua no histórico)."
    )
    # what is stored stays the kit's one English value, whatever the language shown
    assert "undone right after saving" in set(log.history(int(rows[0]["row_id"]))["reason"])


@pytest.mark.parametrize("lang", ["pt", "pt_PT"])
def test_both_portuguese_tags_use_the_one_catalogue(monkeypatch, lang):
    monkeypatch.setenv("BACKKIT_LANG", lang)
    assert ui.yes_no("x").options[0][0] == "Não"
