"""Dates and times that read the same on every supported Python and system.

``make test-matrix`` runs this file on Python 3.10 (the oldest dependency set)
and 3.13 (the newest): the expected values below are literal, so both passing
means a CSV imports identically on both.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import backkit
from backkit._checks import parse_datetime

ROOT = Path(__file__).resolve().parents[1]

CSV_WITH_Z = (
    "exercise_id,started_at,pain_before,pain_after\n"
    "bridge,2025-03-03T08:00:00Z,3,2\n"
    "squat,2025-03-30T00:30:00.250Z,4,3\n"  # the night the UK's clocks go forward
    "bridge,2025-03-31T07:00:00+02:00,2,2\n"
    "bridge,2025-04-01T06:15:00z,2,1\n"
)


@pytest.mark.parametrize("zone", ["UTC", "Europe/London"])
def test_a_csv_with_z_timestamps_imports_the_same_instants(tmp_path, monkeypatch, zone):
    monkeypatch.setenv("BACKKIT_TZ", zone)
    csv = tmp_path / "sessions.csv"
    csv.write_text(CSV_WITH_Z)
    with backkit.SessionLog(tmp_path / "log.sqlite") as log:
        assert log.import_csv(csv) == 4
        frame = log.frame()
    instants = frame["started_at"].dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
    assert instants.tolist() == [
        "2025-03-03T08:00:00.000000",
        "2025-03-30T00:30:00.250000",
        "2025-03-31T05:00:00.000000",
        "2025-04-01T06:15:00.000000",
    ]
    assert str(frame["started_at"].dt.tz) == zone
    assert frame["pain_after"].tolist() == [2, 3, 2, 1]


def test_an_export_reimports_to_the_same_frame(tmp_path):
    import pandas as pd

    csv = tmp_path / "in.csv"
    csv.write_text(CSV_WITH_Z)
    frames = []
    with backkit.SessionLog(":memory:") as first:
        first.import_csv(csv)
        first.export_csv(tmp_path / "out.csv")
        frames.append(first.frame())
    with backkit.SessionLog(":memory:") as second:
        second.import_csv(tmp_path / "out.csv")
        frames.append(second.frame())
    pd.testing.assert_frame_equal(*frames)


@pytest.mark.parametrize(
    "text", ["2024-05-01T08:30:00Z", "2024-05-01T08:30:00z", "2024-05-01T08:30:00+00:00"]
)
def test_parse_datetime_reads_z_on_every_python(text):
    assert parse_datetime(text).isoformat() == "2024-05-01T08:30:00+00:00"


# A "%-d"-style format is a glibc extension: Windows and some C libraries
# print it literally or fail.
# "%-d", "%-m", "%-H", "%-I", "%-M", "%-S", "%-j", "%-y" (and "%#d", Windows' spelling)
_NON_PORTABLE = re.compile(r"%[-#][dmHIMSjy]")


def test_no_platform_specific_strftime_flags():
    files = [
        *(ROOT / "backkit").rglob("*.py"),
        *(ROOT / "backkit").rglob("*.j2"),
        *(ROOT / "notebooks").glob("*.ipynb"),
    ]
    found = {str(p.relative_to(ROOT)) for p in files if _NON_PORTABLE.search(p.read_text())}
    assert found == set(), "use f'{d.day} {d:%b %Y}' instead of '%-d'"
