"""Issue 25: the damage checks cost almost nothing on a sound file, and guard as before.

The store checks a large result column by column (one vectorised pass per
column, no parse per time) and falls back to the cell-by-cell check only
when that pass finds something. These tests prove the fast check flags
exactly what the cell check flags (so every protection of test_faults.py
holds on large results too), that a sound file is never checked cell by
cell, that ``record()`` does not read its row back through the checks, and
that the Excel export streams (in chunks, nothing left behind) with its
cells escaped as before.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import stat
import sys
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backkit
from backkit import logfiles
from backkit import store as store_module
from backkit.errors import LogError, LogFileWarning
from backkit.log import BOUT_COLUMNS, COLUMNS, MEANINGS, SessionLog, conform
from backkit.store import (
    _cell_problem,
    _suspect_columns,
    _time_problem,
    from_utc_text,
    from_utc_texts,
    remove_stale_temp_files,
    scratch_folder,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and locks")

FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_OLD_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


def old_time_problem(value: str) -> str | None:
    """The time rule as it was before issue 25: a pattern, then strptime, then the years."""
    if not _OLD_TIME.fullmatch(value):
        return f"{value!r} is not a time"
    try:
        year = dt.datetime.strptime(value, FORMAT).year
    except ValueError:
        return f"{value!r} is not a time"
    if not 2000 <= year <= 2199:
        return f"{value!r} is not a time backkit writes (year {year})"
    return None


# near-misses of the stored form: each place a digit, a separator or a stray character
_PLACES = [
    *["0123456789"] * 4,
    "-/",
    *["0123456789"] * 2,
    "-",
    *["0123456789"] * 2,
    "Tt ",
    *["0123456789"] * 2,
    ":",
    *["0123456789"] * 2,
    ":",
    *["0123456789"] * 2,
    ".",
    *["0123456789"] * 6,
    "Zz",
]
near_times = st.builds(
    lambda chars, cut: "".join(chars)[: cut or None],
    st.tuples(*(st.sampled_from(p) for p in _PLACES)),
    st.sampled_from([0, 0, 0, 0, 26, 10]),
)
valid_times = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2210, 12, 31)
).map(lambda t: t.strftime(FORMAT))
times = st.one_of(valid_times, near_times, st.text(max_size=30))


@given(times)
@settings(max_examples=800)
def test_the_time_rule_is_the_old_one_without_strptime(text):
    assert _time_problem(text) == old_time_problem(text)


def test_digits_of_other_scripts_are_not_a_time():
    arabic = "٢٠٢٤-٠٥-٠١T08:00:00.000000Z"
    assert _time_problem(arabic) == old_time_problem(arabic) == f"{arabic!r} is not a time"
    assert from_utc_texts([arabic]) is None


@given(st.lists(st.one_of(st.none(), valid_times, times), max_size=12))
@settings(max_examples=400)
def test_times_read_at_once_agree_with_the_cell_rule(values):
    read = from_utc_texts(values)
    bad = [v for v in values if v is not None and _time_problem(v) is not None]
    assert (read is None) == bool(bad)
    if read is not None:
        expected = [
            "NaT" if v is None else str(np.datetime64(from_utc_text(v).replace(tzinfo=None), "us"))
            for v in values
        ]
        assert read.dtype == np.dtype("datetime64[us]")
        assert [str(x) for x in read] == expected


# what SQLite can give back: whole numbers (64-bit), finite floats, text, bytes, NULL
cells = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    valid_times,
    st.text(max_size=8),
    st.binary(max_size=4),
)


@given(
    st.sampled_from(["INTEGER", "REAL", "TEXT"]),
    st.booleans(),
    st.sampled_from(["pain", "removed_at"]),
    st.lists(cells, max_size=10),
)
@settings(max_examples=600)
def test_the_column_check_flags_exactly_what_the_cell_check_flags(kind, nullable, name, values):
    column = np.empty(len(values), dtype=object)
    column[:] = values
    exact = any(_cell_problem(v, kind, nullable, name) for v in values)
    assert _suspect_columns([column], [name], {name: (kind, nullable)}) == exact


def test_a_time_in_a_column_of_many_sound_ones_is_found():
    good = [
        dt.datetime(2024, 1, 1, 8, tzinfo=dt.timezone.utc) + dt.timedelta(hours=i)
        for i in range(500)
    ]
    column = np.array([t.strftime(FORMAT) for t in good], dtype=object)
    assert not _suspect_columns([column], ["started_at"], {"started_at": ("TEXT", False)})
    for bad in ("2024-04-31T08:00:00.000000Z", "2023-02-29T08:00:00.000000Z",
                   "2024-01-01T24:00:00.000000Z", "2024-01-01T08:00:60.000000Z",
                   "2024-01-01t08:00:00.000000Z", "1999-12-31T23:00:00.000000Z",
                   "2024-01-01T08:00:00.000000Z\x00", "2024-01-01T08:00:00.00000Z"):  # fmt: skip
        hurt = column.copy()
        hurt[250] = bad
        assert _suspect_columns([hurt], ["started_at"], {"started_at": ("TEXT", False)}), bad
    # one character short beside one too long: joined, they would look sound
    hurt = column.copy()
    hurt[250], hurt[251] = "2024-01-01T08:00:00.000000", "Z2024-01-01T08:00:00.000000Z"
    assert _suspect_columns([hurt], ["started_at"], {"started_at": ("TEXT", False)})
    hurt[250], hurt[251] = "2024-01-01T08:00:00.000000Z\n", "024-01-01T08:00:00.000000Z"
    assert _suspect_columns([hurt], ["started_at"], {"started_at": ("TEXT", False)})


# --------------------------------------------------------------------------
# On real files


def bout(i: int, **extra) -> dict:
    start = dt.datetime(2025, 1, 1, 8, tzinfo=dt.timezone.utc) + dt.timedelta(hours=i)
    return {"exercise_id": "bridge", "started_at": start, "session_id": f"s{i}", **extra}


@pytest.fixture
def big(path):
    """A log of 300 bouts (many rows: the column check), closed."""
    with SessionLog(path) as log:
        log.record_many([bout(i, notes=f"note {i}", pain_after=i % 11) for i in range(300)])
    return path


def damage(path, *statements):
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
    conn.close()


DAMAGE = (
    "UPDATE bouts SET sets_done = 'three' WHERE row_id = 10",
    "UPDATE bouts SET started_at = '2025-04-31T08:00:00.000000Z' WHERE row_id = 20",
    "UPDATE bouts SET hold_s_done = 'x' WHERE row_id = 30",
    "UPDATE bouts SET notes = CAST(X'FFFE41' AS TEXT) WHERE row_id = 250",
    "UPDATE bouts SET ended_at = '1999-01-01T08:00:00.000000Z' WHERE row_id = 290",
)
NAMED = [
    "table bouts, row 10, column sets_done: 'three' is not a whole number",
    "table bouts, row 20, column started_at: '2025-04-31T08:00:00.000000Z' is not a time",
    "table bouts, row 30, column hold_s_done: 'x' is not a number",
    "table bouts, row 250, column notes: is not UTF-8 text",
    "table bouts, row 290, column ended_at: '1999-01-01T08:00:00.000000Z' is not a time "
    "backkit writes (year 1999)",
]


def test_damaged_cells_in_a_large_read_are_left_out_and_named(big, tmp_path):
    damage(big, *DAMAGE)
    with pytest.warns(LogFileWarning) as caught, SessionLog(big) as log:
        frame = log.frame(ids=True)
        rows = log.store.query("SELECT row_id, sets_done, started_at FROM bouts")
    messages = [str(w.message) for w in caught]
    assert messages[0].startswith(f"{big}: 5 row(s) have damaged cells and were left out")
    for cell in NAMED:
        assert cell in messages[0], cell
    assert len(frame) == 295 and not {10, 20, 30, 250, 290} & set(frame["row_id"])
    assert messages[1].startswith(f"{big}: 2 row(s)")  # the query: its own rows left out
    assert len(rows) == 298 and not {10, 20} & {r[0] for r in rows}


def test_a_large_excel_export_leaves_damaged_rows_out_once(big, tmp_path):
    damage(big, *DAMAGE)
    with pytest.warns(LogFileWarning) as caught, SessionLog(big) as log:
        out = log.export_excel(tmp_path / "log.xlsx")
    assert len(caught) == 1 and "5 row(s) have damaged cells" in str(caught[0].message)
    sheet = openpyxl.load_workbook(out)["log"]
    assert sheet.max_row == 1 + 295


def test_a_sound_file_is_never_checked_cell_by_cell(big, tmp_path, monkeypatch):
    def refuse(*args):
        raise AssertionError("a cell-by-cell check on a sound file")

    monkeypatch.setattr(store_module, "_cell_problem", refuse)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with SessionLog(big) as log:
            assert len(log.frame()) == 300
            assert len(log.sessions()) == 300
            assert len(log.store.query("SELECT * FROM bouts")) == 300
            log.export_csv(tmp_path / "log.csv")
            log.export_excel(tmp_path / "log.xlsx")


def test_the_frame_is_what_conform_makes_of_the_stored_rows(big):
    # an independent, slow reading of the same rows: pandas parses every value
    with SessionLog(big) as log:
        log.record(**bout(400, session_id="s1", hold_s_done=4, pain_before=2))
        log.rate_session("s1", pain_before=6)
        log.remove([5], reason="a test")
        frame = log.frame(tz="Europe/Lisbon")
        stored = ", ".join(f"b.{c}" for c in BOUT_COLUMNS)
        rows = log.store.query(
            f"SELECT {stored}, s.pain_before, s.pain_after FROM bouts b LEFT JOIN sessions s "
            "ON s.session_id = b.session_id WHERE b.removed_at IS NULL "
            "ORDER BY b.started_at, b.row_id"
        )
    data = {
        name: list(values) for name, values in zip(COLUMNS, zip(*rows, strict=True), strict=True)
    }
    expected = conform(data, tz="Europe/Lisbon")
    assert len(frame) == 300
    pd.testing.assert_frame_equal(frame, expected)


# --------------------------------------------------------------------------
# Writing: no read back through the checks


@pytest.mark.parametrize(
    "fields",
    [
        {"exercise_id": "bridge"},
        {"exercise_id": "bridge", "hold_s_done": 4, "hold_s_planned": 5},
        {"exercise_id": "knee-to-chest", "side": "left", "reps_done": 1},
        {"exercise_id": "bridge", "started_at": "2025-02-01T08:00", "ended_at": "2025-02-01T08:02"},
        {"exercise_id": "bridge", "session_id": "rated", "session_pain_after": 3},
        {"exercise_id": "squat", "session_id": "rated", "notes": "  spaces  ", "effort": 4},
    ],
)
def test_record_gives_the_row_as_a_read_gives_it(log, fields, monkeypatch):
    monkeypatch.setenv("BACKKIT_TZ", "Europe/Paris")
    log.record(exercise_id="bridge", session_id="rated", session_pain_before=5,
               started_at="2025-01-01T08:00")  # fmt: skip
    tz = backkit.config.kit_timezone()

    def no_read(*args, **kwargs):
        raise AssertionError("record() read its row back")

    with monkeypatch.context() as patched:
        patched.setattr(store_module.Store, "query", no_read)
        patched.setattr(store_module.Store, "columns", no_read)
        row = log.record(**fields)
    (again,) = log._rows([row["row_id"]], tz)
    assert row == again
    assert [type(v) for v in row.values()] == [type(v) for v in again.values()]
    assert row["started_at"].tzinfo == again["started_at"].tzinfo


def test_record_many_gives_ids_and_rows_as_a_read_gives_them(log, monkeypatch):
    first = log.record_many([bout(i) for i in range(3)])
    log.remove([first[2]["row_id"]], reason="a test")
    rows = [bout(i, hold_s_done=3) for i in range(10, 15)]
    with monkeypatch.context() as patched:
        patched.setattr(store_module.Store, "query", lambda *a: pytest.fail("read back"))
        written = log.record_many(rows, session=None)
    assert [r["row_id"] for r in written] == [4, 5, 6, 7, 8]
    assert written == log._rows([4, 5, 6, 7, 8], backkit.config.kit_timezone())
    one = log.record_many([bout(20, session_id="x"), bout(21, session_id="x")],
                          session={"pain_before": 7})  # fmt: skip
    assert [r["session_pain_before"] for r in one] == [7, 7]
    frame = log.frame(ids=True)
    assert frame["row_id"].tolist() == [1, 2, 4, 5, 6, 7, 8, 9, 10]


def test_duplicates_are_still_refused_or_skipped(log, tmp_path):
    log.record_many([bout(i) for i in range(400)])
    out = log.export_csv(tmp_path / "log.csv")
    with pytest.raises(backkit.errors.LogValidationError, match="400 of 400 rows rejected"):
        log.import_csv(out)
    assert log.import_csv(out, skip_duplicates=True) == 0
    assert len(log) == 400


# --------------------------------------------------------------------------
# Excel: streamed, escaped, nothing left behind


def test_excel_in_chunks_is_the_same_workbook(big, tmp_path):
    with SessionLog(big) as log:
        log.record(**bout(500, notes='=HYPERLINK("http://evil.example")'))
        tz = backkit.config.kit_timezone()
        whole = logfiles.write_excel(log.frame(tz=tz), tmp_path / "whole.xlsx",
                                     meanings=MEANINGS, tz=tz)  # fmt: skip
        chunked = logfiles.write_excel(log._frames(tz, size=7), tmp_path / "chunks.xlsx",
                                       meanings=MEANINGS, tz=tz)  # fmt: skip
    a, b = openpyxl.load_workbook(whole), openpyxl.load_workbook(chunked)
    for name in ("log", "about"):
        # (the about sheet's first line says when: the same, or a minute later)
        first = 1 if name == "about" else 0
        cells_a = [
            [(c.value, c.data_type, c.number_format) for c in r] for r in a[name].iter_rows()
        ]
        cells_b = [
            [(c.value, c.data_type, c.number_format) for c in r] for r in b[name].iter_rows()
        ]
        assert cells_a[first:] == cells_b[first:]
    formula = [c for r in b["log"].iter_rows() for c in r if str(c.value).startswith("=HYP")]
    assert formula[0].data_type == "s" and formula[0].quotePrefix
    assert b["log"].max_row == 1 + 301
    assert stat.S_IMODE(chunked.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_empty_log_exports_a_header(log, tmp_path):
    sheet = openpyxl.load_workbook(log.export_excel(tmp_path / "empty.xlsx"))["log"]
    assert [c.value for c in sheet[1]] == list(backkit.log.COLUMNS) and sheet.max_row == 1


def test_excel_without_xlsxwriter_is_one_clear_error(log, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)  # import xlsxwriter now fails
    with pytest.raises(LogError, match="Excel export needs xlsxwriter: pip install xlsxwriter"):
        log.export_excel(tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


def test_a_scratch_folder_is_private_and_a_stale_one_is_removed(tmp_path):
    out = tmp_path / "log.xlsx"
    with scratch_folder(out) as scratch:
        assert stat.S_IMODE(scratch.stat().st_mode) == 0o700
        (scratch / "rows").write_text("health data")
        assert remove_stale_temp_files(tmp_path) == []  # locked: its writer is alive
    assert not scratch.exists()
    left = tmp_path / f".log.xlsx.{'a' * 32}.tmpdir"  # as a killed writer leaves it
    left.mkdir()
    (left / "rows").write_text("health data")
    assert remove_stale_temp_files(tmp_path) == [left]
    assert not left.exists()
