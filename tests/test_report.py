"""backkit.report: de-identification (pure functions) and real reports built with nbclient.

The report tests run the real clinician notebook in a real kernel and grep the
HTML (and PDF text) they produce for what must and must not be there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import backkit
from backkit import report
from backkit.log import SessionLog
from backkit.plan import Plan, PlanItem
from backkit.report import Privacy, ReportError

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CSV = REPO / "data" / "sample_sessions.csv"
SAMPLE_PLAN = REPO / "data" / "sample_plan.yaml"
NOTEBOOK = REPO / "notebooks" / "30_clinician_review.ipynb"
NOTE = "Jane Doe said the bridge felt easy after gardening with Tom"
N_CHARTS = 5  # adherence, calendar, pain trend, pain change, one exercise's history


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------
# Privacy: pure functions


class TestPrivacyOptions:
    def test_name_is_the_pseudonym_unless_a_real_name_is_given(self):
        assert Privacy("Patient A").name == "Patient A"
        assert Privacy("Patient A", real_name="Jane Doe").name == "Jane Doe"
        assert Privacy().name == "Patient"

    @pytest.mark.parametrize("bad", ["", "   ", "x" * 61, 7])
    def test_bad_pseudonym_names_the_field_and_value(self, bad):
        with pytest.raises(ReportError, match=rf"pseudonym = {re.escape(repr(bad))}"):
            Privacy(bad)

    @pytest.mark.parametrize("bad", ["abc", 1.5, True, 40_000, -40_000])
    def test_bad_date_shift_names_the_field_and_value(self, bad):
        with pytest.raises(ReportError, match=r"date_shift = .*whole number of days"):
            Privacy("P", date_shift=bad)

    def test_date_shift_as_text_is_read_as_days(self):
        assert Privacy("P", date_shift=" -14 ").date_shift == -14

    def test_bad_redact_word(self):
        with pytest.raises(ReportError, match="redact: '' is not a word"):
            Privacy("P", redact=["Jane", ""])


class TestPrivacyText:
    def test_names_are_replaced_whole_words_any_case_parts_too(self):
        p = Privacy("P", redact=["Jane Doe"])
        assert p.text("JANE DOE rang; jane came; Doe's knee") == "P rang; P came; P's knee"

    def test_a_file_style_name_matches_the_spoken_name(self):
        assert Privacy("P", redact=["jane_doe"]).text("Jane Doe and jane_doe") == "P and P"

    def test_no_replacement_inside_other_words(self):
        assert Privacy("P", redact=["Ann"]).text("planning with Ann, annual") == (
            "planning with P, annual"
        )

    def test_iso_dates_move_with_the_shift_and_non_dates_stay(self):
        p = Privacy("P", date_shift=10)
        assert p.text("seen 2025-02-25, not 2025-13-45") == "seen 2025-03-07, not 2025-13-45"

    def test_missing_values_pass_through(self):
        assert Privacy("P", redact=["x"]).text(None) is None
        assert Privacy("P").text(pd.NA) is pd.NA


@pytest.fixture(scope="module")
def sample():
    return backkit.sample_log(weeks=3)


class TestPrivacyLog:
    def test_every_time_moves_by_the_shift(self, sample):
        out = Privacy("P", date_shift=-30).log(sample)
        for column in ("started_at", "ended_at"):
            assert ((sample[column] - out[column]) == pd.Timedelta(days=30)).all()

    def test_the_input_frame_is_not_changed(self, sample):
        before = sample.copy()
        Privacy("P", date_shift=5, include_notes=True, redact=["sample"]).log(sample)
        pd.testing.assert_frame_equal(sample, before)

    def test_session_ids_with_dates_are_renumbered_in_time_order(self, sample):
        out = Privacy("P", date_shift=3).log(sample)
        assert not out["session_id"].str.contains("2025").any()
        firsts = out.groupby("session_id")["started_at"].min().sort_values()
        assert list(firsts.index) == [f"session-{n:03d}" for n in range(1, len(firsts) + 1)]
        # bouts of one sitting stay together
        pairs = set(zip(sample["session_id"], out["session_id"], strict=True))
        assert len(pairs) == sample["session_id"].nunique() == out["session_id"].nunique()

    def test_notes_are_left_out_by_default(self, sample):
        assert sample["notes"].notna().all()
        assert Privacy("P").log(sample)["notes"].isna().all()

    def test_notes_when_included_are_redacted(self, sample):
        frame = sample.assign(notes=pd.array([NOTE] * len(sample), dtype="string"))
        out = Privacy("Patient A", include_notes=True, redact=["Jane Doe", "Tom"]).log(frame)
        assert set(out["notes"]) == {
            "Patient A said the bridge felt easy after gardening with Patient A"
        }

    def test_dtypes_are_kept(self, sample):
        out = Privacy("P", date_shift=1).log(sample)
        assert out.dtypes.to_dict() == sample.dtypes.to_dict()


class TestPrivacyPlan:
    def test_dates_shift_weekdays_rotate_name_redacted_notes_dropped(self):
        plan = Plan(
            "Jane's plan",
            author="Dr Who",
            items=[PlanItem("bridge", reps=8)],
            weekdays=["mon", "fri"],
            start="2025-03-03",
            end="2025-03-30",
            notes="Call Jane on 2025-03-10",
        )
        out = Privacy("P", date_shift=2, redact=["Jane"]).plan(plan)
        assert out.name == "P's plan"
        assert out.author == "Dr Who"  # the clinician, not the patient
        assert (out.start, out.end) == (dt.date(2025, 3, 5), dt.date(2025, 4, 1))
        assert out.weekdays == ("wed", "sun")
        assert out.notes == ""
        assert out.items == plan.items
        kept = Privacy("P", date_shift=2, include_notes=True, redact=["Jane"]).plan(plan)
        assert kept.notes == "Call P on 2025-03-12"

    def test_no_plan(self):
        assert Privacy("P").plan(None) is None

    def test_adherence_is_the_same_after_any_shift(self, sample):
        plan = Plan("MWF", items=["bridge", "squat"], weekdays=["mon", "wed", "fri"],
                    start=sample["started_at"].min().date())  # fmt: skip
        before = backkit.adherence(sample, plan).attrs["overall"]
        for shift in (3, 7, -11):
            p = Privacy("P", date_shift=shift)
            after = backkit.adherence(p.log(sample), p.plan(plan)).attrs["overall"]
            assert after == pytest.approx(before), shift


class TestPrivacyOutcomes:
    def test_checkins_shift_and_lose_ids_and_notes(self):
        from backkit.sample import sample_checkins

        checkins = sample_checkins(weeks=3)
        out = Privacy("P", date_shift=7, redact=["shopping"]).outcomes(checkins)
        assert ((out["date"] - checkins["date"]) == pd.Timedelta(days=7)).all()
        assert set(out["checkin_id"]) == {"checkin-001", "checkin-002", "checkin-003"}
        assert out["notes"].isna().all()
        assert not out["item"].dropna().str.contains("shopping").any()
        assert Privacy("P").outcomes(None) is None


# --------------------------------------------------------------------------
# Inputs


class TestReadLog:
    def test_missing_file(self, tmp_path):
        with pytest.raises(ReportError, match=r"nope\.csv: no such file"):
            report.read_log(tmp_path / "nope.csv")

    def test_bad_row_names_the_file_and_row(self, tmp_path):
        bad = tmp_path / "visit.csv"
        bad.write_text("exercise_id,pain_after\nbridge,2\nbridge,12\n")
        with pytest.raises(backkit.LogValidationError, match=r"file visit\.csv, row 3: pain_after"):
            report.read_log(bad)

    def test_not_a_log(self, tmp_path):
        other = tmp_path / "notes.docx"
        other.write_bytes(b"PK\x03\x04")
        with pytest.raises(ReportError, match="not a CSV file or a backkit log file"):
            report.read_log(other)

    def test_a_log_file_is_read_without_being_changed(self, tmp_path):
        path = tmp_path / "patient.sqlite"
        with SessionLog(path) as log:
            log.import_csv(SAMPLE_CSV)
        before = sha(path)
        frame, outcomes = report.read_log(path)
        assert len(frame) == 683
        assert outcomes is not None and outcomes.empty
        assert sha(path) == before
        assert [p.name for p in tmp_path.iterdir()] == ["patient.sqlite"]  # no lock files beside

    def test_sample_inputs(self):
        inputs = report.load_inputs(None)
        assert inputs.is_sample and inputs.plan.id == "sample-plan-seven-exercises-daily"
        assert len(inputs.outcomes) > 0  # the sample check-ins go with the sample log
        own = report.load_inputs(SAMPLE_CSV)
        assert own.plan is None and len(own.outcomes) == 0  # a CSV holds no check-ins


def test_chart_html_embeds_a_png_with_the_title_as_alt_text():
    out = report.chart_html(backkit.plot_pain_trend(backkit.sample_log(weeks=2)), sample=True)
    assert out.startswith('<img alt="Pain before exercise" src="data:image/png;base64,')


# --------------------------------------------------------------------------
# Real reports


@pytest.fixture(scope="module")
def jane(tmp_path_factory) -> Path:
    """The sample log exported under a patient's name, with her name in some notes."""
    folder = tmp_path_factory.mktemp("clinic")
    path = folder / "jane_doe.csv"
    frame = pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)
    frame.loc[frame.index[::40], "notes"] = NOTE
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def built(jane, tmp_path_factory):
    """One report with the default privacy: pseudonym only."""
    out = tmp_path_factory.mktemp("out") / "report.html"
    before = sha(jane)
    stream = io.StringIO()
    files = report.build(jane, plan=SAMPLE_PLAN, out=out, pseudonym="Patient A", progress=stream)
    assert sha(jane) == before  # the patient's file is only read
    return files, out.read_text(encoding="utf-8"), stream.getvalue()


def code_lines(nb_path: Path = NOTEBOOK) -> list[str]:
    """One distinctive line of every code cell of the notebook."""
    nb = nbformat.read(nb_path, as_version=4)
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            body = [line for line in cell.source.splitlines() if line.strip()]
            body = [line for line in body if not line.lstrip().startswith(("#", "%"))]
            lines.append(max(body, key=len))
    return lines


class TestReport:
    def test_writes_one_html_file(self, built):
        files, text, _ = built
        assert [p.suffix for p in files] == [".html"]
        assert text.startswith("<!DOCTYPE html>")

    def test_every_chart_is_an_embedded_png(self, built):
        _, text, _ = built
        images = re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,', text)
        assert len(images) == N_CHARTS
        assert "Exercises done per week vs plan" in images
        assert "Pain before exercise" in images
        assert "Immediate effect of each exercise" in images
        assert not re.search(r"<img[^>]+src=\"(?!data:)", text)

    def test_nothing_is_fetched_from_elsewhere(self, built):
        _, text, _ = built
        assert not re.search(r"<script[^>]+src=", text)
        assert not re.search(r"<link[^>]+href=\"http", text)
        assert "mathjax" not in text.lower()

    def test_no_code_cell_appears(self, built):
        _, text, _ = built
        for line in code_lines():
            assert html.escape(line.strip(), quote=False) not in text, line
        from bs4 import BeautifulSoup  # nbconvert's own HTML parser

        soup = BeautifulSoup(text, "html.parser")
        code_cells = soup.select("div.jp-CodeCell")
        assert len(code_cells) >= N_CHARTS
        assert not [cell for cell in code_cells if cell.select(".jp-InputArea, .jp-Editor")]
        assert not re.search(r"In&nbsp;\[\d*\]", text)

    def test_no_real_name_no_file_name_no_notes(self, built, jane):
        _, text, _ = built
        # the page's words, not its charts' base64 (where "jane" can turn up by chance)
        lowered = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", text).lower()
        for word in ("jane", jane.stem, "gardening with tom", str(jane.parent).lower()):
            assert word not in lowered, word
        assert not re.search(r"\bdoe\b", lowered)  # "doesn't" in the page's CSS is fine
        assert "backkit-report-" not in text  # nor the working folder the notebook ran in
        assert "Back exercise review: Patient A" in text
        assert "<title>Back exercise review: Patient A</title>" in text

    def test_sections_and_annotation_space_but_not_the_worked_example(self, built):
        _, text, _ = built
        for heading in ("1. Adherence", "2. Pain response against the MCID",
                        "3. Pain-monitoring flags", "4. Exercise-level effects",
                        "Clinician's notes", "Next plan"):  # fmt: skip
            assert heading in text, heading
        assert "Assessment:" in text
        assert "Worked example" not in text  # tagged bk-example: about the sample only
        assert "Export" not in re.sub(r"<style.*?</style>", "", text, flags=re.S)

    def test_numbers_come_from_the_log(self, built):
        _, text, _ = built
        assert "72 sessions on 64 days" in text
        assert "17 Feb 2025 to 7 May 2025" in text
        assert "a clinically meaningful improvement" in text
        assert "Prepared with backkit" in text

    def test_progress_bar_names_each_step(self, built):
        _, _, progress = built
        lines = progress.strip().splitlines()
        assert [re.sub(r"^\[[#.]+\] ", "", line) for line in lines[:3]] == [
            "0/4 reading the log",
            "1/4 running the clinician notebook",
            "2/4 writing the HTML report",
        ]
        assert re.match(r"\[#+\] 4/4 wrote report\.html \(\d+\.\d s\)", lines[-1])


def test_notes_included_redacted_and_dates_shifted(jane, tmp_path):
    out = tmp_path / "shifted.html"
    report.build(jane, plan=SAMPLE_PLAN, out=out, pseudonym="Patient A", date_shift=7,
                 include_notes=True, redact=["Jane Doe", "Tom"], progress=False)  # fmt: skip
    text = out.read_text()
    assert "jane" not in text.lower() and not re.search(r"\btom\b", text.lower())
    # every date moved a week: the period, the weekly table, no original first day
    assert "24 Feb 2025 to 14 May 2025" in text
    assert "17 Feb 2025" not in text and "2025-02-17" not in text
    assert "all dates shifted by a fixed number of days" in text
    assert "Prepared with backkit 0.1.0." in text  # no date of making: it would date the shift
    # the notes are shown, redacted
    assert "The patient&#39;s notes" in text or "The patient's notes" in text
    assert "Patient A said the bridge felt easy after gardening with Patient A" in text


def test_the_real_name_appears_when_given(jane, tmp_path):
    out = tmp_path / "named.html"
    report.build(jane, out=out, pseudonym="Patient A", real_name="Jane Doe", progress=False)
    text = out.read_text()
    assert "Back exercise review: Jane Doe" in text
    assert "named (real name shown on request)" in text
    assert "Plan:</strong> none given" in text  # no --plan: adherence as days exercised
    assert len(re.findall(r'src="data:image/png;base64,', text)) == N_CHARTS


def test_a_log_file_with_checkins_adds_the_outcomes_chart(tmp_path):
    from backkit.sample import record_sample_checkins

    path = tmp_path / "patient.sqlite"
    with SessionLog(path) as log:
        log.import_csv(SAMPLE_CSV)
        record_sample_checkins(log, weeks=12, seed=0, profile="improving")
    before = sha(path)
    out = tmp_path / "r.html"
    report.build(path, plan=SAMPLE_PLAN, out=out, pseudonym="P", progress=False)
    text = out.read_text()
    images = re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,', text)
    assert len(images) == N_CHARTS + 1
    assert images[-1].startswith("Outcome measures since the baseline of 17 Feb 2025")
    assert "PSFS (mean) 3.5 → 7.8 (improved)" in text
    assert sha(path) == before


def test_plan_out_saves_the_next_plan(tmp_path):
    plan_file = tmp_path / "for-patient.yaml"
    files = report.build(None, out=tmp_path / "r.html", plan_out=plan_file, progress=False)
    assert files == [tmp_path / "r.html", plan_file]
    plan = Plan.load(plan_file)
    assert plan.start == max(dt.date(2025, 5, 8), dt.date.today())
    assert [i.exercise_id for i in plan.items] == list(backkit.exercise_ids())


class TestBuildErrors:
    def test_output_must_be_html_and_nothing_is_written(self, tmp_path):
        with pytest.raises(ReportError, match=r"output file '.*report\.pdf': give an \.html"):
            report.build(SAMPLE_CSV, out=tmp_path / "report.pdf", progress=False)
        assert list(tmp_path.iterdir()) == []

    def test_next_plan_with_a_date_shift_is_refused(self, tmp_path):
        with pytest.raises(ReportError, match="with a date shift would give the patient"):
            report.build(SAMPLE_CSV, out=tmp_path / "r.html", date_shift=7,
                         plan_out=tmp_path / "p.yaml", progress=False)  # fmt: skip
        assert list(tmp_path.iterdir()) == []

    def test_bad_plan_names_the_file(self, tmp_path):
        plan = tmp_path / "plan.yaml"
        plan.write_text("name: x\nexercises: [{id: brige}]\n")
        with pytest.raises(backkit.PlanError, match=r"plan\.yaml.*'brige'"):
            report.build(SAMPLE_CSV, plan=plan, out=tmp_path / "r.html", progress=False)
        assert not (tmp_path / "r.html").exists()

    def test_pdf_without_chromium_fails_first_with_a_clear_message(self, tmp_path, monkeypatch):
        # no Chromium on this machine is simulated by the lookup finding none
        monkeypatch.setattr(report, "find_chromium", lambda: None)
        with pytest.raises(ReportError, match=r"no Chromium for the PDF.*apt-get install chromium"):
            report.build(SAMPLE_CSV, out=tmp_path / "r.html", pdf=True, progress=False)
        assert list(tmp_path.iterdir()) == []

    def test_a_notebook_without_parameters_cell(self, tmp_path):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
        path = tmp_path / "mine.ipynb"
        nbformat.write(nb, path)
        with pytest.raises(ReportError, match="no cell tagged 'parameters'"):
            report.build(None, out=tmp_path / "r.html", notebook=path, progress=False)


def test_pdf_with_the_system_chromium(jane, tmp_path):
    if report.find_chromium() is None:
        if os.environ.get("BACKKIT_REQUIRE_BROWSER") == "1":
            pytest.fail("BACKKIT_REQUIRE_BROWSER=1 but no Chromium found")
        pytest.skip("no Chromium (set BACKKIT_REQUIRE_BROWSER=1 to make this an error)")
    out = tmp_path / "r.html"
    files = report.build(jane, plan=SAMPLE_PLAN, out=out, pseudonym="Patient A", pdf=True,
                         progress=False)  # fmt: skip
    pdf = out.with_suffix(".pdf")
    assert files == [out, pdf]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 50_000
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) missing: PDF text not checked")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "Back exercise review: Patient A" in text
    assert "Pain-monitoring flags" in text
    assert "jane" not in text.lower() and "report.Privacy(" not in text
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages)[1]) >= 4


class TestWholeLog:
    """A report reads every committed row of a log file, and says so when there is none."""

    def test_rows_still_in_the_write_ahead_log_are_reported(self, tmp_path):
        import datetime as dt

        folder = tmp_path / "patient"
        folder.mkdir()
        path = folder / "log.sqlite"
        writer = SessionLog(path)  # a notebook that still has the log open
        for day in range(3):
            writer.record(exercise_id="bridge", started_at=dt.datetime(2025, 3, 3 + day, 8))
        wal = folder / "log.sqlite-wal"
        assert wal.stat().st_size > 0  # the rows are in the -wal, not yet in the main file
        # the -shm is SQLite's shared index, which every reader updates: not data
        data = ("log.sqlite", "log.sqlite-wal")
        before = {name: (folder / name).read_bytes() for name in data}
        out = tmp_path / "r.html"
        report.build(path, out=out, pseudonym="P", progress=False)
        text = out.read_text()
        assert "<strong>Log:</strong> 3 sessions on 3 days, 3 Mar 2025 to 5 Mar 2025" in text
        assert {name: (folder / name).read_bytes() for name in data} == before
        assert sorted(p.name for p in folder.iterdir()) == sorted([*data, "log.sqlite-shm"])
        writer.close()

    def test_an_empty_log_gives_a_report_that_says_so(self, tmp_path):
        path = tmp_path / "log.sqlite"
        SessionLog(path).close()
        out = tmp_path / "r.html"
        report.build(path, out=out, pseudonym="P", progress=False)
        text = out.read_text()
        assert "<strong>Log:</strong> no exercise sessions logged yet." in text
        assert "No outcome check-ins in this log." in text
        assert not re.search(r"\bnan\b|&lt;NA&gt;|<NA>", text)
