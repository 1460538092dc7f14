"""Text that came from a person or a file is shown literally at every door.

Each renderer gets the same hostile strings: live HTML in Markdown, a
matplotlib formula in a chart label. Markdown escapes HTML in catalogue data
(``exercises.section_markdown``); every chart is drawn through
``charts.literal_text``, so no ``$...$`` in a name is read as mathematics.
"""

from __future__ import annotations

import shutil

import matplotlib.pyplot as plt
import pytest

import backkit
from backkit import caseload, charts, outcomes

HTML = "<img src=x onerror=alert(10)>"
MATH = r"ODI $\alph$ total"


def _texts(figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(plt.Text) if t.get_text()]


def test_catalogue_html_is_text_in_markdown(raw_catalogue, write_catalogue):
    data = raw_catalogue()
    entry = data["exercises"][3]
    entry["name"], entry["cautions"] = f"Bridge {HTML}", [f"Careful {HTML} & slow"]
    ex = backkit.get_exercise(entry["id"], path=write_catalogue(data))
    card = backkit.exercises.to_markdown(ex)
    assert "<img" not in card and "&lt;img src=x onerror=alert(10)&gt;" in card
    assert "- Careful &lt;img src=x onerror=alert(10)&gt; &amp; slow" in card


def test_a_formula_in_a_measure_name_is_drawn_as_written(tmp_path):
    log = backkit.SessionLog(":memory:")
    rows = backkit.sample_log(weeks=2)
    log.record_many(rows.astype(object).where(rows.notna(), None).to_dict("records"))
    for day, score in (("2025-02-17", 40), ("2025-03-02", 30)):
        outcomes.record_checkin(log, day, pain_average=5, baseline=day == "2025-02-17",
                                custom={"name": MATH, "score": score, "min": 0, "max": 100,
                                        "higher_is_better": False, "mcid": 10})  # fmt: skip
    fig = charts.plot_outcomes(log.frame(), outcomes.outcomes_frame(log))
    fig.savefig(tmp_path / "outcomes.png")  # a formula would fail here: unknown symbol \alph
    assert any(MATH in text for text in _texts(fig))


def test_a_formula_in_a_patient_file_name_is_drawn_as_written(tmp_path):
    folder = tmp_path / "clinic"
    folder.mkdir()
    shutil.copy(backkit.report.sample_paths()[0], folder / "Jane $\\alph$ Doe.csv")
    fig = caseload.plot_caseload(caseload.load_caseload(folder, as_of="2025-05-10"))
    fig.savefig(tmp_path / "caseload.png")
    assert "Jane $\\alph$ Doe" in _texts(fig)


@pytest.mark.parametrize("name", [n for n in charts.__all__ if n.startswith("plot_")])
def test_every_chart_takes_its_text_literally(name):
    # a new chart function without the rule fails here
    assert getattr(getattr(charts, name), "__wrapped__", None) is not None, name
