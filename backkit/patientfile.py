"""Patient files: the one reader of a person's log as it reaches someone else.

A patient file is one of three kinds (:data:`KINDS`), told apart by its first
bytes and its suffix:

- a **log file** (``.sqlite``, or any file that starts as an SQLite database):
  read from a :func:`backkit.store.snapshot` copy, so nothing is written to or
  beside the person's file (no upgrade, no ``-wal`` file), and rows still in
  its write-ahead log are included;
- a **JSON export** (``.json``, :meth:`backkit.SessionLog.export_json`): the
  whole log with its check-ins, screenings and audit trail, imported into a
  log in memory, which checks every record and the trail's hash chain;
- a **CSV export** (``.csv``, :meth:`backkit.SessionLog.export_csv`): the
  bouts only, imported into a log in memory, which validates each row and
  names every problem by file and row. A CSV keeps no check-ins or
  screenings, so no warning-sign answers either.

:func:`read` gives the log frame, the check-ins and the warning-sign answers
(:class:`PatientData`); :func:`read_warning_answers` gives the answers alone;
:func:`summary_frame` gives the columns a caseload summary needs, quickly for
a full CSV export; :func:`listing` lists a folder's patient files and names
every other entry with the reason it is not read. The report
(:mod:`backkit.report`), the caseload (:mod:`backkit.caseload`) and sharing
(:mod:`backkit.share`) read through this module and no other way.

Only regular files are read: a folder, a FIFO, a device (``/dev/zero``) or a
dangling link is refused before a byte is read, so a read never hangs or
fills memory.

Examples
--------
>>> from backkit.patientfile import read
>>> from backkit.report import sample_paths
>>> data = read(sample_paths()[0])
>>> len(data.frame), len(data.outcomes), data.warnings is None   # a CSV keeps no answers
(611, 0, True)
"""

from __future__ import annotations

import contextlib
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BackkitError, LogFileError, Message
from .i18n import N_
from .store import SQLITE_HEADER, snapshot

if TYPE_CHECKING:
    import pandas as pd

    from .log import SessionLog

__all__ = [
    "KINDS",
    "PLAN_SUFFIXES",
    "SUMMARY_COLUMNS",
    "SUMMARY_LABELS",
    "SUMMARY_NUMBERS",
    "Listing",
    "PatientData",
    "Warnings",
    "kind",
    "listing",
    "open_log",
    "read",
    "read_warning_answers",
    "summary_frame",
]

#: The kinds of patient file, by suffix, in the words a person reads.
KINDS = {".sqlite": N_("log file"), ".json": N_("JSON export"), ".csv": N_("CSV export")}
#: Suffixes of a plan kept beside a patient file (``P017.csv`` and ``P017.yaml``).
PLAN_SUFFIXES = (".yaml", ".yml")
_WANTED = N_("give a .sqlite log file, or a .json or .csv export of one")
#: Sidecar files SQLite keeps beside a log file; read with the log itself.
_SIDECARS = ("-wal", "-shm", "-journal")

#: A log's warning-sign answers (:func:`backkit.safety.warning_answers`), its
#: number of screenings, and the "yes" answers no clearance has followed.
Warnings = tuple["pd.DataFrame", int, tuple[Any, ...]]


@dataclass(frozen=True)
class PatientData:
    """One patient file, read: the log frame, the check-ins, the warning-sign answers.

    ``warnings`` is ``(answers, number of screenings, unresolved)`` (see
    :func:`read_warning_answers`), or None for a CSV export, which keeps no
    screenings or check-ins.
    """

    frame: pd.DataFrame
    outcomes: pd.DataFrame
    warnings: Warnings | None


def _regular(path: Path) -> None:
    """Refuse anything but a regular file before reading a byte of it."""
    try:
        mode = path.stat().st_mode  # follows a link: a link to /dev/zero is a device
    except FileNotFoundError:
        reason = N_("is a link to nothing") if path.is_symlink() else N_("no such file")
        raise LogFileError(path, reason) from None
    except OSError as err:
        raise LogFileError(path, _unreadable(err)) from None
    if stat.S_ISDIR(mode):
        raise LogFileError(path, N_("is a folder, not a file"))
    if not stat.S_ISREG(mode):
        if stat.S_ISFIFO(mode):
            raise LogFileError(path, N_("is a pipe (FIFO), not a file"))
        raise LogFileError(path, N_("is a device or special file, not a file"))


def _unreadable(err: OSError) -> Message:
    return Message(N_("cannot be read: {reason}"), reason=str(err.strerror))


def kind(path: str | Path) -> str:
    r"""Which kind of patient file ``path`` is: ``'.sqlite'``, ``'.json'`` or ``'.csv'``.

    A file that starts as an SQLite database is a log file whatever its name;
    otherwise the suffix decides (``.txt`` is read as CSV, as spreadsheets
    save it).

    Raises
    ------
    LogFileError
        For a missing file, a folder, a special file, or any other suffix.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from backkit.patientfile import kind
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "p.csv").write_text("exercise_id\n")
    >>> kind(folder / "p.csv")
    '.csv'
    >>> kind(folder)
    Traceback (most recent call last):
    ...
    backkit.errors.LogFileError: ...: is a folder, not a file
    """
    path = Path(path).expanduser()
    _regular(path)
    try:
        with open(path, "rb") as f:
            sqlite = f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError as err:
        raise LogFileError(path, _unreadable(err)) from None
    suffix = path.suffix.lower()
    if sqlite or suffix == ".sqlite":
        return ".sqlite"  # a .sqlite that is not a database is refused by the store, by name
    if suffix in (".json", ".csv"):
        return suffix
    if suffix == ".txt":
        return ".csv"
    raise LogFileError(
        path, Message(N_("is not a patient file ({wanted})"), wanted=Message(_WANTED))
    )


@contextlib.contextmanager
def open_log(path: str | Path) -> Iterator[SessionLog]:
    """The patient file at ``path`` as an open log to read, leaving the file as it was.

    A log file is opened from a :func:`backkit.store.snapshot` copy; an
    export is imported into a log in memory (every row validated).

    Raises
    ------
    LogFileError, LogValidationError
        Naming ``path`` (not a copy): a damaged, foreign or too new log file,
        or an export with invalid rows.

    Examples
    --------
    >>> from backkit.patientfile import open_log
    >>> from backkit.report import sample_paths
    >>> with open_log(sample_paths()[0]) as log:
    ...     len(log.frame())
    611
    """
    path = Path(path).expanduser()
    with _opened(path, kind(path)) as log:
        yield log


@contextlib.contextmanager
def _opened(path: Path, found: str) -> Iterator[SessionLog]:
    """:func:`open_log` of a file whose :func:`kind` is ``found`` (its header read once)."""
    from .log import SessionLog

    if found == ".sqlite":
        with tempfile.TemporaryDirectory(prefix="backkit-read-") as tmp:
            copy = snapshot(path, Path(tmp) / "log.sqlite")
            try:
                log = SessionLog(copy, create=False)
            except LogFileError as err:
                raise err.at(path) from None  # the patient's file, not our copy
            with log:
                yield log
        return
    with SessionLog(":memory:") as log:
        if found == ".json":
            log.import_json(path)
        else:
            log.import_csv(path)
        yield log


def _warnings_of(log: SessionLog) -> Warnings:
    from .gate import screening_gate
    from .outcomes import checkins_frame, clearances_frame, screenings_frame
    from .safety import warning_answers

    screenings = screenings_frame(log)
    state = screening_gate(screenings, clearances_frame(log))
    answers = warning_answers(screenings, checkins_frame(log))
    return answers, len(screenings), state.unresolved


def read(path: str | Path) -> PatientData:
    """Read one patient file without changing it: frame, check-ins and warning-sign answers.

    Raises
    ------
    LogFileError, LogValidationError
        For a file that is not a readable patient file, naming it.

    Examples
    --------
    >>> import pathlib, tempfile, backkit
    >>> from backkit.patientfile import read
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "p.json"
    >>> with backkit.SessionLog(":memory:") as log:
    ...     _ = log.record(exercise_id="bridge", reps_done=8, reps_planned=8)
    ...     _ = log.export_json(out)
    >>> data = read(out)
    >>> len(data.frame), data.warnings[1]   # one bout; no screening yet
    (1, 0)
    """
    path = Path(path).expanduser()
    return _read(path, kind(path))


def _read(path: Path, found: str) -> PatientData:
    from .outcomes import outcomes_frame

    with _opened(path, found) as log:
        frame, outcomes = log.frame(), outcomes_frame(log)
        warnings = None if found == ".csv" else _warnings_of(log)
    return PatientData(frame, outcomes, warnings)


def read_warning_answers(path: str | Path | None) -> Warnings | None:
    """A patient file's warning-sign answers (:func:`backkit.safety.warning_answers`).

    Returns ``(answers, number of screenings, unresolved)``, where
    ``unresolved`` are the "yes" answers no clearance has followed
    (:mod:`backkit.gate`: the timer stays closed for them), or None for a CSV
    export (it keeps no screenings or check-ins) and for no file.

    Examples
    --------
    >>> from backkit.patientfile import read_warning_answers
    >>> from backkit.report import sample_paths
    >>> read_warning_answers(sample_paths()[0]) is None   # a CSV export
    True
    """
    if path is None:
        return None
    path = Path(path).expanduser()
    found = kind(path)
    if found == ".csv":
        return None
    with _opened(path, found) as log:
        return _warnings_of(log)


# --------------------------------------------------------------------------
# The caseload's quick read of a full CSV export

#: The columns a caseload summary reads as labels (text), then as numbers.
SUMMARY_LABELS = ("session_id", "exercise_id", "side", "status")
SUMMARY_NUMBERS = (
    "sets_planned", "sets_done", "reps_planned", "reps_done", "pain_before", "pain_after",
    "session_pain_before", "session_pain_after",
)  # fmt: skip
_SCORES = ("pain_before", "pain_after", "session_pain_before", "session_pain_after")
#: Every column :func:`summary_frame` returns, in order.
SUMMARY_COLUMNS = (SUMMARY_LABELS[0], "started_at", *SUMMARY_LABELS[1:], *SUMMARY_NUMBERS)


def summary_frame(path: str | Path) -> tuple[pd.DataFrame, Warnings | None]:
    """The columns a caseload summary needs (:data:`SUMMARY_COLUMNS`), and the warnings.

    A full CSV export is read with pandas, only those columns, with a
    vectorised check of what a summary relies on (times that parse, numbers
    where numbers belong, 0-10 scores); anything else (a log file, a JSON
    export, a CSV without every column) goes through :func:`read`, which
    validates every row.

    Examples
    --------
    >>> from backkit.patientfile import summary_frame
    >>> from backkit.report import sample_paths
    >>> frame, warnings = summary_frame(sample_paths()[0])
    >>> len(frame), warnings is None
    (611, True)
    """
    import pandas as pd

    path = Path(path).expanduser()
    found = kind(path)
    if found != ".csv":
        data = _read(path, found)
        return data.frame, data.warnings
    # text as plain objects, numbers as pandas infers them (checked below): the
    # quickest way through pandas' parser, faster than asking for dtypes
    dtype = {"started_at": object} | dict.fromkeys(SUMMARY_LABELS, object)
    try:
        try:
            raw = pd.read_csv(
                path, usecols=list(SUMMARY_COLUMNS), dtype=dtype, encoding="utf-8-sig"
            )
        except ValueError as err:
            if "Usecols" not in str(err):
                raise
            # not every column: a hand-made file, read (and validated) the long way
            header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
            if "exercise_id" not in header:
                raise LogFileError(
                    path, N_("has no exercise_id column: not a backkit log export")
                ) from None
            return _read(path, found).frame, None
        raw["started_at"] = pd.to_datetime(raw["started_at"], format="ISO8601", utc=True)
        for name in SUMMARY_NUMBERS:
            if raw[name].dtype.kind not in "iuf" and len(raw):  # text where a number belongs
                raise LogFileError(
                    path,
                    Message(
                        N_("is not a backkit CSV export (column {column} holds text, not numbers)"),
                        column=name,
                    ),
                )
    except (ValueError, TypeError) as err:
        if isinstance(err, BackkitError):
            raise
        detail = str(err).splitlines()[0] if str(err) else type(err).__name__
        problem = Message(N_("is not a backkit CSV export ({detail})"), detail=detail)
        raise LogFileError(path, problem) from None
    _check_scores(raw, path)
    return raw, None


def _check_scores(raw: pd.DataFrame, path: Path) -> None:
    import numpy as np

    for name in (n for n in _SCORES if n in raw):
        column = raw[name]
        if isinstance(column.dtype, np.dtype):  # numpy numbers: NaN is already the gap
            values = column.to_numpy(dtype=float)
        else:
            values = column.to_numpy(dtype=float, na_value=np.nan)
        bad = (values < 0) | (values > 10)  # NaN (not rated) is neither
        if bad.any():
            row = int(bad.argmax()) + 2  # the header is row 1
            raise LogFileError(
                path,
                Message(
                    N_(
                        "row {row}: {column} = {value} is not a score from 0 to 10 "
                        "(backkit import shows every problem)"
                    ),
                    row=row,
                    column=name,
                    value=f"{values[bad][0]:g}",
                ),
            )


# --------------------------------------------------------------------------
# A folder of patient files


@dataclass(frozen=True)
class Listing:
    """A folder's patient files, the plans beside them, and every other entry with why.

    ``files`` are sorted by name; ``plans`` maps a patient file to the plan
    kept beside it (same name, ``.yaml``); ``skipped`` holds one line per
    entry not read, ``"name: reason"``.
    """

    files: tuple[Path, ...]
    plans: dict[Path, Path]
    skipped: tuple[str, ...]


def listing(
    folder: str | Path | Iterable[str | Path], *, plan: str | Path | None = None
) -> Listing:
    """List the patient files of ``folder``, naming every other entry and why it is skipped.

    Every entry is either a patient file, the plan of one, or named in
    ``skipped``: a folder, a link to nothing, a pipe or device, a file of
    another kind, a plan with no patient file of its name, a log's own
    ``-wal`` file. Given files rather than a folder, each is listed or skipped
    the same way. ``plan``, the plan given for patients without their own,
    is used, so not skipped, when it is in the folder.

    Raises
    ------
    LogFileError
        When ``folder`` is not a folder.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from backkit.patientfile import listing
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b.csv", "a.sqlite", "a.yaml", "notes.txt", "c.json"):
    ...     _ = (folder / name).write_text("")
    >>> (folder / "old.csv").mkdir()
    >>> found = listing(folder)
    >>> [p.name for p in found.files], [p.name for p in found.plans.values()]
    (['a.sqlite', 'b.csv', 'c.json'], ['a.yaml'])
    >>> found.skipped
    ('notes.txt: not a patient file (give a .sqlite log file, or a .json or .csv export of one)', 'old.csv: a folder, not a file')
    """  # noqa: E501
    if isinstance(folder, (str, Path)):
        root = Path(folder).expanduser()
        if not root.is_dir():
            raise LogFileError(root, N_("is not a folder (give the folder of patient files)"))
        entries = sorted(root.iterdir(), key=lambda p: p.name)
    else:
        entries = sorted((Path(f).expanduser() for f in folder), key=lambda p: p.name)
    files: list[Path] = []
    plans: list[Path] = []
    skipped: dict[Path, str] = {}
    for entry in entries:
        reason = _why_not(entry)
        if reason is not None:
            skipped[entry] = reason
        elif entry.suffix.lower() in PLAN_SUFFIXES:
            plans.append(entry)
        else:
            files.append(entry)
    stems = {p.with_suffix("").name: p for p in plans}
    beside = {f: stems[f.stem] for f in files if f.stem in stems}
    shared = Path(plan).expanduser().resolve() if plan is not None else None
    for own in plans:
        if own not in beside.values() and own.resolve() != shared:
            skipped[own] = N_(
                "a plan with no patient file of the same name, and not the plan given"
            )
    return Listing(
        tuple(files),
        beside,
        tuple(
            Message(N_("{file}: {reason}"), file=p.name, reason=Message(skipped[p]))
            for p in sorted(skipped, key=lambda p: p.name)
        ),
    )


def _why_not(entry: Path) -> str | None:
    """Why ``entry`` is not a patient file or a plan, or None when it is one."""
    try:
        mode = entry.stat().st_mode
    except FileNotFoundError:
        return N_("a link to nothing") if entry.is_symlink() else N_("does not exist")
    except OSError as err:
        return Message(N_("cannot be read ({reason})"), reason=str(err.strerror))
    if stat.S_ISDIR(mode):
        return N_("a folder, not a file")
    if not stat.S_ISREG(mode):
        return N_("a pipe or device, not a file")
    suffix = entry.suffix.lower()
    if suffix in KINDS or suffix in PLAN_SUFFIXES:
        return None
    for sidecar in _SIDECARS:
        if entry.name.lower().endswith(".sqlite" + sidecar):
            return N_("SQLite's own file beside a log file (read with the log)")
    return Message(N_("not a patient file ({wanted})"), wanted=Message(_WANTED))
