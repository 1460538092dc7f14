"""Tests for backkit.logfiles: CSV and Excel files of the log (read and written)."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from backkit.errors import LogError, LogValidationError
from backkit.logfiles import read_csv, rejected, write_csv, write_excel

COLUMNS = ["exercise_id", "pain_after", "notes"]


def test_write_csv_keeps_offsets_floats_and_missing_values(tmp_path):
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-03-31 00:30", None]).tz_localize("Europe/Paris"),
            "hold": pd.array([4.123456789, None], dtype="Float64"),
            "notes": pd.array(['a, "b"\nc', None], dtype="string"),
        }
    )
    (tmp_path / "x").mkdir()
    out = write_csv(frame, tmp_path / "x" / "f.csv")
    back = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert back.to_dict("list") == {
        "when": ["2024-03-31T00:30:00.000000+01:00", ""],
        "hold": ["4.123456789", ""],
        "notes": ['a, "b"\nc', ""],
    }


def test_read_csv_labels_rows_like_a_spreadsheet(tmp_path):
    file = tmp_path / "f.csv"
    file.write_text("exercise_id,pain_after\nbridge,2\n\nsquat\n")
    table = read_csv(file, COLUMNS, required=["exercise_id"])
    assert table.total == 3
    assert table.rows == [("file f.csv, row 2", {"exercise_id": "bridge", "pain_after": "2"})]
    assert [str(p) for p in table.problems] == [
        "file f.csv, row 4: row = 'squat': has 1 cells; the header has 2"
    ]


def test_every_header_problem_is_named_at_once(tmp_path):
    file = tmp_path / "f.csv"
    file.write_text("pain_aftr,notes,notes\n1,a,b\n")
    with pytest.raises(LogValidationError) as info:
        read_csv(file, COLUMNS, required=["exercise_id"])
    assert str(info.value).splitlines() == [
        "1 of 1 row rejected; nothing was written:",
        "file f.csv, row 1 (header): column = 'pain_aftr': is not a log column. "
        "Did you mean 'pain_after'?",
        "file f.csv, row 1 (header): column = 'exercise_id': is required",
        "file f.csv, row 1 (header): column = ['notes']: appears more than once",
    ]


def test_rejected_counts_rows_not_problems():
    from backkit.errors import Problem

    problems = [Problem("row 2", "a", 1, "x"), Problem("row 2", "b", 1, "y")]
    assert rejected(5, problems) == "1 of 5 rows rejected; nothing was written:"


def test_excel_without_xlsxwriter_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)  # import xlsxwriter now fails
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(LogError, match="Excel export needs xlsxwriter: pip install xlsxwriter"):
        write_excel(frame, tmp_path / "x.xlsx", meanings={}, tz="UTC")
    assert list(tmp_path.iterdir()) == []
