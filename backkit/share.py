"""Sharing with a clinician: a pseudonymised export put in a group's folder.

Everything backkit writes is the person's alone (0600 files, 0700 folders).
:func:`share` is the one exception, and only when the person asks for it
(``backkit share --to FOLDER``): it writes their log, pseudonymised, into a
folder the clinician's group can read, for ``backkit caseload FOLDER``.

What is written
    ``<ID>.csv``: the whole log as :meth:`backkit.SessionLog.export_csv` would
    write it, de-identified as a report is (:class:`backkit.report.Privacy`):
    free-text notes left out, session ids renumbered, the plan id replaced;
    and ``<ID>.yaml``: the person's active plan without its name and notes, so
    the caseload can compute adherence. ``ID`` is ``--as ID`` (the id the
    clinic gave the person, such as ``P001``), else the person's own random
    pseudonym (:func:`share_id`), never their name or user name.
Who can read it
    The files are 0640 and belong to the folder's group: the person and that
    group can read them, nobody else. Nothing else changes: the log, the data
    home and their modes stay as they were.
Which folders
    A folder the person can write to whose group the files can get: either
    the person is in that group, or the folder is set-group-ID (mode ``2xxx``,
    new files take its group), as in a drop box ``3773`` where students write
    but only the clinicians' group lists and reads. A folder that anyone may
    write to without the sticky bit (others could replace a shared file) is
    refused.

A folder or id that cannot be used is one :class:`~backkit.errors.UsageError`
naming it, before anything is written.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import data_home, default_log_path
from .errors import LogFileError, UsageError
from .i18n import gettext as _
from .logfiles import write_csv
from .patientfile import read
from .plan import Plan
from .store import write_atomically

__all__ = ["ID_RULE", "SHARED_FILE_MODE", "Shared", "check_folder", "share", "share_id"]

#: Mode of a shared file: the person reads and writes, the folder's group reads.
SHARED_FILE_MODE = 0o640
#: What an id may be (it becomes a file name): a letter or digit, then up to
#: 39 letters, digits, ``-`` or ``_``.
ID_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
_ID_FILE = "share-id"  # the person's own pseudonym, in the data home


@dataclass(frozen=True)
class Shared:
    """What :func:`share` wrote: the files, the id they carry and the group that reads them."""

    id: str
    group: str
    files: tuple[Path, ...]
    rows: int


def _group_name(gid: int) -> str:
    import grp  # POSIX only, as group folders are

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def check_folder(folder: str | Path) -> tuple[Path, int]:
    """Return ``(folder, group id)`` when shared files can be put there; else raise.

    Raises
    ------
    UsageError
        Naming the folder and what is wrong: not a folder, not writable by
        this person, a group its files cannot get, or writable by anyone
        without the sticky bit.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> check_folder(folder)[1] == os.stat(folder).st_gid
    True
    >>> check_folder(folder + "/missing")
    Traceback (most recent call last):
    ...
    backkit.errors.UsageError: share: --to '.../missing': no such folder
    """
    path = Path(folder).expanduser()

    def refuse(problem: str) -> UsageError:
        # Translators: --to is the command's option; {problem} one of the problems below
        said = _("--to {folder}: {problem}").format(folder=repr(str(path)), problem=problem)
        return UsageError(said, where="share")

    if not hasattr(os, "geteuid"):
        raise refuse(_("sharing with a group's folder needs Linux or macOS"))

    try:
        info = path.stat()
    except FileNotFoundError:
        raise refuse(_("no such folder")) from None
    except OSError as err:
        raise refuse(_("cannot be opened ({reason})").format(reason=err.strerror)) from None
    if not stat.S_ISDIR(info.st_mode):
        raise refuse(_("is not a folder"))
    if not os.access(path, os.W_OK | os.X_OK):
        raise refuse(_("you cannot write to it; ask whoever runs it to let you in"))
    group = _group_name(info.st_gid)
    mine = os.geteuid() == 0 or info.st_gid == os.getegid() or info.st_gid in os.getgroups()
    if not (mine or info.st_mode & stat.S_ISGID):
        raise refuse(
            _(
                "your files there cannot belong to its group {group}: you are not in that "
                "group and the folder is not set-group-ID (chmod g+s)"
            ).format(group=repr(group))
        )
    if info.st_mode & stat.S_IWOTH and not info.st_mode & stat.S_ISVTX:
        raise refuse(_("anyone can replace files in it: it needs the sticky bit (chmod +t)"))
    return path, info.st_gid


def share_id() -> str:
    """Return the person's own pseudonym for sharing, made once and kept in the data home.

    It is random (``patient-`` and 8 hex digits), so it says nothing about the
    person; the same one every time, so a new share replaces the last.

    Examples
    --------
    >>> share_id() == share_id() and share_id().startswith("patient-")
    True
    """
    path = data_home() / _ID_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    if ID_RULE.fullmatch(text):
        return text
    made = f"patient-{secrets.token_hex(4)}"
    write_atomically(path, lambda tmp: tmp.write_text(made + "\n", encoding="utf-8"))
    return made


def _check_id(value: str) -> str:
    if not isinstance(value, str) or not ID_RULE.fullmatch(value):
        raise UsageError(
            _(
                "--as {value}: give an id of 1 to 40 letters, digits, '-' or '_' "
                "(such as P001), starting with a letter or digit"
            ).format(value=repr(value)),
            where="share",
        )
    return value


def _check_target(path: Path) -> None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise UsageError(
            _("{file} is there and is not a plain file").format(file=repr(str(path))), where="share"
        )
    if info.st_uid != os.geteuid():
        raise UsageError(
            _("{file} is someone else's: choose another id with --as").format(file=repr(str(path))),
            where="share",
        )


def _shared_writer(data: bytes, gid: int) -> Callable[[Path], None]:
    def write(tmp: Path) -> None:
        tmp.write_bytes(data)
        if tmp.stat().st_gid != gid:  # a set-group-ID folder has given it the group already
            os.chown(tmp, -1, gid)
        os.chmod(tmp, SHARED_FILE_MODE)  # before the rename: never visible with other modes

    return write


def share(
    folder: str | Path,
    *,
    as_id: str | None = None,
    log: str | Path | None = None,
    plan: str | Path | None = None,
) -> Shared:
    """Put the person's pseudonymised log and plan in ``folder`` for its group to read.

    Parameters
    ----------
    folder : path
        The group's folder (:func:`check_folder` says which can be used).
    as_id : str, optional
        The id the files are named by (``P001``); default :func:`share_id`.
    log : path, optional
        The session log (default: the person's log).
    plan : path, optional
        The plan to share (default: the person's active plan).

    Returns
    -------
    Shared
        The id, the folder's group and the two files (``ID.csv``, ``ID.yaml``), 0640.

    Raises
    ------
    UsageError
        For a folder or id that cannot be used, or a file of that name that
        is someone else's; nothing is written.
    backkit.errors.LogFileError
        When there is no log, or it cannot be read; nothing is written. The
        log is read from a snapshot, so it is not changed either.

    Examples
    --------
    >>> import os, stat, tempfile, backkit
    >>> folder = tempfile.mkdtemp()
    >>> log = backkit.SessionLog(os.path.join(tempfile.mkdtemp(), "log.sqlite"))
    >>> _ = log.record(exercise_id="bridge", notes="after seeing Jane")
    >>> done = share(folder, as_id="P001", log=log.path)
    >>> [p.name for p in done.files], oct(stat.S_IMODE(done.files[0].stat().st_mode))
    (['P001.csv', 'P001.yaml'], '0o640')
    >>> "Jane" in done.files[0].read_text()
    False
    """
    from .report import Privacy  # a large module: read only when sharing

    path, gid = check_folder(folder)
    if as_id is not None:
        _check_id(as_id)
    source = Path(log).expanduser() if log is not None else default_log_path()
    if not source.is_file():
        raise LogFileError(source, _("there is no log here: nothing to share"))
    frame = read(source).frame  # from a snapshot: the log is not touched
    chosen = Plan.load(plan) if plan is not None else Plan.active()
    ident = as_id if as_id is not None else share_id()  # made only once all else is right
    targets = (path / f"{ident}.csv", path / f"{ident}.yaml")
    for target in targets:
        _check_target(target)
    privacy = Privacy(ident)
    frame = privacy.log(frame)
    shared_plan = privacy.plan(chosen)
    assert shared_plan is not None  # a plan in, a plan out
    plan_text = shared_plan.to_yaml()
    with tempfile.TemporaryDirectory(prefix="backkit-share-") as scratch:  # 0700, files 0600
        csv_bytes = write_csv(frame, Path(scratch) / "export.csv").read_bytes()
    for target, data in zip(targets, (csv_bytes, plan_text.encode("utf-8")), strict=True):
        write_atomically(target, _shared_writer(data, gid))
    return Shared(ident, _group_name(gid), targets, len(frame))
