"""CSV and Excel files of the session log: typed frames out, checked rows in.

:func:`write_csv` writes a log frame so that it reads back exactly (ISO 8601
times with their UTC offset, floats as their shortest exact text);
:func:`write_excel` writes it for people (local times, an ``about`` sheet);
:func:`read_csv` reads a CSV file's rows, refusing an unreadable file or a
bad header with one :class:`~backkit.errors.LogValidationError` that names
every problem. Files are written with :func:`backkit.store.write_atomically`,
so an interrupted export never leaves half a file.

This module knows files, not the log's rules: :class:`backkit.SessionLog`
validates the rows (``import_csv``) and passes its columns and their meanings
(``export_csv``, ``export_excel``).

Examples
--------
>>> import pathlib, tempfile
>>> from backkit.logfiles import read_csv
>>> file = pathlib.Path(tempfile.mkdtemp()) / "old.csv"
>>> _ = file.write_text("exercise_id,pain_after\\nbridge,2\\n")
>>> table = read_csv(file, ["exercise_id", "pain_after"], required=["exercise_id"])
>>> table.rows, table.total
([('file old.csv, row 2', {'exercise_id': 'bridge', 'pain_after': '2'})], 1)
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._checks import FileText
from .errors import LogError, LogValidationError, Problem, did_you_mean
from .store import write_atomically

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CsvRows", "read_csv", "rejected", "write_csv", "write_excel"]


def rejected(total: int, problems: Sequence[Problem]) -> str:
    """The first line of an error that refuses some of ``total`` rows.

    Examples
    --------
    >>> from backkit.errors import Problem
    >>> rejected(40, [Problem("row 3", "pain", 11, "too high")])
    '1 of 40 rows rejected; nothing was written:'
    """
    bad = len({p.where for p in problems})
    rows = "row" if total == 1 else "rows"
    return f"{bad} of {total} {rows} rejected; nothing was written:"


# --------------------------------------------------------------------------
# Writing


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to a UTF-8 CSV file that reads back to the same values; return its path.

    One header row with the frame's column names; tz-aware times in ISO 8601
    with their UTC offset and microseconds; floats as the shortest text that
    reads back as the same float; empty cells for missing values.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"when": pd.to_datetime(["2024-05-01 08:00"]).tz_localize("UTC"),
    ...                       "hold": pd.array([4.1], dtype="Float64")})
    >>> out = write_csv(frame, pathlib.Path(tempfile.mkdtemp()) / "a.csv")
    >>> out.read_text().splitlines()
    ['when,hold', '2024-05-01T08:00:00.000000+00:00,4.1']
    """
    text_columns = [_csv_column(frame[name]) for name in frame.columns]

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(frame.columns)
            writer.writerows(zip(*text_columns, strict=True))

    return write_atomically(path, write)


def _csv_column(series: pd.Series) -> list[str]:
    """Format one frame column as CSV text, vectorised where pandas allows."""
    import numpy as np
    import pandas as pd

    missing = series.isna().to_numpy()
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        # ISO 8601 local time plus its UTC offset, e.g. 2024-05-01T10:00:00.000000+02:00
        local = series.dt.tz_localize(None)
        utc = series.dt.tz_convert("UTC").dt.tz_localize(None)
        minutes = ((local - utc) // pd.Timedelta(minutes=1)).fillna(0).astype(int)
        offsets = {
            m: f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
            for m in minutes.unique()
        }
        wall = np.datetime_as_string(local.to_numpy(dtype="datetime64[us]"), unit="us")
        out = np.char.add(wall, minutes.map(offsets).to_numpy(dtype=str)).astype(object)
    elif str(series.dtype) == "Float64":
        # repr() is the shortest text that reads back as the same float
        out = np.array([repr(float(v)) if v is not pd.NA else "" for v in series], dtype=object)
    else:
        out = series.astype(object).astype(str).to_numpy(dtype=object, copy=True)
    out[missing] = ""
    return out.tolist()


def write_excel(
    frame: pd.DataFrame, path: str | Path, *, meanings: Mapping[str, str], tz: Any
) -> Path:
    """Write ``frame`` to an Excel workbook for people; return its path.

    The ``log`` sheet holds the rows, its times as local times in ``tz``
    (Excel has no time zones); the ``about`` sheet names the zone and each
    column's meaning from ``meanings``.

    Raises
    ------
    LogError
        When ``openpyxl`` is not installed (``pip install openpyxl``);
        nothing is written.
    """
    import pandas as pd

    try:
        import openpyxl  # noqa: F401
    except ImportError:
        # a BackkitError, so the command line says it in one line
        raise LogError(
            "Excel export needs openpyxl: pip install openpyxl (or pip install "
            "'backkit[excel]'); export_csv works without it"
        ) from None
    sheet = frame.astype(object).where(frame.notna(), None)
    times = [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
    for name in times:
        local = frame[name].dt.tz_localize(None).astype(object)
        sheet[name] = local.where(frame[name].notna(), None)
    about = pd.DataFrame(
        {"column": list(frame.columns), "meaning": [meanings.get(c, "") for c in frame.columns]}
    )

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            sheet.to_excel(xl, sheet_name="log", index=False)
            about.to_excel(xl, sheet_name="about", index=False, startrow=3)
            ws = xl.sheets["about"]
            ws["A1"] = f"backkit session log, exported {dt.datetime.now(tz):%Y-%m-%d %H:%M}"
            ws["A2"] = f"Times are local times in {tz}"
            ws.column_dimensions["A"].width = 16
            ws.column_dimensions["B"].width = 70
            _lay_out(xl.sheets["log"], [list(frame.columns).index(c) + 1 for c in times])

    return write_atomically(path, write)


def _lay_out(log_sheet: Any, time_columns: list[int]) -> None:
    """Freeze the header, size the columns, show times as dates and times."""
    log_sheet.freeze_panes = "A2"
    widths = {"session_id": 24, "started_at": 20, "ended_at": 20, "notes": 40}
    for cell in log_sheet[1]:
        width = widths.get(cell.value, max(10, len(str(cell.value)) + 2))
        log_sheet.column_dimensions[cell.column_letter].width = width
    for column in time_columns:
        for cells in log_sheet.iter_cols(min_col=column, max_col=column, min_row=2):
            for cell in cells:
                cell.number_format = "yyyy-mm-dd hh:mm:ss"


# --------------------------------------------------------------------------
# Reading


@dataclass
class CsvRows:
    """The rows of a CSV file, each labelled as in a spreadsheet ("file x.csv, row 2").

    Attributes
    ----------
    rows : list of (label, dict)
        Each row with the right number of cells, as ``{column: text}``.
    total : int
        Rows after the header, blank lines included (for "3 of 40 rows").
    problems : list of Problem
        Rows with the wrong number of cells (left out of ``rows``).
    order : dict
        The position of each label in the file, to report problems in order.
    """

    rows: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    total: int = 0
    problems: list[Problem] = field(default_factory=list)
    order: dict[str, int] = field(default_factory=dict)


def read_csv(path: str | Path, columns: Sequence[str], *, required: Sequence[str]) -> CsvRows:
    """Read a UTF-8 CSV file whose header names some of ``columns``.

    Raises
    ------
    LogValidationError
        When the file is missing, not UTF-8 text, not CSV or empty, or when
        its header names an unknown column, repeats one, or lacks a
        ``required`` one; every header problem is listed. Nothing was read.
    """
    path = Path(path).expanduser()
    label = f"file {path.name}"
    header, records = _read(path, label)
    header = [h.strip() for h in header]
    where = f"{label}, row 1 (header)"
    problems = [
        Problem(where, "column", h, f"is not a log column.{did_you_mean(h, columns)}")
        for h in header
        if h not in columns
    ]
    problems += [Problem(where, "column", c, "is required") for c in required if c not in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        problems.append(Problem(where, "column", dupes, "appears more than once"))
    if problems:
        raise LogValidationError(problems, header=rejected(len(records), problems))
    out = CsvRows(total=len(records))
    for number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        here = f"{label}, row {number}"
        out.order[here] = number
        if len(record) != len(header):
            message = f"has {len(record)} cells; the header has {len(header)}"
            out.problems.append(Problem(here, "row", ",".join(record)[:60], message))
        else:
            cells = (FileText(cell) for cell in record)
            out.rows.append((here, dict(zip(header, cells, strict=True))))
    return out


def _read(path: Path, label: str) -> tuple[list[str], list[list[str]]]:
    """The header and the records of a CSV file, or one clear error."""

    def refused(name: str, value: str, message: str) -> LogValidationError:
        return LogValidationError([Problem(label, name, value, f"{message}; nothing was imported")])

    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            records = list(reader)
    except FileNotFoundError:
        raise refused("path", str(path), "does not exist") from None
    except UnicodeDecodeError as err:
        raise refused("encoding", str(path), f"is not UTF-8 text ({err.reason})") from None
    except csv.Error as err:
        raise refused("csv", str(path), f"is not a readable CSV file ({err})") from None
    if header is None:
        raise refused("header", "", "the file is empty; expected a header row")
    return header, records
