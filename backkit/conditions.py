"""The one-time personal check: which exercise cautions apply to this person.

A few questions (``backkit/data/conditions.yaml``: osteoporosis, a hip
replacement and its approach, a knee replacement or arthritis, back surgery
in the last 3 months, pregnancy) whose answers set condition *tags*. A
caution in the catalogue names the tags it applies to
(:attr:`backkit.exercises.Caution.conditions`); the timer shows those first,
highlighted, beside the exercise (every caution is still shown to everyone).
The answers change nothing in a plan or a dose.

The answers live in the session log's file (table ``conditions``, migration
set ``conditions``: :data:`MIGRATIONS`), newest last; :func:`current` reads the newest.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from . import config, i18n
from ._yaml import parse_yaml
from .errors import CatalogueError, CheckInError, Problem
from .i18n import gettext as _
from .store import Migrations, from_utc_text, utc_text

if TYPE_CHECKING:
    from .log import SessionLog

__all__ = ["MIGRATIONS", "Answers", "Question", "current", "intro", "questions", "record", "tags"]

_WHERE = "backkit/data/conditions.yaml"

#: The personal check's migration set (its step was version 7 of the log
#: file); every log gets it when opened (:func:`backkit.store.kit_migrations`).
MIGRATIONS = Migrations("conditions")
MIGRATIONS.add(
    "conditions_table",
    "the conditions table: the personal check's answers (which cautions apply)",
    """CREATE TABLE conditions (
        conditions_id INTEGER PRIMARY KEY,
        answered_at TEXT NOT NULL,
        answers TEXT NOT NULL,
        tags TEXT NOT NULL
    )""",
    was=7,
)


@dataclass(frozen=True)
class Question:
    """One question of the personal check: its options and the tags each sets."""

    id: str
    ask: str
    #: ``(label, tags)`` of each option, in the order shown; the first is "No".
    options: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Answers:
    """The newest answers: each question's chosen option, and the tags they set."""

    answered_at: dt.datetime
    answers: dict[str, str]
    tags: frozenset[str]


def _data() -> dict[str, Any]:
    return _data_in(config.locale_name())


@functools.lru_cache(maxsize=len(config.LANGUAGES))
def _data_in(language: str) -> dict[str, Any]:
    text = (resources.files("backkit") / "data" / "conditions.yaml").read_text(encoding="utf-8")
    data = parse_yaml(text, _WHERE, CatalogueError)
    problems = []
    if not isinstance(data, dict) or not isinstance(data.get("intro"), str):
        problems.append("it needs an intro text and a list of questions")
    else:
        for n, q in enumerate(data.get("questions") or []):
            options = q.get("options") if isinstance(q, dict) else None
            if not isinstance(q, dict) or not isinstance(q.get("id"), str) or not options:
                problems.append(f"questions[{n}] needs an id, an ask and options")
                continue
            for option in options:
                if not isinstance(option.get("label"), str) or not isinstance(
                    option.get("tags"), list
                ):
                    problems.append(f"questions[{n}] ({q['id']}): options need a label and tags")
    if problems:
        raise CatalogueError("; ".join(problems), where=_WHERE)
    return i18n.translate_words(data, "conditions.yaml", language)


def intro() -> str:
    """The sentence above the questions."""
    return " ".join(_data()["intro"].split())


def questions() -> tuple[Question, ...]:
    """The questions of the personal check, in order.

    Examples
    --------
    >>> from backkit import conditions
    >>> q = conditions.questions()[1]
    >>> q.id, [label for label, _ in q.options][:2]
    ('hip_replacement', ['No', 'Yes, through the back of the hip (posterior)'])
    """
    return tuple(
        Question(
            q["id"],
            " ".join(q["ask"].split()),
            tuple((o["label"], tuple(o["tags"])) for o in q["options"]),
        )
        for q in _data()["questions"]
    )


def tags() -> frozenset[str]:
    """Every condition tag an answer can set (a caution may name only these)."""
    return frozenset(t for q in questions() for _, option in q.options for t in option)


def record(log: SessionLog, answers: Mapping[str, str]) -> Answers:
    """Store the answers (question id -> the chosen option's label); return them with their tags.

    A question left out is stored as not answered (it sets no tag).

    Raises
    ------
    CheckInError
        Naming each unknown question or option; nothing is written.

    Examples
    --------
    >>> import backkit
    >>> from backkit import conditions
    >>> log = backkit.SessionLog(":memory:")
    >>> sorted(conditions.record(log, {"hip_replacement": "Yes, I don't know which way"}).tags)
    ['hip_anterior', 'hip_posterior']
    >>> conditions.current(log).answers
    {'hip_replacement': "Yes, I don't know which way"}
    """
    asked = {q.id: dict(q.options) for q in questions()}
    problems = []
    chosen: set[str] = set()
    for key, label in answers.items():
        if key not in asked:
            problems.append(Problem(_("personal check"), str(key), label, _("is not a question")))
        elif label not in asked[key]:
            problems.append(Problem(_("personal check"), key, label,
                                    _("must be one of: {options}").format(
                                        options="; ".join(asked[key]))))  # fmt: skip
        else:
            chosen.update(asked[key][label])
    if problems:
        raise CheckInError(problems, header=_("The answers were not saved (nothing was written):"))
    now = config.now()
    with log.store.transaction() as db:
        db.execute(
            "INSERT INTO conditions (answered_at, answers, tags) VALUES (?, ?, ?)",
            (utc_text(now), json.dumps(dict(answers), sort_keys=True), json.dumps(sorted(chosen))),
        )
    return Answers(now.astimezone(config.kit_timezone()), dict(answers), frozenset(chosen))


def current(log: SessionLog) -> Answers | None:
    """The newest answers, or None when the personal check was never answered."""
    rows = log.store.query(
        "SELECT answered_at, answers, tags FROM conditions "
        "ORDER BY answered_at DESC, conditions_id DESC LIMIT 1"
    )
    if not rows:
        return None
    when, answers, stored = rows[0]
    return Answers(
        from_utc_text(when).astimezone(config.kit_timezone()),
        json.loads(answers),
        frozenset(json.loads(stored)),
    )
