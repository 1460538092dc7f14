"""The audit trail: every earlier value of a corrected or removed entry, with its reason.

Nothing the kit stores is rewritten silently. A correction (``SessionLog.correct``,
``SessionLog.correct_session``, ``outcomes.correct_checkin``) or a removal
(``SessionLog.remove``, ``outcomes.remove_checkin``) writes one row per changed
field to the ``changes`` table of the store, in the same transaction as the
change: when, what (``target``: bout, session, checkin or screening, and its
id), the field, the old and the new value, and the reason the person gave.
Removed entries stay in their table, marked removed, so their values are
never lost.

Values are kept as JSON text, so a number comes back as a number and a
missing value as None. The table is created by a step of the log's
``sessions`` migration set (:data:`backkit.log.MIGRATIONS`; once schema step
4), which is why :data:`TABLE` holds only its SQL.

The trail is tamper-evident (the ``changes`` set's ``hash_chain`` step, once
schema step 8: :data:`CHAIN`): each row keeps
the SHA-256 of its own content and of the row before it (:func:`entry_hash`),
so a row deleted, added, reordered or edited afterwards breaks every hash
after it (:func:`chain_problems`); and replaying the trail, field by field,
must give the values the log holds (:func:`replay_problems`). A JSON import
checks both (:mod:`backkit.logjson`).

Examples
--------
>>> import backkit
>>> log = backkit.SessionLog(":memory:")
>>> row = log.record(exercise_id="bridge", pain_after=3, started_at="2024-05-01T08:00+00:00")
>>> _ = log.correct(row["row_id"], pain_after=2, reason="typed 3, meant 2")
>>> log.history(row["row_id"])[["field", "old", "new", "reason"]]
        field old new            reason
0  pain_after   3   2  typed 3, meant 2
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import config
from ._checks import LIMITS, Checker
from .config import kit_timezone
from .errors import Problem
from .store import Store, from_utc_text, utc_text

if TYPE_CHECKING:
    import sqlite3

    import pandas as pd

__all__ = [
    "AUDIT_COLUMNS",
    "CHAIN",
    "GENESIS",
    "MAX_REASON",
    "TABLE",
    "TARGETS",
    "UNKNOWN",
    "chain_existing",
    "chain_problems",
    "check_reason",
    "decode",
    "encode",
    "entry_hash",
    "note",
    "replay_problems",
    "trail",
]

#: What a change can be about.
TARGETS = ("bout", "session", "checkin", "screening")
#: The longest reason accepted, in characters (the kit's text limit).
MAX_REASON = int(LIMITS["text"].hi)
#: The SQL that makes the ``changes`` table (run by a step of the log's ``sessions`` set).
TABLE = (
    f"""CREATE TABLE changes (
        change_id INTEGER PRIMARY KEY,
        changed_at TEXT NOT NULL,
        target TEXT NOT NULL CHECK (target IN ({", ".join(repr(t) for t in TARGETS)})),
        target_id TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT,
        new TEXT,
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0)
    )""",
    "CREATE INDEX changes_target ON changes (target, target_id)",
)
#: Columns of :func:`trail` and their dtypes (``old`` and ``new`` hold Python values).
AUDIT_COLUMNS: dict[str, str] = {
    "target": "category",
    "target_id": "string",
    "when": "datetime64[ns, tz]",
    "field": "string",
    "old": "object",
    "new": "object",
    "reason": "string",
}
#: The field a removal is written under (old False, new True).
REMOVED = "removed"


def _plain(value: Any) -> Any:
    """A JSON-friendly version of one stored value."""
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)


def encode(value: Any) -> str:
    """One value as the audit trail keeps it: JSON text (None is ``null``).

    Examples
    --------
    >>> encode(3), encode(None), encode("stiff"), encode({"q1": True})
    ('3', 'null', '"stiff"', '{"q1": true}')
    """
    return json.dumps(value, default=_plain, ensure_ascii=False, sort_keys=True)


def decode(text: str | None) -> Any:
    """The value :func:`encode` wrote.

    Examples
    --------
    >>> decode("3"), decode("null"), decode(None)
    (3, None, None)
    """
    return None if text is None else json.loads(text)


def check_reason(reason: Any, where: str) -> tuple[str | None, list[Problem]]:
    """The reason for a change, stripped, and the problems with it (it must be given).

    Examples
    --------
    >>> check_reason("  typo ", "correct")
    ('typo', [])
    >>> [p.message for p in check_reason("", "correct")[1]]
    ['is required: say why the entry changes (it is kept in the audit trail)']
    """
    row = Checker({"reason": reason}, where)
    text = row.text("reason", MAX_REASON)
    if (text is None and not row.problems) or text == "":
        row.bad(
            "reason",
            reason,
            "is required: say why the entry changes (it is kept in the audit trail)",
        )
        text = None
    return text, row.problems


#: The hash a trail's first row follows.
GENESIS = "0" * 64
_FIELDS = ("change_id", "changed_at", "target", "target_id", "field", "old", "new", "reason")


def entry_hash(previous: str, entry: Mapping[str, Any]) -> str:
    """The hash of one audit row: SHA-256 of the previous row's hash and this row's content.

    ``entry`` holds :data:`_FIELDS` with ``old`` and ``new`` as values (decoded,
    as a JSON export holds them), so a row hashes the same in the log and in
    its export.

    Examples
    --------
    >>> row = {"change_id": 1, "changed_at": "2024-05-01T08:00:00.000000Z", "target": "bout",
    ...        "target_id": "1", "field": "pain_after", "old": 3, "new": 2, "reason": "typo"}
    >>> entry_hash(GENESIS, row) == entry_hash(GENESIS, {**row, "new": 2})
    True
    >>> entry_hash(GENESIS, row) == entry_hash(GENESIS, {**row, "new": 4})
    False
    """
    body = json.dumps(
        [entry[k] for k in _FIELDS],
        default=_plain,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{previous}\n{body}".encode("utf-8", "surrogatepass")).hexdigest()


def note(
    db: sqlite3.Connection,
    target: str,
    target_id: Any,
    changes: Iterable[tuple[str, Any, Any]],
    reason: str,
    when: dt.datetime | None = None,
) -> int:
    """Write one audit row per ``(field, old, new)`` inside the caller's transaction.

    Each row is chained to the one before it (:func:`entry_hash`); the
    caller's transaction holds the write lock, so no other row comes between.
    Returns the number of rows written.
    """
    stamp = utc_text(when or config.now())
    last = db.execute("SELECT change_id, hash FROM changes ORDER BY change_id DESC LIMIT 1")
    found = last.fetchone()
    change_id, previous = (found[0], found[1] or GENESIS) if found else (0, GENESIS)
    rows = []
    for field, old, new in changes:
        change_id += 1
        stored = (encode(old), encode(new))
        # hashed as an export holds it: the values, not their text
        values = (change_id, stamp, target, str(target_id), field, *map(decode, stored), reason)
        previous = entry_hash(previous, dict(zip(_FIELDS, values, strict=True)))
        rows.append((change_id, stamp, target, str(target_id), field, *stored, reason, previous))
    db.executemany(
        "INSERT INTO changes (change_id, changed_at, target, target_id, field, old, new, "
        "reason, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def chain_existing(db: sqlite3.Connection) -> None:
    """Chain every row of the ``changes`` table, oldest first (``hash_chain``, an upgrade).

    Rows written before the trail was chained get their hashes now: from
    here on, a change to any of them shows.
    """
    previous = GENESIS
    rows = db.execute(f"SELECT {', '.join(_FIELDS)} FROM changes ORDER BY change_id").fetchall()
    hashes = []
    for row in rows:
        entry = dict(zip(_FIELDS, row, strict=True))
        entry["old"], entry["new"] = decode(row[5]), decode(row[6])
        previous = entry_hash(previous, entry)
        hashes.append((previous, entry["change_id"]))
    db.executemany("UPDATE changes SET hash = ? WHERE change_id = ?", hashes)


#: The log's ``hash_chain`` step: the hash column, and the rows already there chained.
CHAIN: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    "ALTER TABLE changes ADD COLUMN hash TEXT",
    chain_existing,
)


def chain_problems(entries: Sequence[Mapping[str, Any]], where: str = "changes") -> list[Problem]:
    """The first place where ``entries`` (in order, with their ``hash``) break the chain.

    ``entries`` are audit rows as a JSON export holds them (``old`` and
    ``new`` decoded). An empty list when every hash follows from the rows
    before it.

    Examples
    --------
    >>> row = {"change_id": 1, "changed_at": "2024-05-01T08:00:00.000000Z", "target": "bout",
    ...        "target_id": "1", "field": "pain_after", "old": 3, "new": 2, "reason": "typo"}
    >>> chain_problems([{**row, "hash": entry_hash(GENESIS, row)}])
    []
    >>> [p.field for p in chain_problems([{**row, "new": 9, "hash": entry_hash(GENESIS, row)}])]
    ['hash']
    """
    previous = GENESIS
    for n, entry in enumerate(entries):
        expected = entry_hash(previous, entry)
        if entry.get("hash") != expected:
            message = (
                "does not follow from the audit trail before it: an entry was deleted, "
                "added, reordered or edited after it was written, so the trail cannot be trusted"
            )
            return [Problem(f"{where}[{n}]", "hash", entry.get("hash"), message)]
        previous = expected
    return []


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


#: What ``current`` returns for a field :func:`replay_problems` cannot look up.
UNKNOWN: Any = _Unknown()


def replay_problems(
    entries: Sequence[Mapping[str, Any]],
    current: Callable[[str, str, str], Any],
    where: str = "changes",
) -> list[Problem]:
    """Where replaying the trail does not give the values held: field by field, in order.

    Each change of a field must start from the value the change before it
    left (its ``old`` is that one's ``new``), and the last change must leave
    the value held now (``current(target, target_id, field)``; :data:`UNKNOWN`
    for a field it cannot tell). A deleted or invented entry shows here even
    without a hash chain.

    Examples
    --------
    >>> trail = [{"target": "bout", "target_id": "1", "field": "pain_after", "old": 3, "new": 2},
    ...          {"target": "bout", "target_id": "1", "field": "pain_after", "old": 5, "new": 4}]
    >>> [p.message[:40] for p in replay_problems(trail, lambda *key: 4)]
    ['changes pain_after from 5, but the chang']
    """
    last: dict[tuple[str, str, str], tuple[int, Any]] = {}
    problems = []
    for n, entry in enumerate(entries):
        key = (entry["target"], str(entry["target_id"]), entry["field"])
        if key in last and not _same(last[key][1], entry["old"]):
            before, value = last[key]
            message = (
                f"changes {key[2]} from {entry['old']!r}, but the change before it "
                f"({where}[{before}]) left {value!r}: an entry is missing or was invented"
            )
            problems.append(Problem(f"{where}[{n}]", "old", entry["old"], message))
        last[key] = (n, entry["new"])
    for (target, target_id, field), (n, value) in last.items():
        held = current(target, target_id, field)
        if held is not UNKNOWN and not _same(held, value):
            message = (
                f"leaves {target} {target_id} {field} = {value!r}, but the log holds {held!r}: "
                "the trail does not replay to the values stored"
            )
            problems.append(Problem(f"{where}[{n}]", "new", value, message))
    return problems


def _same(a: Any, b: Any) -> bool:
    """Equal as stored values: 2 and 2.0 are, True and 1 are not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def trail(
    store: Store, *, target: str | None = None, target_id: Any = None, tz: Any = None
) -> pd.DataFrame:
    """The audit trail, oldest change first, for one entry or the whole store.

    Parameters
    ----------
    store : Store
        The log's store (``log.store``).
    target : {"bout", "session", "checkin", "screening"}, optional
        Only changes to this kind of entry.
    target_id : optional
        Only changes to this entry (a bout's ``row_id``, a ``session_id``, a ``checkin_id``).
    tz : optional
        Time zone of ``when`` (default: the kit's).

    Returns
    -------
    DataFrame
        Columns :data:`AUDIT_COLUMNS`.
    """
    import pandas as pd

    sql = "SELECT target, target_id, changed_at, field, old, new, reason FROM changes"
    where, params = [], []
    if target is not None:
        where.append("target = ?")
        params.append(target)
    if target_id is not None:
        where.append("target_id = ?")
        params.append(str(target_id))
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = store.query(f"{sql} ORDER BY change_id", params)
    tz = kit_timezone() if tz is None else tz
    cols = list(zip(*rows, strict=True)) if rows else [()] * 7
    when = pd.to_datetime([from_utc_text(t) for t in cols[2]], utc=True)
    return pd.DataFrame(
        {
            "target": pd.Categorical(cols[0], categories=list(TARGETS)),
            "target_id": pd.array(cols[1], dtype="string"),
            "when": when.as_unit("ns").tz_convert(tz),
            "field": pd.array(cols[3], dtype="string"),
            "old": pd.Series([decode(v) for v in cols[4]], dtype=object),
            "new": pd.Series([decode(v) for v in cols[5]], dtype=object),
            "reason": pd.array(cols[6], dtype="string"),
        }
    )
