"""The reports, the next-plan review and the outcome summaries come in Portuguese.

Each test switches ``$BACKKIT_LANG`` in this one process, so it also proves the
words are translated when they are shown, not when a module is imported: the
same function speaks English again once the variable is gone. The data are the
fixed sample (dates of its own) and the clock is pinned where a date is shown.
No notebook is run: :func:`backkit.report.document` and
:func:`backkit.report.render_html` are what :func:`backkit.report.build` writes.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

import backkit
from backkit import outcomes
from backkit.errors import CheckInError, ReportError
from backkit.plan import Plan, PlanItem
from backkit.report import Document, Privacy, Review, Section, Table, Text, document, render_html
from backkit.review import propose_next
from backkit.sample import sample_checkins


@pytest.fixture(scope="module")
def sample_review() -> Review:
    return Review.load(None)


def _titles(doc: Document) -> list[str]:
    return [s.title for s in doc.sections]


def test_the_page_speaks_the_kits_language_then_english_again(monkeypatch):
    doc = Document(
        "T",
        (Text("x", "Sample data."),),
        (Section("S", (Table(("a",), ()),)),),
    )
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    page = render_html(doc)
    assert '<html lang="pt-BR">' in page
    # the template's own words: a table without rows
    assert '<p class="empty">Nada para mostrar ainda.</p>' in page
    monkeypatch.setenv("BACKKIT_LANG", "pt-PT")
    monkeypatch.delenv("BACKKIT_REGION")  # the tests' own GB; the tag's country decides
    assert '<html lang="pt-PT">' in render_html(doc)
    monkeypatch.delenv("BACKKIT_LANG")
    page = render_html(doc)
    assert '<html lang="en-GB">' in page
    assert '<p class="empty">Nothing to show yet.</p>' in page
    assert '<p class="sample"><strong>Sample data.</strong> x</p>' in page


def test_the_sample_line_is_highlighted_in_portuguese(monkeypatch, sample_review, pin_today):
    pin_today("2025-06-01T12:00+00:00")
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    page = render_html(document(sample_review, "patient"))
    assert '<p class="sample"><strong>Dados de exemplo.</strong> Este é o registro' in page
    assert "Preparado com o backkit" in page and "1 de jun. de 2025" in page


def test_the_patients_report_in_portuguese(monkeypatch, sample_review):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    doc = document(sample_review, "patient")
    assert doc.title == "Revisão dos seus exercícios para as costas"
    assert _titles(doc) == [
        "Como foi",
        "Seu plano para as próximas quatro semanas",
        "Como começar seu novo plano",
        "Quando parar e procurar ajuda",
    ]
    how_it_went = doc.sections[0].blocks[0].text
    assert re.fullmatch(
        r"Você se exercitou em \d+ dias entre .+ e .+ \(\d+ sessões no total\)\.", how_it_went
    )
    table = doc.sections[1].blocks[1]
    assert table.headers[:2] == ("Exercício", "Quanto")
    assert table.headers[2:] == ("seg.", "ter.", "qua.", "qui.", "sex.", "sáb.", "dom.")
    # a dose as the patient reads it: sets, repetitions and the hold, in words
    assert any(
        re.fullmatch(r"\d+ séries? de \d+(, sustentar \d+ s)?", row[1]) for row in table.rows
    )
    monkeypatch.delenv("BACKKIT_LANG")
    assert _titles(document(sample_review, "patient"))[0] == "How it went"


def test_the_clinicians_report_in_portuguese(monkeypatch, sample_review):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    doc = document(sample_review, "clinician")
    assert doc.title == "Revisão dos exercícios para as costas: Patient"
    titles = _titles(doc)
    assert titles[:5] == [
        "Respostas sobre sinais de alerta",
        "Resumo",
        "Dor antes do exercício ao longo do tempo",
        "Adesão",
        "Próximo plano",
    ]
    assert "2. Dor em relação à mudança mínima importante (MIC)" in titles
    assert "Termos usados neste relatório" in titles
    pain = next(s for s in doc.sections if s.title.startswith("2. "))
    # the baseline with the decimal comma, and the MIC's rule in words
    assert re.search(
        r"Dor inicial \(primeiros 7 dias\): \d,\d/10\. MIC: uma queda", pain.blocks[0].text
    )
    header = {line.lead: line.text for line in doc.header}
    assert header["Privacidade:"] == (
        "identificado por um pseudônimo; datas como registradas; texto livre omitido."
    )
    # the streaks sentence still leaves the summary for section 1 (it is found in any language)
    adherence = next(s for s in doc.sections if s.title == "1. Adesão por exercício")
    summary = next(s for s in doc.sections if s.title == "Resumo")
    assert all("{" not in b.text for b in summary.blocks)
    assert adherence.blocks[0].text.startswith("De ")


def test_report_errors_in_portuguese(monkeypatch, sample_review):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    with pytest.raises(
        ReportError, match="audience = 'nobody': informe um destes: clinician, patient"
    ):
        document(sample_review, "nobody")
    with pytest.raises(ReportError, match="redact: '' não é uma palavra a ocultar"):
        Privacy("P", redact=("",))


def test_privacy_words_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    assert Privacy("P").text("escreva para ana@example.org") == "escreva para [e-mail removido]"
    checkins = sample_checkins(weeks=2)
    kept = Privacy("P").outcomes(checkins)
    assert kept is not None
    activities = kept.loc[kept["measure"] == "psfs", "item"].dropna().unique().tolist()
    assert activities and all(re.fullmatch(r"Atividade \d", a) for a in activities)


def test_the_next_plan_says_what_and_why_in_portuguese(monkeypatch):
    log, plan = backkit.sample_log(weeks=12, profile="improving"), backkit.sample_plan()
    day = log["started_at"].max().date() + dt.timedelta(days=1)  # fresh data
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    proposal = propose_next(log, plan, today=day)
    assert (
        proposal.plan.name
        == f"Exercícios para as costas a partir de {backkit.config.day_text(day)}"
    )
    assert proposal.plan.name.endswith(" de 2025")
    assert proposal.plan.notes.startswith("Mudanças após a revisão: ")
    whys = [c.why for c in proposal.changes]
    assert all(
        w.startswith(("feito em ", "a dor ", "foi sinalizado", "não registrado")) for w in whys
    )
    # strength work is moved off consecutive days, said with the full day names
    squat = propose_next(log, Plan("p", items=(PlanItem("squat"),)), today=day).changes[0].what
    assert squat.endswith(
        "só em segunda-feira, quarta-feira e sexta-feira "
        "(trabalho de força: pelo menos um dia de descanso entre as sessões)"
    )
    monkeypatch.delenv("BACKKIT_LANG")
    again = propose_next(log, plan, today=day)
    assert again.plan.notes.startswith("Changes after the review: ")


def test_the_outcome_summary_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    empty = outcomes.summary_line(sample_checkins().iloc[0:0])
    assert empty.startswith("Ainda não há check-ins: seu primeiro check-in é o valor inicial")
    line = outcomes.summary_line(sample_checkins())
    assert re.match(r"Desde o valor inicial em \d+ de \w+\. de \d{4} \(\d+ semanas\): ", line)
    assert "(melhorou)" in line


def test_a_refused_check_in_says_why_in_portuguese(monkeypatch, log, pin_today):
    pin_today("2025-03-10T12:00+00:00")
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    with pytest.raises(CheckInError) as refused:
        outcomes.record_checkin(log, "2025-03-03", pain_average=6, pain_worst=4)
    said = str(refused.value)
    assert "O check-in não foi salvo (nada foi gravado):" in said
    assert "a pior dor da semana é pelo menos a média dela" in said
    assert outcomes.outcomes_frame(log).empty  # nothing stored
