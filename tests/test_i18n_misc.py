"""Safety, plans, calendars, FHIR, pictures, the lab and the workspace in Portuguese.

The words come from the compiled ``backkit`` catalogue (``BACKKIT_LANG=pt``);
English stays the words as written (tests/test_safety.py, tests/test_plan.py,
tests/test_calendar.py, ...). Each test switches the language in this one
process, so it also proves the words are translated when they are shown, not
when a module is imported or a cache is filled.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import backkit
from backkit import fhir, ics, lab, outcomes, safety, workspace
from backkit.errors import PlanError
from backkit.plan import Plan, PlanItem
from backkit.poses import figure


@pytest.fixture
def pt(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    monkeypatch.delenv("BACKKIT_REGION", raising=False)
    return monkeypatch


def test_the_safety_box_headings_are_portuguese_then_english_again(pt):
    text = safety.safety_markdown()
    assert "#### Quando parar durante o exercício" in text
    assert "#### Quanta dor é demais" in text
    assert "*Fontes: " in text
    pt.setenv("BACKKIT_LANG", "en")
    text = safety.safety_markdown()
    assert "#### Stop rules while exercising" in text and "Quando parar" not in text


def test_pain_advice_is_one_portuguese_sentence_with_decimal_commas(pt):
    advice = safety.check_pain(2, 4.5)
    assert advice is not None and advice.level == "reduce"
    assert advice.message.startswith(
        "A dor foi de 2/10 antes do exercício para 4,5/10 depois dele: um aumento de "
        "2,5 pontos, dentro do limite de 5/10."
    )
    over = safety.check_pain(None, 7)
    assert over is not None and over.message.startswith(
        "A dor estava em 7/10 depois do exercício: acima do limite de 5/10 "
        "(a dor de antes não foi avaliada)."
    )
    assert safety.limit_words().startswith("dor depois do exercício acima de 5/10")


def test_a_clinician_reads_the_check_in_questions_in_portuguese(pt):
    screenings = outcomes.screenings_frame(backkit.SessionLog(":memory:"))  # none answered
    checkins = pd.DataFrame(
        {"date": [dt.date(2026, 11, 30)], "below_knee": [True], "next_morning": ["worse"]}
    )
    found = safety.warning_answers(screenings, checkins)
    assert set(found["question"]) == {
        "Como estavam as suas costas na manhã seguinte ao exercício?",
        "Dor ou formigamento abaixo do joelho que seja novo ou que tenha se espalhado mais "
        "do que o habitual?",
    }
    assert set(found["answer"]) == {"yes", "worse"}  # values compared by code stay as stored


def test_the_default_plan_is_named_and_shown_in_portuguese(pt, tmp_path):
    plan = Plan.default("2026-12-07")
    assert plan.name == "Os sete exercícios do artigo"
    assert plan.notes.startswith("As doses iniciais do catálogo")
    md = plan._repr_markdown_()
    assert md.startswith("**Os sete exercícios do artigo** (de backkit)\n\nA partir de 2026-12-07")
    assert "| exercício | séries | repetições | segundos | dias |" in md
    assert "| Ponte | 3 | 10 | 5 | seg, qua, sex |" in md
    assert plan.to_yaml().startswith("# Um plano de exercícios do backkit.")
    assert Plan.load(plan.save(tmp_path / "plano.yaml")) == plan  # its comments stay comments
    pt.setenv("BACKKIT_LANG", "en")
    assert Plan.default("2026-12-07").name == "The article's seven exercises"


def test_a_plan_error_names_the_field_in_portuguese(pt):
    with pytest.raises(PlanError) as err:
        Plan("x", items=["bridge"], days_per_week=9)
    assert str(err.value) == "Plan: campo 'days_per_week': 9 deve ser um número inteiro de 1 a 7"
    with pytest.raises(PlanError, match="aparece duas vezes"):
        PlanItem("bridge", weekdays=["mon", "monday"])


def test_the_calendar_events_speak_portuguese(pt):
    plan = Plan("Costas", items=["bridge", "knee-to-chest"], days_per_week=3, start="2026-12-07")
    event = ics.plan_calendar(plan).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Exercícios para as costas: Costas"
    description = str(event["DESCRIPTION"])
    assert "- Ponte: 3 séries de 10, sustentar 5 s" in description
    assert (
        "- Joelho ao peito (uma perna): 1 série de 2, sustentar 15 s, de cada lado" in description
    )
    assert "3 dias por semana: nos dias que forem melhores para você." in description
    alarm = event.walk("VALARM")[0]
    assert str(alarm["DESCRIPTION"]) == "Exercícios para as costas em 10 minutos: Costas"


def test_the_fhir_texts_are_portuguese_and_the_codes_are_not(pt):
    log = backkit.sample_log(weeks=1)
    data = fhir.bundle(log, plan=Plan("Costas", items=["bridge"], author="Dra. Ana"))
    resources = [e["resource"] for e in data["entry"]]
    pain = [r for r in resources if r["resourceType"] == "Observation"]
    notes = {r["note"][0]["text"] for r in pain}
    assert "Dor antes do exercício: Joelho ao peito (uma perna) (lado esquerdo)" in notes
    assert "Dor depois do exercício: Ponte" in notes
    assert not any("Pain" in n or "side" in n for n in notes)
    assert pain[0]["code"]["text"] == "Intensidade da dor (0-10)"
    assert pain[0]["code"]["coding"][0]["display"].startswith("Pain severity - 0-10")  # LOINC's
    care = next(r for r in resources if r["resourceType"] == "CarePlan")
    # the dose in the calendar's words (Plan.dose_text): one text for both
    assert care["activity"][0]["detail"]["description"] == "Ponte: 3 séries de 10, sustentar 5 s"
    assert care["note"][0]["text"].startswith("Prescrito por ")


def test_the_exercise_picture_is_captioned_in_portuguese(pt):
    fig = figure.plot_exercise("standing-hip-flexor-stretch")
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["Início", "Fim: sustentar 30 s"]
    texts = [t.get_text() for t in fig.texts]
    assert "sustentar 30 s · 2 vezes de cada lado · descanso de 10 s entre uma e outra" in texts
    assert any(t.startswith("Laranja-avermelhado: a parte que se move.") for t in texts)
    fig = figure.plot_exercise("squat")
    assert [ax.get_title(loc="left") for ax in fig.axes][1] == "Fim: 2 s descendo, 2 s subindo"


def test_the_lab_tutor_answers_in_portuguese(pt, capsys):
    def time_under_tension(exercise_id):
        return ...

    lab.check_time_under_tension(time_under_tension)
    assert capsys.readouterr().out.startswith("\u2026 time_under_tension: ainda sem resposta.")

    def time_under_tension(exercise_id):  # the student's second try
        return 1.5

    lab.check_time_under_tension(time_under_tension)
    assert "devolveu 1,5." in capsys.readouterr().out


def test_workspace_messages_count_notebooks_in_portuguese(pt):
    ws = workspace.Workspace(Path("/ws"), "9.9.9", created=("a.ipynb",), updated=("b", "c"))
    assert ws.messages() == [
        "1 notebook copiado para o seu espaço de trabalho /ws",
        "2 notebooks atualizados para o backkit 9.9.9",
    ]


def test_the_sample_plan_and_activities_are_portuguese(pt):
    assert (
        backkit.sample_plan().name
        == "Plano de exemplo: sete exercícios, força três dias por semana"
    )
    items = set(backkit.sample_checkins(weeks=1, custom=False)["item"].dropna())
    assert items == {
        "ficar sentado durante um filme",
        "calçar as meias",
        "carregar as compras",
        "caminhar 30 minutos",
    }
