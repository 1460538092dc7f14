r"""CSV and Excel files of the session log: typed frames out, checked rows in.

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
>>> _ = file.write_text("exercise_id,pain_after\nbridge,2\n")
>>> table = read_csv(file, ["exercise_id", "pain_after"], required=["exercise_id"])
>>> table.rows, table.total
([('file old.csv, row 2', {'exercise_id': 'bridge', 'pain_after': '2'})], 1)
"""

from __future__ import annotations

import csv
import gc
import io
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config
from ._checks import FileText
from .errors import LogError, LogValidationError, Problem, did_you_mean
from .store import describe_os_error, write_atomically

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CsvRows", "neutralise", "read_csv", "rejected", "restore", "write_csv", "write_excel"]


def rejected(total: int, problems: Sequence[Problem]) -> str:
    """The first line of an error that refuses some of ``total`` rows.

    Examples
    --------
    >>> from backkit.errors import Problem
    >>> rejected(40, [Problem("row 3", "pain", 11, "too high")])
    '1 of 40 rows rejected; nothing was written:'
    """
    # a problem with the header rejects every row
    whole = any(str(p.where).endswith("(header)") for p in problems)
    bad = total if whole else len({p.where for p in problems})
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
        if not pd.api.types.is_numeric_dtype(series.dtype):
            out = np.array([neutralise(v) if isinstance(v, str) else v for v in out], dtype=object)
    out[missing] = ""
    return out.tolist()


# OWASP "CSV injection": a cell starting with one of these is run as a formula
# by spreadsheet programs. Such text is written with a leading single quote.
# Text that already starts with quotes before one of them gets one more, so
# reading back (remove one quote) is exact for every text.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def neutralise(text: str) -> str:
    """Return ``text`` as a CSV cell no spreadsheet runs as a formula (OWASP's leading quote).

    :func:`read_csv` undoes exactly this, so an exported log reads back unchanged.

    Examples
    --------
    >>> neutralise("=SUM(A1:A9)"), neutralise("-2+3"), neutralise("fine")
    ("'=SUM(A1:A9)", "'-2+3", 'fine')
    >>> restore(neutralise("'=1")) == "'=1"
    True
    """
    return f"'{text}" if _FORMULA.match(text) else text


def restore(cell: str) -> str:
    """Undo :func:`neutralise`: drop the quote it put before a formula character."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell, 1) else cell


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

    text = [c for c in frame.columns if c not in times and not _numeric(frame[c])]
    for name in text:
        sheet[name] = sheet[name].map(_printable)
    columns = [list(frame.columns).index(c) + 1 for c in times]
    error, hook = None, sys.unraisablehook
    try:
        data = _workbook(sheet, about, tz, columns)
    except OSError as err:
        # openpyxl stages each sheet in a temporary file; when that fails (a
        # full disk) its half-written objects complain as they are destroyed,
        # which happens when this block ends: silence them until collected.
        error = describe_os_error(err, Path(path).expanduser(), "writing the Excel file")
        sys.unraisablehook = lambda unraisable: None
    if error is not None:
        try:
            gc.collect()
        finally:
            sys.unraisablehook = hook
        raise error
    return write_atomically(path, lambda tmp: tmp.write_bytes(data))


def _workbook(sheet: pd.DataFrame, about: pd.DataFrame, tz: Any, time_columns: list[int]) -> bytes:
    """The workbook's bytes, built in memory: a full disk then fails one write, not a zip file."""
    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as xl:
        sheet.to_excel(xl, sheet_name="log", index=False)
        about.to_excel(xl, sheet_name="about", index=False, startrow=3)
        ws = xl.sheets["about"]
        ws["A1"] = f"backkit session log, exported {config.now().astimezone(tz):%Y-%m-%d %H:%M}"
        ws["A2"] = f"Times are local times in {tz}"
        ws.column_dimensions["A"].width = 16
        ws.column_dimensions["B"].width = 70
        _lay_out(xl.sheets["log"], time_columns)
        _as_text(xl.sheets["log"])
    return buffer.getvalue()


def _numeric(series: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series.dtype)


def _printable(value: Any) -> Any:
    """Control characters (which Excel files cannot hold) shown as their visible symbols."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub(lambda m: _PICTURE.get(m.group(), "\ufffd"), value)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PICTURE = {chr(c): chr(0x2400 + c) for c in range(32)} | {"\x7f": "\u2421"}


def _as_text(sheet: Any) -> None:
    """Store every text cell as text: a note "=HYPERLINK(...)" must never become a formula."""
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f" or (
                isinstance(cell.value, str) and _FORMULA.match(cell.value)
            ):
                cell.data_type = "s"
                cell.quotePrefix = True  # Excel keeps it text when the cell is edited


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

    Cells are separated by ``,``; or by ``;`` when the header holds ``;`` and
    no ``,`` (as Excel saves CSV where the decimal mark is a comma), and then
    numbers are read with a decimal comma. A cell :func:`neutralise` quoted
    reads back as the text it was. Every cell is a
    :class:`~backkit._checks.FileText`, which the log's checks read strictly.

    Raises
    ------
    LogValidationError
        When the file is missing, not UTF-8 text, not CSV or empty, or when
        its header names an unknown column, repeats one, or lacks a
        ``required`` one; every header problem is listed. Nothing was read.
    """
    path = Path(path).expanduser()
    label = f"file {path.name}"
    header, records, delimiter = _read(path, label)
    decimal = "," if delimiter == ";" else "."
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
    glued = [d for d in ";\t|" if len(header) == 1 and d in header[0]]
    if glued:
        problems = [
            Problem(
                where,
                "column",
                header[0][:60],
                f"is the whole header in one cell: the cells are separated by {glued[0]!r}; "
                "save the file with ',' (or ';') between cells",
            )
        ]
    if problems:
        raise LogValidationError(problems, header=rejected(len(records), problems))
    out = CsvRows(total=len(records))
    if "started_at" in columns and "started_at" not in header and "started_at" not in required:
        # Without it every row would get the time of the import. Said with the
        # rows' own problems, so one reading of the error shows all of them.
        message = "is required: each bout needs the time it started"
        out.problems.append(Problem(where, "column", "started_at", message))
        out.order[where] = 1
    for number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        here = f"{label}, row {number}"
        out.order[here] = number
        if len(record) != len(header):
            message = f"has {len(record)} cells; the header has {len(header)}"
            out.problems.append(Problem(here, "row", ",".join(record)[:60], message))
        else:
            cells = (FileText(restore(cell), decimal=decimal) for cell in record)
            out.rows.append((here, dict(zip(header, cells, strict=True))))
    return out


def _read(path: Path, label: str) -> tuple[list[str], list[list[str]], str]:
    """The header and the records of a CSV file, or one clear error."""

    def refused(name: str, value: str, message: str) -> LogValidationError:
        return LogValidationError([Problem(label, name, value, f"{message}; nothing was imported")])

    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            text = f.read()
        # Python 3.10's csv module stops at a NUL ("line contains NUL"); 3.11
        # reads it. So that a NUL is named at its row and column on every
        # Python, it travels through the parser as a noncharacter the file
        # does not hold, and comes back afterwards.
        nul = next((c for c in map(chr, range(0xFDD0, 0xFDF0)) if c not in text), "\x00")
        first = text.split("\n", 1)[0]
        # Excel saves "CSV" with ';' between cells (and ',' as the decimal
        # mark) where ',' is the decimal mark (Portugal, Germany, ...).
        # The log's column names hold neither, so the header tells.
        delimiter = ";" if ";" in first and "," not in first else ","
        reader = csv.reader(io.StringIO(text.replace("\x00", nul), newline=""), delimiter=delimiter)
        rows = [[cell.replace(nul, "\x00") for cell in row] for row in reader]
        header, records = (rows[0], rows[1:]) if rows else (None, [])
    except FileNotFoundError:
        raise refused("path", str(path), "does not exist") from None
    except UnicodeDecodeError as err:
        raise refused("encoding", str(path), f"is not UTF-8 text ({err.reason})") from None
    except csv.Error as err:
        raise refused("csv", str(path), f"is not a readable CSV file ({err})") from None
    if header is None:
        raise refused("header", "", "the file is empty; expected a header row")
    return header, records, delimiter
