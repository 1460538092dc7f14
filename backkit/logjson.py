"""The whole log as one JSON file: ``SessionLog.export_json`` and ``import_json``.

The file is one JSON object. Its header says what it is::

    {"format": "backkit-log", "version": 3, "schema_version": 9,
     "written_by": "backkit 0.1.0", "exported_at": "2025-03-03T08:00:00.000000Z",
     "bouts": [...], "sessions": [...], "checkins": [...], "scores": [...],
     "screenings": [...], "clearances": [...], "conditions": [...], "changes": [...],
     "trail_head": "<the hash of the last entry of changes>"}

Each section is a list of records, one per stored row, removed and replaced
entries included (their ``removed_at`` is set), so that nothing the log holds
is lost. :data:`SCHEMA` names every key of every record and its type:

=========  ===================================================================
type       JSON value
=========  ===================================================================
``int``    a whole number
``float``  a number
``str``    text
``bool``   true or false
``time``   text: a UTC time, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``
``date``   text: a calendar day, ``YYYY-MM-DD``
``json``   any JSON value (the audit trail's earlier and later values)
``answers`` an object mapping a screening question id (text) to true or false
=========  ===================================================================

A type ending in ``?`` may also be ``null`` (missing, never 0). The sections:

- ``bouts``: one exercise bout each (``backkit.log.COLUMNS`` without the
  session rating, plus ``row_id``, ``recorded_at``, ``removed_at``);
  ``pain_before``/``pain_after`` are ratings given for that exercise;
- ``sessions``: the whole-session pain rating, by ``session_id``;
- ``checkins``: one weekly check-in each (``leg_pain`` 0-10,
  ``next_morning`` better/same/worse, ``below_knee``, ``notes``);
- ``scores``: the check-ins' scores, one per measure (and PSFS activity);
- ``screenings``: red-flag screening answers and the advice shown
  (``action``: none, clinician, urgent, emergency);
- ``clearances`` (version 2): a clinician saw the person about a "yes" and
  said they can exercise (``seen_on``, ``seen_by``, ``notes``; :mod:`backkit.gate`);
- ``conditions`` (version 2): the personal check's answers and the caution
  tags they set (:mod:`backkit.conditions`);
- ``changes``: the audit trail (``target`` bout, session, checkin or
  screening; ``target_id``; ``field``; ``old``; ``new``; ``reason``; and,
  from version 3, ``hash``: the SHA-256 chaining the entry to the one before
  it, :func:`backkit.audit.entry_hash`).

A reader must refuse a file whose ``format`` is not ``backkit-log`` or whose
``version`` it does not know; readers ignore no key (an unknown key is an
error), so a later version that adds keys says so by its number. Version 2
added ``clearances`` and ``conditions``; a version 1 file is read with both
empty. Version 3 added the audit trail's ``hash``.

Reading a version 3 file checks its audit trail: the hashes must chain
(an entry deleted, added, reordered or edited breaks the chain), and
replaying the changes field by field must give the values the file holds.
A file that fails either is refused, naming the entry. A version 1 or 2 file
has no chain to check: it is read with a :class:`~backkit.errors.LogFileWarning`
saying so, its trail is taken as it is and chained from then on (its
entries may predate the fix that made every rating change go in the trail,
so replaying them is not required to match).

Examples
--------
>>> from backkit.logjson import FORMAT, SCHEMA, VERSION
>>> FORMAT, VERSION, SCHEMA["sessions"]["pain_before"]
('backkit-log', 3, 'int?')
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import warnings
from pathlib import Path
from typing import Any

from . import audit, config
from ._checks import LIMITS, Checker, read_bounded
from ._version import __version__
from .errors import LogError, LogFileWarning, LogValidationError, Message, Problem
from .i18n import N_
from .store import Store, utc_text, write_atomically

__all__ = [
    "ADDED_IN",
    "FORMAT",
    "HEADER",
    "KEYS_ADDED_IN",
    "SCHEMA",
    "TABLES",
    "VERSION",
    "load",
    "read",
    "write",
]

FORMAT = "backkit-log"
VERSION = 3
#: The sections each version added (a file of an earlier version has none of them).
ADDED_IN = {"clearances": 2, "conditions": 2}
#: The keys each version added to a section's records (``(section, key)``: version).
KEYS_ADDED_IN = {("changes", "hash"): 3, ("header", "trail_head"): 3}
#: The header keys and their types (``schema_version``: the log file's schema when exported).
HEADER: dict[str, str] = {
    "format": "str",
    "version": "int",
    "schema_version": "int",
    "written_by": "str",
    "exported_at": "time",
    "trail_head": "str",
}
#: Every section: each record's keys (the stored table's columns) and their types.
SCHEMA: dict[str, dict[str, str]] = {
    "bouts": {
        "row_id": "int",
        "session_id": "str",
        "started_at": "time",
        "ended_at": "time?",
        "exercise_id": "str",
        "side": "str",
        "sets_planned": "int?",
        "sets_done": "int?",
        "reps_planned": "int?",
        "reps_done": "int?",
        "hold_s_planned": "float?",
        "hold_s_done": "float?",
        "status": "str",
        "pain_before": "int?",
        "pain_after": "int?",
        "effort": "int?",
        "notes": "str?",
        "plan_id": "str?",
        "source": "str",
        "recorded_at": "time?",
        "removed_at": "time?",
    },
    "sessions": {
        "session_id": "str",
        "pain_before": "int?",
        "pain_after": "int?",
        "recorded_at": "time",
    },
    "checkins": {
        "checkin_id": "str",
        "measured_on": "date",
        "leg_pain": "int?",
        "next_morning": "str?",
        "below_knee": "bool?",
        "notes": "str?",
        "recorded_at": "time",
        "removed_at": "time?",
    },
    "scores": {
        "row_id": "int",
        "checkin_id": "str",
        "measured_on": "date",
        "baseline": "bool",
        "kind": "str",
        "measure": "str",
        "item": "str?",
        "score": "float",
        "scale_min": "float",
        "scale_max": "float",
        "higher_is_better": "bool",
        "mcid": "float?",
        "notes": "str?",
        "recorded_at": "time",
        "removed_at": "time?",
    },
    "screenings": {
        "screening_id": "int",
        "answered_at": "time",
        "answers": "answers",
        "action": "str",
        "recorded_at": "time",
    },
    "clearances": {
        "clearance_id": "int",
        "seen_on": "date",
        "seen_by": "str",
        "notes": "str?",
        "recorded_at": "time",
    },
    "conditions": {
        "conditions_id": "int",
        "answered_at": "time",
        "answers": "json",
        "tags": "json",
    },
    "changes": {
        "change_id": "int",
        "changed_at": "time",
        "target": "str",
        "target_id": "str",
        "field": "str",
        "old": "json",
        "new": "json",
        "reason": "str",
        "hash": "str",
    },
}
#: The store's table behind each section.
TABLES = {
    "bouts": "bouts",
    "sessions": "sessions",
    "checkins": "checkins",
    "scores": "outcome_scores",
    "screenings": "screenings",
    "clearances": "clearances",
    "conditions": "conditions",
    "changes": "changes",
}
_ORDER = {
    "bouts": "row_id",
    "sessions": "session_id",
    "checkins": "measured_on, checkin_id",
    "scores": "row_id",
    "screenings": "screening_id",
    "clearances": "clearance_id",
    "conditions": "conditions_id",
    "changes": "change_id",
}
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
#: The largest file read: a million-bout log is about 0.6 GB of JSON.
MAX_BYTES = 2 * 1024**3
#: Text fields hold at most the log's longest text (notes), and an audit
#: value (any JSON) at most twice that once written out.
_MAX_TEXT = int(LIMITS["text"].hi)
_QUESTION_ID = re.compile(r"[a-z][a-z0-9_]{0,59}")
_INT64 = 2**63
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --------------------------------------------------------------------------
# Values: stored <-> JSON


def _to_json(kind: str, value: Any) -> Any:
    base = kind.rstrip("?")
    if value is None:
        return None
    if base == "bool":
        return bool(value)
    if base in ("json", "answers"):
        return json.loads(value)
    if base == "float":
        return float(value)
    return value


def _to_stored(kind: str, value: Any) -> Any:
    base = kind.rstrip("?")
    if value is None:
        return None
    if base == "bool":
        return int(value)
    if base in ("json", "answers"):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _type_problem(kind: str, value: Any) -> str | None:
    """What is wrong with ``value`` for ``kind``, or None."""
    base, optional = kind.rstrip("?"), kind.endswith("?")
    if value is None:
        return None if optional or base == "json" else N_("is required (not null)")
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "str": isinstance(value, str),
        "bool": isinstance(value, bool),
        "time": isinstance(value, str) and _TIME.fullmatch(value) is not None,
        "date": isinstance(value, str) and _DATE.fullmatch(value) is not None,
        "json": True,
        "answers": isinstance(value, dict)
        and all(
            isinstance(k, str) and _QUESTION_ID.fullmatch(k) and isinstance(v, bool)
            for k, v in value.items()
        ),
    }[base]
    if not ok:
        if base == "int":
            return N_("must be a whole number")
        return {
            "time": N_("must be a UTC time such as 2025-03-03T08:00:00.000000Z"),
            "date": N_("must be a date such as 2025-03-03"),
            "answers": N_(
                "must map question ids (lower-case letters, digits and _) to true or false"
            ),
        }.get(base, Message(N_("must be a {type}"), type=base))
    return _bound_problem(base, value)


def _bound_problem(base: str, value: Any) -> str | None:
    """What makes a value of the right type unfit to store (too large, unreadable), or None."""
    if base == "int" and not -_INT64 <= value < _INT64:
        return N_("is out of range (a whole number of at most 19 digits)")
    if base == "float" and not math.isfinite(value):
        return N_("must be a finite number")
    if base == "str":
        check = Checker({"text": value}, "")
        check.text("text", _MAX_TEXT)
        return check.problems[0].message if check.problems else None
    if base == "json":
        text = json.dumps(value, ensure_ascii=False)
        if len(text) > 2 * _MAX_TEXT:
            return Message(
                N_("is {length} characters written out; at most {limit}"),
                length=len(text),
                limit=2 * _MAX_TEXT,
            )
        check = Checker({"text": text}, "")
        check.text("text", 2 * _MAX_TEXT)
        return check.problems[0].message if check.problems else None
    return None


# --------------------------------------------------------------------------
# Writing


def write(store: Store, path: str | Path) -> Path:
    """Write everything ``store`` holds to the JSON file ``path``; return its path.

    Read in one snapshot (a read transaction), written with
    :func:`backkit.store.write_atomically`.
    """
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "schema_version": store.schema_version,
        "written_by": f"backkit {__version__}",
        "exported_at": utc_text(config.now()),
    }
    with store.reading() as db:  # one consistent snapshot of every table, nothing written
        for section, keys in SCHEMA.items():
            rows = db.execute(
                f"SELECT {', '.join(keys)} FROM {TABLES[section]} ORDER BY {_ORDER[section]}"
            ).fetchall()
            doc[section] = [
                {k: _to_json(kind, v) for (k, kind), v in zip(keys.items(), row, strict=True)}
                for row in rows
            ]
    # the last entry's hash: an entry removed from the end of the trail shows
    doc["trail_head"] = doc["changes"][-1]["hash"] if doc["changes"] else audit.GENESIS
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    return write_atomically(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))


# --------------------------------------------------------------------------
# Reading


def read(path: str | Path) -> dict[str, Any]:
    """Read and check a file written by :func:`write`: its header and every record's keys and types.

    Returns
    -------
    dict
        The document (sections as lists of dicts).

    Raises
    ------
    LogValidationError
        Naming every problem (``where`` is the section and record, e.g.
        ``bouts[3]``); nothing is read.
    """
    path = Path(path).expanduser()
    label = Message(N_("file {name}"), name=path.name)
    doc = _parse(path, label)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        message = Message(
            N_('is not a backkit log export (it needs "format": "{format}")'), format=FORMAT
        )
        raise LogValidationError([Problem(label, "format", found, message)])
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        message = Message(
            N_("is a version this backkit does not read (it reads versions 1 to {newest})"),
            newest=VERSION,
        )
        raise LogValidationError([Problem(label, "version", version, message)])
    problems = []
    for section, since in ADDED_IN.items():
        if version >= since:
            continue
        if section in doc:
            message = Message(
                N_("is not a section of a version {version} file (added in version {since})"),
                version=version,
                since=since,
            )
            problems.append(Problem(label, section, "...", message))
        doc[section] = []  # an earlier version's file: the section did not exist yet
    problems += _check_keys(doc, _keys("header", version), label, header=True)
    for section in SCHEMA:
        keys = _keys(section, version)
        records = doc.get(section)
        if not isinstance(records, list):
            problems.append(Problem(label, section, records, N_("must be a list of records")))
            continue
        for n, record in enumerate(records):
            problems += _check_keys(record, keys, f"{section}[{n}]")
    if problems:
        header = Message(N_("{file} was not imported:"), file=path.name)
        raise LogValidationError(problems, header=header)
    _check_trail(doc, version, path, label)
    return doc


def _check_trail(doc: dict[str, Any], version: int, path: Path, label: str) -> None:
    """Refuse a broken audit trail: hashes that do not chain, changes that do not replay."""
    if version >= KEYS_ADDED_IN[("changes", "hash")]:
        trail = sorted(doc["changes"], key=lambda c: c["change_id"])
        problems = audit.chain_problems(trail) or audit.replay_problems(trail, _held(doc))
        head = trail[-1]["hash"] if trail else audit.GENESIS
        if not problems and doc["trail_head"] != head:
            message = N_(
                "is not the hash of the audit trail's last entry: entries were removed "
                "from its end (or added), so the trail cannot be trusted"
            )
            problems = [Problem(label, "trail_head", doc["trail_head"], message)]
        if problems:
            header = Message(
                N_("{file} was not imported: its audit trail is broken:"), file=path.name
            )
            raise LogValidationError(problems, header=header)
    elif doc["changes"]:
        warnings.warn(
            LogFileWarning(
                path,
                Message.ngettext(
                    "is a version {version} export, from before the audit trail was "
                    "tamper-evident: its {n} audit entries were taken as they are (not "
                    "checked) and are chained from now on",
                    "is a version {version} export, from before the audit trail was "
                    "tamper-evident: its {n} audit entries were taken as they are (not "
                    "checked) and are chained from now on",
                    len(doc["changes"]),
                    version=version,
                    n=len(doc["changes"]),
                ),
            ),
            stacklevel=4,
        )


def _keys(section: str, version: int) -> dict[str, str]:
    """The keys of a section's records (or of the ``header``) in a file of ``version``."""
    return {
        key: kind
        for key, kind in (HEADER if section == "header" else SCHEMA[section]).items()
        if KEYS_ADDED_IN.get((section, key), 1) <= version
    }


def _held(doc: dict[str, Any]) -> Any:
    """``current(target, target_id, field)`` for :func:`backkit.audit.replay_problems`.

    The value the document holds, or :data:`backkit.audit.UNKNOWN` where a
    field is not one value of a record (a check-in's scores).
    """
    bouts = {str(r["row_id"]): r for r in doc["bouts"]}
    sessions = {r["session_id"]: r for r in doc["sessions"]}
    checkins = {r["checkin_id"]: r for r in doc["checkins"]}
    columns = {"bout": set(SCHEMA["bouts"]) - {"row_id", "recorded_at", "removed_at"},
               "session": {"pain_before", "pain_after"},
               "checkin": {"leg_pain", "next_morning", "below_knee", "notes"}}  # fmt: skip

    def current(target: str, target_id: str, field: str) -> Any:
        records = {"bout": bouts, "session": sessions, "checkin": checkins}.get(target)
        if records is None:
            return audit.UNKNOWN
        record = records.get(target_id)
        if field == audit.REMOVED and target != "session":
            return record is not None and record["removed_at"] is not None
        if field not in columns[target]:
            return audit.UNKNOWN
        if record is None:  # a session never rated has no record: its rating is missing
            return None if target == "session" else audit.UNKNOWN
        return record[field]

    return current


def _parse(path: Path, label: str) -> Any:
    """The file's JSON value; every way it cannot be one is a :class:`LogValidationError`."""
    try:
        return json.loads(_read_text(path, label))
    except FileNotFoundError:
        problem = Problem(label, "path", str(path), N_("does not exist"))
        raise LogValidationError([problem]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        message = Message(N_("is not a JSON file ({error})"), error=str(err))
        raise LogValidationError([Problem(label, "json", str(path), message)]) from None
    except RecursionError:
        deep = N_("nests lists or objects far deeper than a log export does")
        raise LogValidationError([Problem(label, "json", str(path), deep)]) from None


def _read_text(path: Path, label: str) -> str:
    """The file's text, refusing what is not a regular file or is larger than :data:`MAX_BYTES`."""
    data, why = read_bounded(path, MAX_BYTES)
    if data is None:
        message = Message(N_("{problem}, so not a log export"), problem=Message(why or ""))
        raise LogValidationError([Problem(label, "path", str(path), message)])
    return data.decode("utf-8")


def _check_keys(
    record: Any, keys: dict[str, str], where: str, header: bool = False
) -> list[Problem]:
    if not isinstance(record, dict):
        return [Problem(where, "record", record, N_("must be an object"))]
    problems = []
    sections = SCHEMA if header else {}
    for key in record:
        if key not in keys and key not in sections:
            problems.append(Problem(where, key, record[key], N_("is not a key of this record")))
    for key, kind in keys.items():
        if key not in record:
            problems.append(
                Problem(where, key, None, Message(N_("is missing ({kind})"), kind=kind))
            )
            continue
        message = _type_problem(kind, record[key])
        if message:
            problems.append(Problem(where, key, record[key], message))
    return problems


def load(store: Store, doc: dict[str, Any]) -> None:
    """Insert a checked document (:func:`read`) into an empty ``store``, in one transaction.

    Raises
    ------
    LogError
        When the store already holds entries.
    LogValidationError
        When a record breaks a rule of the store (a rating outside 0-10, an
        unknown side, a second check-in on one day, ...); nothing is written.
    """
    with store.transaction() as db:
        held = {
            section: db.execute(f"SELECT COUNT(*) FROM {TABLES[section]}").fetchone()[0]
            for section in SCHEMA
        }
        if any(held.values()):
            what = ", ".join(f"{n} {section}" for section, n in held.items() if n)
            raise LogError(
                Message(
                    N_(
                        "import_json reads into an empty log; this one holds {what}. Open a new "
                        "log (another path) and import there; nothing was written."
                    ),
                    what=what,
                ),
                where=store.path,
            )
        if "hash" not in (doc["changes"][0] if doc["changes"] else {"hash": ""}):
            _chain(doc["changes"])  # a file from before the chain: chained from now on
        for section, keys in SCHEMA.items():
            sql = (
                f"INSERT INTO {TABLES[section]} ({', '.join(keys)}) "
                f"VALUES ({', '.join('?' * len(keys))})"
            )
            for n, record in enumerate(doc[section]):
                values = [_to_stored(kind, record[k]) for k, kind in keys.items()]
                try:
                    db.execute(sql, values)
                except sqlite3.IntegrityError as err:
                    refused = Message(N_("is refused: {error}"), error=str(err))
                    problem = Problem(f"{section}[{n}]", "record", None, refused)
                    header = N_("Nothing was imported:")
                    raise LogValidationError([problem], header=header) from None


def _chain(changes: list[dict[str, Any]]) -> None:
    """Give the entries of an unchained trail (a version 1 or 2 file) their hashes, in order."""
    previous = audit.GENESIS
    for entry in sorted(changes, key=lambda c: c["change_id"]):
        entry["hash"] = previous = audit.entry_hash(previous, entry)
