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
missing value as None. The table is created by the log's schema step 4
(:data:`backkit.log.MIGRATIONS`), which is why :data:`TABLE` holds only its SQL.

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
import json
import numbers
from collections.abc import Iterable
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
    "MAX_REASON",
    "TABLE",
    "TARGETS",
    "check_reason",
    "decode",
    "encode",
    "note",
    "trail",
]

#: What a change can be about.
TARGETS = ("bout", "session", "checkin", "screening")
#: The longest reason accepted, in characters (the kit's text limit).
MAX_REASON = int(LIMITS["text"].hi)
#: The SQL that makes the ``changes`` table (run by the log's schema step 4).
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


def note(
    db: sqlite3.Connection,
    target: str,
    target_id: Any,
    changes: Iterable[tuple[str, Any, Any]],
    reason: str,
    when: dt.datetime | None = None,
) -> int:
    """Write one audit row per ``(field, old, new)`` inside the caller's transaction.

    Returns the number of rows written.
    """
    stamp = utc_text(when or config.now())
    rows = [
        (stamp, target, str(target_id), field, encode(old), encode(new), reason)
        for field, old, new in changes
    ]
    db.executemany(
        "INSERT INTO changes (changed_at, target, target_id, field, old, new, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


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
