"""The charts, the caseload and the analysis' sentences come in Portuguese.

Each test switches ``$BACKKIT_LANG`` in this one process, so it also proves
the words are translated when they are shown, not when a module is imported:
the same function speaks English again once the variable is gone. The logs
are the fixed sample (dates of its own) and every day of the view is given.
"""

from __future__ import annotations

import datetime as dt

import pytest

import backkit
from backkit import analysis, charts
from backkit.caseload import Caseload, plot_caseload, summarise
from backkit.errors import AnalysisError
from backkit.sample import sample_checkins


def test_the_pain_chart_is_labelled_in_portuguese_then_in_english_again(monkeypatch):
    log = backkit.sample_log()
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    ax = charts.plot_pain_trend(log)
    assert ax.get_title() == "Dor antes do exercício"
    assert ax.get_ylabel() == "dor (END 0-10)"
    labels = ax.get_legend_handles_labels()[1]
    assert "média diária" in labels and "média de 7 dias" in labels
    # the baseline keeps its number, with the decimal comma
    assert [t for t in labels if t.startswith("valor inicial ")] == ["valor inicial 5,0"]
    monkeypatch.delenv("BACKKIT_LANG")
    ax = charts.plot_pain_trend(log)
    assert ax.get_title() == "Pain before exercise"
    assert "baseline 5.0" in ax.get_legend_handles_labels()[1]


def test_the_date_axis_names_the_months_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    ax = charts.plot_pain_trend(backkit.sample_log())
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "mar." in ticks and "Mar" not in ticks  # the sample runs February to May 2025


def test_the_pain_change_margin_counts_sessions_with_plural_and_comma(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    ax = charts.plot_pain_change(backkit.sample_log())
    assert ax.get_title() == "Dor antes e depois de cada exercício"
    margin = [t.get_text() for t in ax.texts]
    assert margin and all(t.endswith(" sessões)") for t in margin)
    assert all("," in t.split(" → ")[0] for t in margin)  # 4,3 → 4,1, not 4.3


def test_the_calendar_and_the_sample_stamp_are_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    ax = charts.plot_calendar(backkit.sample_log(), backkit.sample_plan())
    assert ax.get_title() == "Parte do plano de cada dia que foi feita"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["seg.", "qua.", "sex.", "dom."]
    charts.mark_sample(ax)
    assert [t.get_text() for t in ax.figure.texts] == ["DADOS DE EXEMPLO"]


def test_the_exercise_history_title_and_legend_are_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    ax = charts.plot_exercise_history(backkit.sample_log(), "bridge")
    assert ax.get_title().endswith(": os últimos 28 dias (dados de exemplo)")
    legend = ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["segundos feitos", "planejado", "dor antes", "dor depois"]


def test_the_outcome_panels_say_which_way_is_better_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    fig = charts.plot_outcomes(backkit.sample_log(), sample_checkins())
    titles = [a.get_title(loc="left") for a in fig.axes]
    assert titles[-1] == "Sessões de exercício por semana"
    assert all(t.endswith("  (mais baixo é melhor)") or t.endswith("  (mais alto é melhor)")
               for t in titles[:-1])  # fmt: skip
    assert "MDC 2 pontos" in [a.get_ylabel() for a in fig.axes]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0] == "valor inicial" and "melhorou" in legend


def test_a_wrong_argument_is_refused_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    with pytest.raises(AnalysisError, match="precisa ser um de: notebook, page"):
        charts.plot_dashboard(backkit.sample_log(), size="poster")


def _caseload(as_of: dt.date) -> Caseload:
    s = summarise("P01", backkit.sample_log(weeks=3), backkit.sample_plan(), as_of=as_of)
    return Caseload((s,), (), as_of)


def test_the_caseload_table_headings_flags_and_verdict_are_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    view = _caseload(dt.date(2025, 3, 20))
    patient = view.patients[0]
    # the verdict is kept as the kit's key (the flags compare it) and shown in Portuguese
    assert patient.verdict == "no meaningful change"
    assert patient.flags == ("sem sessão há 11 dias", "nenhuma melhora relevante após 2 semanas")
    table = view.table()
    assert list(table.columns)[:3] == ["Paciente", "Semanas registradas", "Adesão nesta semana"]
    assert table.iloc[0]["Mudança x valor inicial"] == "sem mudança relevante"
    text = view.to_text()
    assert text.splitlines()[0] == "Lista de pacientes em 20 de mar. de 2025: 1 paciente"
    assert "\nOrdem: respostas a sinais de alerta primeiro" in text
    monkeypatch.delenv("BACKKIT_LANG")
    assert view.table().iloc[0]["Change vs baseline"] == "no meaningful change"


def test_the_caseload_chart_counts_flags_in_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    fig = plot_caseload(_caseload(dt.date(2025, 3, 20)))
    # pain-monitoring flags: not "alertas", the word of the warning signs (sinais de alerta)
    assert fig.axes[0].get_title(loc="right") == "2 sinalizações"
    assert fig.get_suptitle().startswith("Adesão semanal (barras, %)")


def test_staleness_and_pain_flags_speak_portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    day = dt.date(2025, 3, 31)
    assert analysis.staleness(dt.date(2025, 2, 17), day) == "a sessão mais recente foi há 6 semanas"
    assert (
        analysis.staleness(dt.date(2025, 3, 2), day)
        == "a sessão mais recente foi há 4 semanas e 1 dia"
    )
    flags = analysis.pain_flags(backkit.sample_log(profile="flare-up"))
    rose = flags.loc[flags["kind"] == "rose-during", "message"].iloc[0]
    assert rose.startswith("A dor subiu de 3 para 5 durante ")
    assert rose.endswith("(a regra do kit: um aumento de 2 pontos ou mais significa menos "
                         "repetições ou uma amplitude menor da próxima vez).")  # fmt: skip
    monkeypatch.delenv("BACKKIT_LANG")
    flags = analysis.pain_flags(backkit.sample_log(profile="flare-up"))
    assert flags["message"].iloc[0].startswith("Pain rose from 3 to 5 during ")
