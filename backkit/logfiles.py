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

import contextlib
import csv
import gc
import io
import itertools
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config
from ._checks import FileText
from .errors import LogError, LogValidationError, Message, Problem, did_you_mean
from .i18n import N_
from .store import scratch_folder, write_atomically

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CsvRows", "neutralise", "read_csv", "rejected", "restore", "write_csv", "write_excel"]


def rejected(total: int, problems: Sequence[Problem], what: str = "rows") -> str:
    """The first line of an error that refuses some of ``total`` rows (or ``what="bouts"``).

    Examples
    --------
    >>> from backkit.errors import Problem
    >>> rejected(40, [Problem("row 3", "pain", 11, "too high")])
    '1 of 40 rows rejected; nothing was written:'
    """
    # a problem with the header rejects every row
    whole = any(str(p.where).endswith("(header)") for p in problems)
    bad = total if whole else len({p.where for p in problems})
    if what == "bouts" and total != 1:  # one bout is said as one row, as it always was
        return Message.ngettext(
            "{bad} of {total} bout rejected; nothing was written:",
            "{bad} of {total} bouts rejected; nothing was written:",
            total,
            bad=bad,
            total=total,
        )
    return Message.ngettext(
        "{bad} of {total} row rejected; nothing was written:",
        "{bad} of {total} rows rejected; nothing was written:",
        total,
        bad=bad,
        total=total,
    )


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
        floats = series.to_numpy(dtype=float, na_value=np.nan).tolist()
        out = np.array(list(map(repr, floats)), dtype=object)
    elif isinstance(series.dtype, pd.CategoricalDtype):
        # each category once, not each row (code -1, missing, is the last)
        shown = [neutralise(str(c)) for c in series.cat.categories]
        out = np.array([*shown, ""], dtype=object)[series.cat.codes.to_numpy()]
    else:
        out = series.astype(object).astype(str).to_numpy(dtype=object, copy=True)
        out[missing] = ""  # text now, every cell
        if not pd.api.types.is_numeric_dtype(series.dtype):
            # the regex in C over every cell; a Python call only for the few it finds
            for i in [i for i, found in enumerate(map(_FORMULA.match, out)) if found]:
                out[i] = f"'{out[i]}"
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
    frame: pd.DataFrame | Iterable[pd.DataFrame],
    path: str | Path,
    *,
    meanings: Mapping[str, str],
    tz: Any,
) -> Path:
    """Write ``frame`` to an Excel workbook for people; return its path.

    The ``log`` sheet holds the rows, its times as local times in ``tz``
    (Excel has no time zones); the ``about`` sheet names the zone and each
    column's meaning from ``meanings``. Text is always stored as text: a
    cell that would start a formula (``=``, ``+``, ``-``, ``@``, a tab)
    also gets Excel's quote prefix, so editing it keeps it text.

    ``frame`` may also be an iterable of frames with the same columns (a log
    read in chunks): each is written as it comes, and the workbook is
    streamed to disk (``xlsxwriter``'s ``constant_memory`` mode), so a
    million rows take little memory.

    Raises
    ------
    LogError
        When ``xlsxwriter`` is not installed (``pip install xlsxwriter``);
        nothing is written.
    OSError
        Naming ``path`` when the disk is full or the folder read-only; the
        file is as it was and no scratch file is left behind.
    """
    import pandas as pd

    try:
        import xlsxwriter  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        # a BackkitError, so the command line says it in one line
        raise LogError(
            N_(
                "Excel export needs xlsxwriter: pip install xlsxwriter (or pip install "
                "'backkit[excel]'); export_csv works without it"
            )
        ) from None
    frames = iter([frame] if isinstance(frame, pd.DataFrame) else frame)
    first = next(frames, None)
    if first is None:
        first = pd.DataFrame()
    exported = pd.Timestamp(config.now()).tz_convert(tz)  # tz: a tzinfo or its name
    title = f"backkit session log, exported {config.minute_text(exported)}"
    about = [(name, meanings.get(name, "")) for name in first.columns]

    def write(tmp: Path) -> None:
        with scratch_folder(tmp) as scratch:
            _write_workbook(tmp, scratch, [first], frames, about, (title, tz))

    return write_atomically(path, write)


def _write_workbook(
    tmp: Path,
    scratch: Path,
    head: list[pd.DataFrame],
    rest: Iterator[pd.DataFrame],
    about: list[tuple[str, str]],
    title: tuple[str, Any],
) -> None:
    """Stream the workbook to ``tmp``; its pieces are staged in ``scratch``."""
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError  # type: ignore[import-untyped]

    book = xlsxwriter.Workbook(
        str(tmp),
        {
            "constant_memory": True,  # each row goes to disk when the next starts
            "tmpdir": str(scratch),
            # text stays text, whatever it looks like
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    error = None
    hook = sys.unraisablehook
    try:
        _fill_log(book, itertools.chain(head, rest))
        _fill_about(book, about, *title)
        book.close()
    except (OSError, FileCreateError) as err:
        cause = err.args[0] if isinstance(err, FileCreateError) else err
        # A copy with no traceback: what the writer left half-done (a zip
        # file, open sheets) is then freed here, where its complaints as it
        # is destroyed (a full disk again) are silenced until collected.
        error = OSError(cause.errno, cause.strerror or str(cause), str(tmp))
        sys.unraisablehook = lambda unraisable: None
    finally:
        if not book.fileclosed:
            for sheet in book.worksheets():
                handle = getattr(sheet, "row_data_fh", None)
                with contextlib.suppress(Exception):
                    if handle is not None:
                        handle.close()
    if error is not None:
        try:
            gc.collect()
        finally:
            sys.unraisablehook = hook
        raise error


# where a time's Excel serial number counts from (days; the 1900 date system)
_EXCEL_EPOCH = "1899-12-30"
_WIDTHS = {"session_id": 24, "started_at": 20, "ended_at": 20, "notes": 40}


def _fill_log(book: Any, frames: Iterable[pd.DataFrame]) -> None:
    """The ``log`` sheet: a header, then every frame's rows, in order, one row at a time."""
    import pandas as pd

    sheet = book.add_worksheet("log")
    header = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "top"})
    as_time = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    as_text = book.add_format({"quote_prefix": True})  # Excel keeps it text when edited
    sheet.freeze_panes(1, 0)
    row = 1
    for n, frame in enumerate(frames):
        if n == 0:
            for col, name in enumerate(frame.columns):
                width = _WIDTHS.get(name, max(10, len(str(name)) + 2))
                time = isinstance(frame[name].dtype, pd.DatetimeTZDtype)
                # times are written as numbers, shown as times by their column's format
                sheet.set_column(col, col, width, as_time if time else None)
                sheet.write_string(0, col, str(name), header)
        columns = [_excel_column(frame[name]) for name in frame.columns]
        # text that a spreadsheet would run as a formula: by row, then column
        quoted = sorted(
            (i, col, value)
            for col, name in enumerate(frame.columns)
            if not _numeric(frame[name])
            for i, value in enumerate(columns[col])
            if isinstance(value, str) and _FORMULA.match(value)
        )
        q = 0
        for i, values in enumerate(zip(*columns, strict=True)):
            sheet.write_row(row + i, 0, values)
            while q < len(quoted) and quoted[q][0] == i:
                _, col, value = quoted[q]
                sheet.write_string(row + i, col, value, as_text)
                q += 1
        row += len(frame)


def _excel_column(series: pd.Series) -> list[Any]:
    """A column's cells for Excel: None for missing, serial numbers for times, shown text."""
    import numpy as np
    import pandas as pd

    if isinstance(series.dtype, pd.DatetimeTZDtype):
        local = series.dt.tz_localize(None)
        days = (local - pd.Timestamp(_EXCEL_EPOCH)) / pd.Timedelta(days=1)
        values = days.to_numpy(dtype=float)
        return [None if v != v else v for v in values.tolist()]  # NaN (NaT): empty
    if _numeric(series):
        return series.astype(object).where(series.notna(), None).tolist()
    if isinstance(series.dtype, pd.CategoricalDtype):
        # each category once, not each row
        shown = [_printable(c) if isinstance(c, str) else c for c in series.cat.categories]
        codes = series.cat.codes.to_numpy()
        table = np.array([*shown, None], dtype=object)  # code -1 (missing) is the last
        return table[codes].tolist()
    values = series.astype(object).where(series.notna(), None).tolist()
    return [_printable(v) if isinstance(v, str) else v for v in values]


def _fill_about(book: Any, about: list[tuple[str, str]], title: str, tz: Any) -> None:
    """The ``about`` sheet: when, the time zone, each column's meaning."""
    sheet = book.add_worksheet("about")
    header = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "top"})
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 70)
    sheet.write_string(0, 0, title)
    sheet.write_string(1, 0, f"Times are local times in {tz}")
    sheet.write_string(3, 0, "column", header)
    sheet.write_string(3, 1, "meaning", header)
    for i, (name, meaning) in enumerate(about, start=4):
        sheet.write_string(i, 0, _printable(str(name)))
        sheet.write_string(i, 1, _printable(meaning))


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
    label = Message(N_("file {name}"), name=path.name)
    header, records, delimiter = _read(path, label)
    decimal = "," if delimiter == ";" else "."
    header = [h.strip() for h in header]
    where = Message(N_("{file}, row 1 (header)"), file=label)
    problems = [
        Problem(
            where,
            "column",
            h,
            Message(N_("is not a log column.{hint}"), hint=did_you_mean(h, columns)),
        )
        for h in header
        if h not in columns
    ]
    problems += [
        Problem(where, "column", c, N_("is required")) for c in required if c not in header
    ]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        problems.append(Problem(where, "column", dupes, N_("appears more than once")))
    glued = [d for d in ";\t|" if len(header) == 1 and d in header[0]]
    if glued:
        problems = [
            Problem(
                where,
                "column",
                header[0][:60],
                Message(
                    N_(
                        "is the whole header in one cell: the cells are separated by "
                        "{separator}; save the file with ',' (or ';') between cells"
                    ),
                    separator=repr(glued[0]),
                ),
            )
        ]
    if problems:
        raise LogValidationError(problems, header=rejected(len(records), problems))
    out = CsvRows(total=len(records))
    if "started_at" in columns and "started_at" not in header and "started_at" not in required:
        # Without it every row would get the time of the import. Said with the
        # rows' own problems, so one reading of the error shows all of them.
        message = N_("is required: each bout needs the time it started")
        out.problems.append(Problem(where, "column", "started_at", message))
        out.order[where] = 1
    for number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        here = Message(N_("{file}, row {number}"), file=label, number=number)
        out.order[here] = number
        if len(record) != len(header):
            message = Message(
                N_("has {cells} cells; the header has {columns}"),
                cells=len(record),
                columns=len(header),
            )
            out.problems.append(Problem(here, "row", ",".join(record)[:60], message))
        else:
            cells = (FileText(restore(cell), decimal=decimal) for cell in record)
            out.rows.append((here, dict(zip(header, cells, strict=True))))
    return out


def _read(path: Path, label: str) -> tuple[list[str], list[list[str]], str]:
    """The header and the records of a CSV file, or one clear error."""

    def refused(name: str, value: str, message: str) -> LogValidationError:
        problem = Message(N_("{problem}; nothing was imported"), problem=Message(message))
        return LogValidationError([Problem(label, name, value, problem)])

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
        raise refused("path", str(path), N_("does not exist")) from None
    except UnicodeDecodeError as err:
        message = Message(N_("is not UTF-8 text ({reason})"), reason=err.reason)
        raise refused("encoding", str(path), message) from None
    except csv.Error as err:
        message = Message(N_("is not a readable CSV file ({error})"), error=str(err))
        raise refused("csv", str(path), message) from None
    if header is None:
        raise refused("header", "", N_("the file is empty; expected a header row"))
    return header, records, delimiter
