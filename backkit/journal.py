"""Python's copy of a running, unsaved session: one small JSON file per timer key.

The timer's page keeps a copy of a session's events in the browser's storage
(backkit issue 26); this module keeps another beside the log, written as the
events reach Python, so a session survives what the browser's storage does
not (another browser, a private window, storage cleared). A new timer of the
same log, plan and routine (the same
:func:`backkit.widgets.timer_view.journal_key`) finds it and the page offers
to resume it or save what was done.

Each journal is ``<data home>/journal/<sha256 of the key>.json`` (file
``0600``, folder ``0700``), holding ``{"v", "key", "events", "alive",
"title"}`` (``alive``: the time of the last event, seconds since the epoch)
and, when the page gave one, ``"choice"``. The key and the file name say
nothing of the person; the events hold times and presses, never a rating.

Examples
--------
>>> from backkit import journal
>>> events = [{"n": 0, "action": "start", "at": 1.7e9, "index": 0},
...           {"n": 1, "action": "phase", "at": 1.7e9 + 5, "index": 1}]
>>> path = journal.write("backkit.session/abc/def", events, title="Bridge")
>>> oct(path.stat().st_mode & 0o777), oct(path.parent.stat().st_mode & 0o777)
('0o600', '0o700')
>>> copy = journal.read("backkit.session/abc/def")
>>> copy["alive"] - 1.7e9, copy["title"], len(copy["events"])
(5.0, 'Bridge', 2)
>>> journal.remove("backkit.session/abc/def"), journal.read("backkit.session/abc/def")
(True, None)
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

from . import config
from ._checks import read_bounded
from .errors import BackkitError
from .i18n import gettext as _

__all__ = [
    "EVENT_ACTIONS", "FOLDER", "MAX_BYTES", "VERSION",
    "newest", "path_for", "read", "remove", "write",
]  # fmt: skip

#: The journal's format; a file of another version is not read.
VERSION = 1
#: The folder of the data home the journals live in.
FOLDER = "journal"
#: A journal larger than this is not read (a long session's events are a few hundred KB).
MAX_BYTES = 4 * 1024 * 1024
#: What an event may say happened (``TimerFace.events``): the person's presses,
#: what the page saw (phase, end) and the page's "save what you did".
EVENT_ACTIONS = frozenset(
    {"start", "pause", "resume", "skip", "back", "stop", "phase", "end", "save"}
)


def path_for(key: str) -> Path:
    """The file of the journal of ``key`` (not made; the data home is not created).

    Examples
    --------
    >>> from backkit import journal
    >>> p = journal.path_for("backkit.session/abc/def")
    >>> p.parent.name, p.suffix, len(p.stem)
    ('journal', '.json', 64)
    """
    name = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return config.data_home(create=False) / FOLDER / f"{name}.json"


def write(
    key: str, events: list[dict[str, Any]], *, title: str = "", choice: str | None = None
) -> Path:
    """Keep ``events`` as the journal of ``key``, all or nothing; return its file.

    Raises
    ------
    BackkitError
        When the key is empty or an event is malformed; nothing is written.
    OSError
        When the disk refuses (full, read-only); the previous journal is unchanged.

    Examples
    --------
    >>> from backkit import journal
    >>> journal.write("k", [{"action": "start", "at": "soon"}])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    backkit.errors.BackkitError: session journal of 'k': event 1's 'at' must be a number ...
    """
    from .store import write_atomically

    where = _("session journal of {key}").format(key=repr(key))
    if not key:
        raise BackkitError(_("'key' must not be empty (a log kept in memory has no journal)"),
                           where=_("session journal"))  # fmt: skip
    _check_events(events, where)
    copy: dict[str, Any] = {
        "v": VERSION,
        "key": key,
        "events": events,
        "alive": max(float(ev["at"]) for ev in events),
        "title": str(title),
    }
    if choice is not None:
        copy["choice"] = str(choice)
    text = json.dumps(copy, ensure_ascii=False, allow_nan=False)
    return write_atomically(path_for(key), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read(key: str) -> dict[str, Any] | None:
    """The journal of ``key`` as written, or None when there is none; never writes.

    Raises
    ------
    BackkitError
        Naming the file and what is wrong when it is not a journal of
        ``key`` (not JSON, another key or version, a malformed event: a file
        edited by hand). The caller ignores it and says so.

    Examples
    --------
    >>> from backkit import journal
    >>> journal.read("backkit.session/none/yet") is None
    True
    >>> _ = journal.write("k", [{"action": "start", "at": 1.7e9}])
    >>> _ = journal.path_for("k").write_text('{"v": 1, "key": "k", "events": "edited"}')
    >>> journal.read("k")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    backkit.errors.BackkitError: .../journal/...json: 'events' must be a non-empty list ...
    >>> journal.remove("k")
    True
    """
    path = path_for(key)
    copy = _load(path)
    if copy is not None and copy["key"] != key:
        raise BackkitError(_("'key' must be {key}, got {found}").format(
            key=repr(key), found=repr(copy["key"])), where=path)  # fmt: skip
    return copy


def newest(prefix: str, *, besides: str = "", chosen: bool = False) -> dict[str, Any] | None:
    """The journal last alive whose key starts with ``prefix`` (not ``besides``'s); never writes.

    With ``chosen``, only journals holding a ``choice`` count. Journals that
    cannot be read are passed over (:func:`read` of their own key says why).
    The timer asks this for a session of another routine of the same log and
    plan, which the app then shows.

    Examples
    --------
    >>> from backkit import journal
    >>> start = [{"action": "start", "at": 1.7e9}]
    >>> _ = journal.write("backkit.session/log/one", start, choice="bridge")
    >>> _ = journal.write("backkit.session/log/two", start + [{"action": "phase", "at": 1.7e9 + 9}])
    >>> journal.newest("backkit.session/log/")["key"]
    'backkit.session/log/two'
    >>> journal.newest("backkit.session/log/", chosen=True)["choice"]
    'bridge'
    >>> journal.remove("backkit.session/log/one"), journal.remove("backkit.session/log/two")
    (True, True)
    """
    folder = config.data_home(create=False) / FOLDER
    try:
        paths = sorted(folder.glob("*.json"))
    except OSError:
        return None
    found = None
    for path in paths:
        try:
            copy = _load(path)
        except BackkitError:
            continue
        if (
            copy is None or copy["key"] == besides or not copy["key"].startswith(prefix)
            or path != path_for(copy["key"]) or (chosen and "choice" not in copy)
        ):  # fmt: skip
            continue
        if found is None or copy["alive"] > found["alive"]:
            found = copy
    return found


def _load(path: Path) -> dict[str, Any] | None:
    """The journal in ``path``, checked, or None when there is no file; never writes."""
    try:
        data, why = read_bounded(path, MAX_BYTES)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise BackkitError(_("cannot be read ({reason})").format(reason=err.strerror or err),
                           where=path) from err  # fmt: skip
    if data is None:
        raise BackkitError(why or "", where=path)
    try:
        copy = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise BackkitError(_("is not a session journal (not JSON: {reason})").format(reason=err),
                           where=path) from err  # fmt: skip
    if not isinstance(copy, dict):
        raise BackkitError(_("is not a session journal (a {kind}, not an object)").format(
            kind=type(copy).__name__), where=path)  # fmt: skip
    if copy.get("v") != VERSION:
        raise BackkitError(_("'v' must be {version}, got {found}").format(
            version=VERSION, found=repr(copy.get("v"))), where=path)  # fmt: skip
    if not isinstance(copy.get("key"), str):
        raise BackkitError(_("'key' must be text, got {found}").format(
            found=f"{copy.get('key')!r:.60}"), where=path)  # fmt: skip
    _check_events(copy.get("events"), path)
    copy["alive"] = max(float(ev["at"]) for ev in copy["events"])
    copy["title"] = str(copy.get("title", ""))
    if "choice" in copy and not isinstance(copy["choice"], str):
        del copy["choice"]
    return copy


def remove(key: str) -> bool:
    """Remove the journal of ``key``; True when there was one.

    Raises
    ------
    OSError
        When the file is there and cannot be removed.

    Examples
    --------
    >>> from backkit import journal
    >>> journal.remove("backkit.session/never/kept")
    False
    """
    if not key:
        return False
    try:
        path_for(key).unlink()
    except FileNotFoundError:
        return False
    return True


def _check_events(events: Any, where: str | Path) -> None:
    """Raise naming the first thing wrong with ``events`` (the page's event list)."""
    if not isinstance(events, list) or not events:
        raise BackkitError(_("'events' must be a non-empty list of events, got {found}").format(
            found=f"{events!r:.60}"), where=where)  # fmt: skip
    for i, ev in enumerate(events, 1):
        if not isinstance(ev, dict):
            raise BackkitError(_("event {number} must be an object, got {found}").format(
                number=i, found=f"{ev!r:.60}"), where=where)  # fmt: skip
        action, at = ev.get("action"), ev.get("at")
        if action not in EVENT_ACTIONS:
            raise BackkitError(_("event {number}'s 'action' must be one of {actions}, "
                                 "got {found}").format(number=i, actions=sorted(EVENT_ACTIONS),
                                                       found=f"{action!r:.40}"),
                               where=where)  # fmt: skip
        if isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at):
            raise BackkitError(_("event {number}'s 'at' must be a number of seconds since the "
                                 "epoch, got {found}").format(number=i, found=f"{at!r:.40}"),
                               where=where)  # fmt: skip
        index = ev.get("index", 0)
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise BackkitError(_("event {number}'s 'index' must be a whole number from 0, "
                                 "got {found}").format(number=i, found=f"{index!r:.40}"),
                               where=where)  # fmt: skip
        if "wall" in ev and not isinstance(ev["wall"], str):
            raise BackkitError(_("event {number}'s 'wall' must be text, got {found}").format(
                number=i, found=f"{ev['wall']!r:.40}"), where=where)  # fmt: skip
    if events[0].get("action") != "start":
        raise BackkitError(_("event 1 must be the start, got {found}").format(
            found=f"{events[0].get('action')!r:.40}"), where=where)  # fmt: skip
