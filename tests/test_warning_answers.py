"""Warning-sign answers in front of the clinician, on every path out.

A "yes" to a red-flag screening question, pain spreading below the knee or a
worse morning after, recorded in a patient's log, is listed first in the
clinician report (HTML and the PDF's first page) and ranks the patient first
in the caseload, with the reason in words. A later all-no screening does not
hide it (backkit.safety.warning_answers is the one rule; these are its doors).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import backkit
from backkit import caseload, outcomes, report, safety

SAMPLE_CSV = Path(backkit.__file__).parent / "data" / "sample_sessions.csv"
SADDLE = next(q for q in safety.screening_questions() if q.id == "saddle_numbness")


def write_log(path: Path, *, weeks: int, seed: int, warning: bool) -> Path:
    with backkit.SessionLog(path) as log:
        rows = backkit.sample_log(weeks=weeks, seed=seed)
        log.record_many(rows.astype(object).where(rows.notna(), None).to_dict("records"))
        if warning:
            outcomes.record_screening(log, {"saddle_numbness": True, "fever": False},
                                      action="emergency", when="2025-02-20 09:00")  # fmt: skip
            outcomes.record_screening(log, {"saddle_numbness": False, "fever": False},
                                      action="none", when="2025-02-27 09:00")  # fmt: skip
            outcomes.record_checkin(log, "2025-03-03", pain_average=4, below_knee=True,
                                    next_morning="worse")  # fmt: skip
    return path


class TestTheRule:
    def test_a_later_all_no_screening_does_not_hide_a_yes(self, tmp_path):
        with backkit.SessionLog(write_log(tmp_path / "p.sqlite", weeks=1, seed=0, warning=True),
                                create=False) as log:  # fmt: skip
            found = safety.warning_answers(outcomes.screenings_frame(log),
                                           outcomes.checkins_frame(log))  # fmt: skip
        assert found[["action", "answer"]].values.tolist() == [
            ["emergency", "yes"], ["clinician", "yes"], ["do less", "worse"],
        ]  # fmt: skip
        assert found["question"].tolist()[0] == SADDLE.ask
        assert found["advice"].iloc[0] == safety.screening_advice("emergency")
        assert [d.isoformat() for d in found["date"]] == ["2025-02-20", "2025-03-03", "2025-03-03"]

    def test_nothing_answered_yes_is_an_empty_table_with_the_columns(self):
        log = backkit.SessionLog(":memory:")
        outcomes.record_screening(log, {"saddle_numbness": False}, action="none")
        found = safety.warning_answers(outcomes.screenings_frame(log), outcomes.checkins_frame(log))
        assert found.empty and tuple(found.columns) == safety.WARNING_COLUMNS


class TestClinicianReport:
    def test_the_report_opens_with_the_answers_most_serious_first(self, tmp_path):
        path = write_log(tmp_path / "p.sqlite", weeks=3, seed=0, warning=True)
        out = tmp_path / "r.html"
        report.build(path, out=out, pseudonym="Patient A", progress=False)
        doc = report.document(report.Review.load(path))
        assert doc.sections[0].title == "Warning-sign answers" and doc.sections[0].boxed
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", out.read_text()))
        first = text.index("Warning-sign answers")
        assert first < text.index("Summary")
        shown = text[first:text.index("Summary")]
        assert f"20 Feb 2025 {SADDLE.ask} yes emergency: Do not exercise. Call 999" in shown
        assert shown.index("emergency") < shown.index("do less")
        assert "below your knee" in shown and "morning after exercising? worse" in shown

    def test_a_shifted_report_shifts_the_answers_dates_too(self, tmp_path):
        path = write_log(tmp_path / "p.sqlite", weeks=3, seed=0, warning=True)
        review = report.Review.load(path, privacy=report.Privacy(date_shift=10))
        assert review.warnings[0]["date"].iloc[0].isoformat() == "2025-03-02"

    @pytest.mark.slow  # over 2.5 s: make check leaves it to make test

    def test_the_pdf_shows_them_on_page_1(self, tmp_path):
        if shutil.which("pdftotext") is None or report.find_chromium() is None:
            pytest.skip("needs Chromium and poppler-utils (CI installs both)")
        path = write_log(tmp_path / "p.sqlite", weeks=3, seed=0, warning=True)
        report.build(path, out=tmp_path / "r.html", pseudonym="Patient A", pdf=True, progress=False)
        page1 = subprocess.run(["pdftotext", "-l", "1", str(tmp_path / "r.pdf"), "-"],
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
        page1 = re.sub(r"\s+", " ", page1)
        assert "Warning-sign answers" in page1 and "emergency: Do not exercise" in page1

    @pytest.mark.parametrize(
        ("source", "said"),
        [
            ("csv", "Not known from this file (a CSV export carries no screenings"),
            ("clean", "No warning-sign screening is recorded in this log: ask the questions."),
        ],
    )
    def test_without_answers_it_says_what_is_known(self, tmp_path, source, said):
        path = write_log(tmp_path / "p.sqlite", weeks=1, seed=0, warning=source == "csv")
        if source == "csv":  # the same log, with its warning sign, as a CSV export of its bouts
            with backkit.SessionLog(path, create=False) as log:
                log.frame().assign(notes="own log").to_csv(tmp_path / "p.csv", index=False)
            path = tmp_path / "p.csv"
        section = report.document(report.Review.load(path)).sections[0]
        assert section.title == "Warning-sign answers"
        assert section.blocks[0].text.startswith(said)


class TestCaseload:
    def test_a_patient_with_an_emergency_answer_ranks_first_with_the_reason(self, tmp_path):
        folder = tmp_path / "clinic"
        folder.mkdir()
        # P01 stopped long ago and answered yes once; P02 exercises with pain flags now
        write_log(folder / "P01.sqlite", weeks=3, seed=0, warning=True)
        write_log(folder / "P02.sqlite", weeks=8, seed=1, warning=False)
        view = caseload.load_caseload(folder, plan=backkit.sample_plan(), as_of="2025-04-13")
        table = view.table()
        assert table["Patient"].tolist() == ["P01", "P02"]
        flags = table.loc[0, "Flags"]
        assert flags.startswith(f"WARNING SIGN (emergency, 20 Feb 2025): {SADDLE.ask} yes")
        # the other flags still follow: P01 stopped over 4 weeks ago, so its data are stale
        assert "stale data: the newest session is 5 weeks old" in flags
        assert "WARNING SIGN" not in table.loc[1, "Flags"]
        assert "warning-sign answers first" in view.to_text()

    def test_a_csv_export_has_none_to_show(self, tmp_path):
        folder = tmp_path / "clinic"
        folder.mkdir()
        shutil.copy(SAMPLE_CSV, folder / "P03.csv")
        view = caseload.load_caseload(folder, as_of="2025-05-10")
        assert not view.patients[0].warnings and isinstance(view.table(), pd.DataFrame)


class TestAnUnresolvedYesInTheReports:
    """A "yes" with no clearance: the patient's report leads with what to do and gives no plan."""

    def _log(self, tmp_path, *, cleared: bool):
        import datetime as dt

        from backkit import config, outcomes

        path = tmp_path / "p.sqlite"
        with backkit.SessionLog(path) as log:
            day = config.today() - dt.timedelta(days=3)
            log.record(exercise_id="bridge", started_at=f"{day}T09:00:00+00:00",
                       pain_before=3, pain_after=3)  # fmt: skip
            answers = {q.id: q.id == "fever" for q in backkit.safety.screening_questions()}
            outcomes.record_screening(log, answers, action="urgent", when=f"{day}T08:00:00+00:00")
            if cleared:
                outcomes.record_clearance(log, seen_on=config.today(), seen_by="gp")
        return path

    def test_the_patient_report_leads_with_the_advice_and_no_plan(self, tmp_path):
        review = report.Review.load(self._log(tmp_path, cleared=False))
        assert [u.yes for u in review.unresolved] == [("fever",)]
        sections = report.document(review, "patient").sections
        titles = [s.title for s in sections]
        assert titles[0] == "Before you exercise again" and sections[0].boxed
        assert "Your plan for the next four weeks" not in titles
        assert "How to start your new plan" not in titles
        clinician = report.document(review, "clinician").sections
        box = next(s for s in clinician if s.title == "Warning-sign answers")
        assert box is clinician[0] and any(
            getattr(b, "lead", "") == "Not to be started yet:" for b in box.blocks
        )

    def test_after_a_clearance_the_plan_is_back(self, tmp_path):
        review = report.Review.load(self._log(tmp_path, cleared=True))
        assert review.unresolved == ()
        titles = [s.title for s in report.document(review, "patient").sections]
        assert "Your plan for the next four weeks" in titles
        assert "Before you exercise again" not in titles
