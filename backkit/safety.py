"""Safety first: warning signs, red-flag questions, stop rules and pain monitoring.

Everything clinical here comes from ``backkit/data/safety.yaml``: each sign,
rule, red-flag group and question carries the tags of its sources, and each
source has a title and a web address or a full reference (checked when the
file is read). This module only reads the file and turns it into advice:

- :func:`signs` (emergency, urgent) and :func:`clinician_red_flags`;
- :func:`screening_questions`, :func:`screening_action`,
  :func:`screening_advice` and :func:`screening_due`: the yes/no red-flag
  questions asked before exercising and in each weekly check-in (the
  answers are stored by :func:`backkit.outcomes.record_screening`);
- :func:`pain_message`: the kit's one message about pain while exercising;
- :func:`max_pain`, :func:`max_rise`, :func:`pain_zone`, :func:`check_pain`:
  the pain-monitoring model (Silbernagel 2007, from tendinopathy research,
  extrapolated to the back). Its zones are a common clinical adaptation and
  the rise rule is the kit's own: the file says so and so do the messages.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from . import config
from ._checks import LIMITS
from ._yaml import parse_yaml
from .errors import BackkitError, CatalogueError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ACTIONS",
    "Item",
    "PainAdvice",
    "Question",
    "Source",
    "check_pain",
    "clinician_red_flags",
    "max_pain",
    "max_rise",
    "next_morning_advice",
    "pain_message",
    "pain_model",
    "pain_zone",
    "rules",
    "safety_markdown",
    "screening_action",
    "screening_advice",
    "screening_due",
    "screening_intro",
    "screening_questions",
    "show_safety",
    "signs",
    "sources",
    "warning_answers",
]

#: The weekly check-in's question about the morning after exercising.
NEXT_MORNING_QUESTION = "How did your back feel the morning after exercising?"
#: The weekly check-in's question about leg symptoms (as the second stop rule:
#: new or further than usual).
BELOW_KNEE_QUESTION = (
    "Pain or tingling below your knee that is new or has spread further than usual?"
)
#: Columns of :func:`warning_answers`.
WARNING_COLUMNS = ("date", "question", "answer", "action", "advice")

_WHERE = "safety.yaml (built-in)"
#: Action levels of the red-flag questions, from least to most serious.
ACTIONS = ("none", "clinician", "urgent", "emergency")
_LISTS = (
    ("emergency", "signs"),
    ("urgent", "signs"),
    ("clinician_red_flags", "groups"),
    ("stop_rules", "rules"),
    ("screening", "questions"),
)


@dataclass(frozen=True)
class Source:
    """One source of the safety data: a title and a web address or a full reference."""

    tag: str
    title: str
    url: str | None = None
    reference: str | None = None
    note: str | None = None

    def cite(self) -> str:
        """The source in one line: its title, then its reference and address when given."""
        parts = (p.strip().rstrip(".") for p in (self.title, self.reference, self.url) if p)
        return ". ".join(parts) + "."


@dataclass(frozen=True)
class Item:
    """One sign, rule or red-flag group, with the tags of its sources."""

    text: str
    sources: tuple[str, ...]
    name: str | None = None  # a red-flag group's name
    note: str | None = None


@dataclass(frozen=True)
class Question:
    """A red-flag question asked before exercising, answered yes or no."""

    id: str
    ask: str
    action: str  # what a "yes" calls for: "clinician", "urgent" or "emergency"
    sources: tuple[str, ...]


def _text(value: Any) -> str:
    return " ".join(str(value).split())


def _source_problems(data: dict[str, Any]) -> list[str]:
    known = data.get("sources") or {}
    out = []
    for tag, src in known.items():
        if not isinstance(src, dict) or not src.get("title"):
            out.append(f"sources.{tag} has no title")
        elif not (src.get("url") or src.get("reference")):
            out.append(f"sources.{tag} has neither a url nor a reference")
    used = [
        (name, tag)
        for name in data
        if isinstance(data[name], dict)
        for tag in data[name].get("sources", [])
        if name != "sources"
    ]
    for name, key in _LISTS:
        for k, entry in enumerate(data[name][key]):
            if not entry.get("sources"):
                out.append(f"{name}.{key}[{k}] names no source")
            used += [(f"{name}.{key}[{k}]", tag) for tag in entry.get("sources", [])]
    out += [
        f"{where} cites {tag!r}, which is not under sources"
        for where, tag in used
        if tag not in known
    ]
    return out


def _problems(data: dict[str, Any]) -> list[str]:
    """What is wrong with the file (empty when nothing is)."""
    out = _source_problems(data)
    questions = data["screening"]["questions"]
    ids = [q["id"] for q in questions]
    out += [
        f"screening question {i!r} is given twice" for i in sorted(set(ids)) if ids.count(i) > 1
    ]
    out += [
        f"screening question {q['id']!r} has action {q['action']!r}, not one of "
        f"{', '.join(ACTIONS[1:])}"
        for q in questions
        if q["action"] not in ACTIONS[1:]
    ]
    out += [
        f"screening.advice has no advice for {a!r}"
        for a in ACTIONS
        if a not in data["screening"]["advice"]
    ]
    zones = data["pain_monitoring"]["zones"]
    if not zones or zones[-1]["upto"] < LIMITS["pain"].hi:
        out.append(
            f"pain_monitoring.zones must reach {LIMITS['pain'].hi:g} (the top of the pain "
            f"scale); the last zone ends at {zones[-1]['upto'] if zones else 'nothing'}"
        )
    return out


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = (resources.files("backkit") / "data" / "safety.yaml").read_text(encoding="utf-8")
    data = parse_yaml(text, _WHERE, CatalogueError)
    problems = _problems(data)
    if problems:
        raise CatalogueError("; ".join(problems), where=_WHERE)
    return data


@functools.lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    """Return the safety rules as plain text, as loaded from ``safety.yaml`` (read once).

    The sections of the file, with each sign and rule as its text (the lists
    ``emergency.signs``, ``urgent.signs``, ``stop_rules.rules``), the
    clinician red flags as ``groups`` (name -> text) and each source as one
    line (tag -> title, reference and address). The sources of each item are
    in :func:`signs`, :func:`clinician_red_flags` and :func:`sources`.

    Raises
    ------
    CatalogueError
        When the file is not valid YAML, cites a source it does not list,
        lists a source without a title and an address or reference, or its
        pain zones do not cover 0-10.

    Examples
    --------
    >>> from backkit import safety
    >>> safety.rules()["emergency"]["signs"][0]
    'Pain, tingling, weakness or numbness in both legs.'
    >>> safety.rules()["sources"]["NICE"]
    'NICE guideline NG59: ... https://www.nice.org.uk/guidance/ng59.'
    """
    data = _data()
    out = dict(data)
    for name, key in _LISTS[:4]:
        section = dict(data[name])
        if key == "groups":
            section[key] = {g["name"]: _text(g["text"]) for g in data[name][key]}
        else:
            section[key] = [_text(i["text"]) for i in data[name][key]]
        if "title" in section:
            section["title"] = _text(section["title"])
        out[name] = section
    out["sources"] = {tag: s.cite() for tag, s in sources().items()}
    return out


def sources() -> dict[str, Source]:
    """Every source of the safety data by its tag, with its title and address or reference."""
    out = {}
    for tag, s in _data()["sources"].items():
        reference = _text(s["reference"]) if s.get("reference") else None
        note = _text(s["note"]) if s.get("note") else None
        out[tag] = Source(tag, _text(s["title"]), s.get("url"), reference, note)
    return out


def _item(entry: dict[str, Any]) -> Item:
    note = _text(entry["note"]) if entry.get("note") else None
    return Item(_text(entry["text"]), tuple(entry["sources"]), entry.get("name"), note)


def signs(level: str) -> tuple[Item, ...]:
    """The warning signs of ``level``: 'emergency' (get help now) or 'urgent' (GP today).

    Raises
    ------
    BackkitError
        For another level.

    Examples
    --------
    >>> from backkit import safety
    >>> [s.sources for s in safety.signs("emergency")][:2]
    [('NHS',), ('CKS', 'GIRFT')]
    """
    if level not in ("emergency", "urgent"):
        raise BackkitError(
            f"{level!r} is not a level of signs: 'emergency' or 'urgent'", where="safety.signs"
        )
    return tuple(_item(e) for e in _data()[level]["signs"])


def clinician_red_flags() -> tuple[Item, ...]:
    """The red flags a clinician screens for, one group each (``name``, ``text``, ``sources``).

    Examples
    --------
    >>> from backkit import safety
    >>> [g.name for g in safety.clinician_red_flags()][:2]
    ['cauda equina syndrome', 'severe or progressive neurological deficit']
    """
    return tuple(_item(g) for g in _data()["clinician_red_flags"]["groups"])


def screening_questions() -> tuple[Question, ...]:
    """The red-flag questions asked before exercising and in each weekly check-in.

    Each has an ``id`` (the key its answer is stored under by
    :func:`backkit.outcomes.record_screening`), the question as a person
    reads it (``ask``), the ``action`` a "yes" calls for and its sources.

    Examples
    --------
    >>> from backkit import safety
    >>> q = safety.screening_questions()[0]
    >>> q.id, q.action, q.ask
    ('both_legs', 'emergency', 'Do you have pain, tingling, weakness or numbness in both legs?')
    """
    return tuple(
        Question(q["id"], _text(q["ask"]), q["action"], tuple(q["sources"]))
        for q in _data()["screening"]["questions"]
    )


def screening_intro() -> str:
    """The sentence above the red-flag questions."""
    return _text(_data()["screening"]["intro"])


def screening_action(answers: Mapping[str, bool | None]) -> str:
    """The most serious action level among the questions answered yes ('none' if none).

    Examples
    --------
    >>> from backkit import safety
    >>> safety.screening_action({"fever": True, "below_knee": True})
    'urgent'
    >>> safety.screening_action({"fever": False})
    'none'
    """
    levels = [q.action for q in screening_questions() if answers.get(q.id) is True]
    return max(levels, key=ACTIONS.index, default="none")


def screening_advice(action: str) -> str:
    """What to do now after a screening whose most serious "yes" calls for ``action``.

    Raises
    ------
    BackkitError
        For an action not in :data:`ACTIONS`.
    """
    if action not in ACTIONS:
        raise BackkitError(
            f"{action!r} is not an action level: one of {', '.join(ACTIONS)}",
            where="safety.screening_advice",
        )
    return _text(_data()["screening"]["advice"][action])


def screening_due(last: Mapping[str, Any] | None, now: dt.datetime | None = None) -> bool:
    """Whether the red-flag questions must be asked before exercising.

    They are due when none were ever answered, when the last answers are
    older than ``screening.rescreen_days`` (7) days, or when the last answers
    called for any action (a "yes" is asked about again, never forgotten).
    ``last`` is what :func:`backkit.outcomes.last_screening` returns.

    Examples
    --------
    >>> import datetime as dt
    >>> from backkit import safety
    >>> now = dt.datetime(2025, 3, 10, 9, tzinfo=dt.timezone.utc)
    >>> safety.screening_due(None, now)
    True
    >>> safety.screening_due({"answered_at": now - dt.timedelta(days=2), "action": "none"}, now)
    False
    >>> safety.screening_due({"answered_at": now - dt.timedelta(days=8), "action": "none"}, now)
    True
    >>> safety.screening_due({"answered_at": now, "action": "urgent"}, now)
    True
    """
    if last is None or last.get("action") != "none":
        return True
    now = now or config.now()
    return now - last["answered_at"] > dt.timedelta(days=_data()["screening"]["rescreen_days"])


def pain_message() -> str:
    """The kit's one message about pain while exercising (NHS inform), used everywhere.

    Examples
    --------
    >>> from backkit import safety
    >>> safety.pain_message()
    'Mild discomfort while stretching is expected: hurt does not always mean harm. Stop an ...'
    """
    return rules()["stop_rules"]["rules"][0]


def next_morning_advice(answer: str | None) -> str | None:
    """Advice for "how did your back feel the next morning?": for "worse", else None.

    Examples
    --------
    >>> from backkit import safety
    >>> safety.next_morning_advice("same") is None
    True
    >>> safety.next_morning_advice("worse")
    'Pain should settle by the next morning. ...'
    """
    if answer != "worse":
        return None
    return _text(_data()["pain_monitoring"]["next_morning_worse"])


def warning_answers(screenings: pd.DataFrame, checkins: pd.DataFrame) -> pd.DataFrame:
    """Every answer a clinician must see first: the most serious first, then the newest.

    Each "yes" of a red-flag screening (the question as it was asked, the
    action level it calls for and the advice the person was shown), and each
    weekly check-in that said pain or tingling below the knee was new or had
    spread further than usual (:data:`BELOW_KNEE_QUESTION`, with the advice
    the check-in shows for it: that of the screening question about it) or
    that the back felt worse the morning after exercising. A later "no"
    does not hide an earlier "yes": every answer is listed with its date.

    Parameters
    ----------
    screenings : DataFrame
        :func:`backkit.outcomes.screenings_frame` (``answered_at``, ``answers``).
    checkins : DataFrame
        :func:`backkit.outcomes.checkins_frame` (``date``, ``below_knee``, ``next_morning``).

    Returns
    -------
    DataFrame
        Columns :data:`WARNING_COLUMNS`: ``date`` is the day (a ``datetime.date``
        in the kit's zone), ``action`` an :data:`ACTIONS` level, or ``"do
        less"`` for a worse morning after.

    Examples
    --------
    >>> import backkit
    >>> from backkit import outcomes, safety
    >>> log = backkit.SessionLog(":memory:")
    >>> _ = outcomes.record_screening(log, {"saddle_numbness": True, "fever": False},
    ...                               action="emergency", when="2026-11-30 09:00")
    >>> _ = outcomes.record_screening(log, {"saddle_numbness": False}, action="none",
    ...                               when="2026-12-01 09:00")
    >>> found = safety.warning_answers(outcomes.screenings_frame(log), outcomes.checkins_frame(log))
    >>> found[["answer", "action"]].values.tolist()
    [['yes', 'emergency']]
    >>> found["question"].iloc[0].startswith("Do you have numbness")
    True
    """
    import pandas as pd

    asked = {q.id: q for q in screening_questions()}
    rows = []
    for when, answers in zip(screenings["answered_at"], screenings["answers"], strict=True):
        for qid, yes in answers.items():
            if yes:
                q = asked.get(qid)
                action = q.action if q else "clinician"  # a question since retired: still shown
                ask = q.ask if q else f"(a question no longer asked, stored as {qid!r})"
                rows.append((when, ask, "yes", action, screening_advice(action)))
    knee = asked.get("below_knee")
    for when, below, morning in zip(
        checkins["date"], checkins["below_knee"], checkins["next_morning"], strict=True
    ):
        if knee is not None and not pd.isna(below) and bool(below):
            rows.append(
                (when, BELOW_KNEE_QUESTION, "yes", knee.action, screening_advice(knee.action))
            )
        if morning == "worse":
            advice = next_morning_advice("worse") or ""
            rows.append((when, NEXT_MORNING_QUESTION, "worse", "do less", advice))
    found = pd.DataFrame(rows, columns=list(WARNING_COLUMNS))
    found["date"] = [pd.Timestamp(d).date() for d in found["date"]]  # the person's own day
    severity = {a: i for i, a in enumerate(reversed(ACTIONS))} | {"do less": len(ACTIONS)}
    found = found.assign(_severity=found["action"].map(severity))
    found = found.sort_values(["_severity", "date"], ascending=[True, False], kind="stable")
    return found.drop(columns="_severity").reset_index(drop=True)


def max_pain() -> int:
    """Highest pain (0-10) acceptable during or after exercise (pain-monitoring model)."""
    return int(rules()["pain_monitoring"]["max_pain"])


def max_rise() -> int:
    """A rise in pain of this many points or more means: reduce the load (the kit's own rule)."""
    return int(rules()["pain_monitoring"]["max_rise"])


def pain_zone(score: int) -> str:
    """Name the zone of a 0-10 score: 'low', 'acceptable' or 'too much'.

    The zones are a common clinical adaptation of the pain-monitoring model,
    not a figure from Silbernagel 2007 (``pain_monitoring.zones_note``).

    Raises
    ------
    BackkitError
        For a score off the 0-10 scale.

    Examples
    --------
    >>> from backkit import safety
    >>> safety.pain_zone(2), safety.pain_zone(5), safety.pain_zone(7)
    ('low', 'acceptable', 'too much')
    """
    if not LIMITS["pain"].lo <= score <= LIMITS["pain"].hi:
        raise BackkitError(f"{score!r} is outside the 0-10 scale", where="pain")
    # _data() checked that the last zone reaches the top of the scale
    return next(z["name"] for z in rules()["pain_monitoring"]["zones"] if score <= z["upto"])


@dataclass(frozen=True)
class PainAdvice:
    """What to tell a person after a session whose pain went up."""

    level: str  # "stop" when pain is above the limit, "reduce" when it rose
    message: str


def check_pain(before: int | None, after: int | None) -> PainAdvice | None:
    """Return stop or reduce advice for a session, or None when pain is fine.

    Pain after above the pain-monitoring limit (:func:`max_pain`, the
    ``pain_monitoring.max_pain`` of ``safety.yaml``) means stop; a rise of
    :func:`max_rise` points or more from before to after (the kit's own
    rule, and the message says so) means reduce the load next time.

    Examples
    --------
    >>> from backkit import safety
    >>> safety.check_pain(3, 3) is None
    True
    >>> safety.check_pain(2, 4).level
    'reduce'
    >>> safety.check_pain(4, 7).level
    'stop'
    """
    if after is None:
        return None
    stop_rules = rules()["stop_rules"]["rules"]
    if after > max_pain():
        return PainAdvice(
            "stop",
            f"Pain {after}/10 is above the {max_pain()}/10 limit. "
            f"{_text(rules()['pain_monitoring']['over_limit'])} {stop_rules[1]}",
        )
    if before is not None and after - before >= max_rise():
        return PainAdvice(
            "reduce",
            f"Pain rose from {before} to {after}. {stop_rules[0]} Next time do fewer "
            "repetitions or a smaller range, and check how your back feels tomorrow morning. "
            f"({_text(rules()['pain_monitoring']['rise_note'])})",
        )
    return None


def pain_model() -> str:
    """The pain-monitoring model (Silbernagel 2007) in three sentences.

    Examples
    --------
    >>> from backkit import safety
    >>> print(safety.pain_model())
    Pain during and after exercise may reach 5/10, no higher. It should settle by the next
    morning. Pain and stiffness should not increase from week to week.
    """
    return " ".join(_text(line) for line in rules()["pain_monitoring"]["model"])


def safety_markdown() -> str:
    """The safety box as Markdown: warning signs, stop rules, pain monitoring and sources."""
    r = rules()
    pm = r["pain_monitoring"]
    lines = [f"#### \u26a0\ufe0f {r['emergency']['title']}:"]
    lines += [f"- {s}" for s in r["emergency"]["signs"]]
    lines += ["", f"#### {r['urgent']['title']}:"]
    lines += [f"- {s}" for s in r["urgent"]["signs"]]
    lines += ["", "#### Stop rules while exercising"]
    lines += [f"- {s}" for s in r["stop_rules"]["rules"]]
    lines += [
        f"- {pain_model()} *{_text(pm['note'])}*",
        *[f"- {_text(zone['advice'])}" for zone in pm["zones"]],
        f"- {_text(pm['rise_advice'])}",
        f"- *{_text(pm['zones_note'])} {_text(pm['rise_note'])}*",
        "",
        "*Sources: "
        + "; ".join(r["sources"][k] for k in ("NHS", "CKS", "GIRFT", "NHSI", "SILBERNAGEL"))
        + "*",
    ]
    return "\n".join(lines)


def show_safety() -> Any:
    """Return the safety box as Markdown, which a notebook displays in a red frame.

    Like every ``show_*`` function of the kit it returns an
    ``IPython.display.Markdown`` object: the last value of a cell shows as
    formatted text (its ``.data`` is the Markdown source, here wrapped in an
    HTML ``<div>`` for the frame).

    Examples
    --------
    >>> from backkit import safety
    >>> "Stop rules while exercising" in safety.show_safety().data
    True
    """
    from IPython.display import Markdown

    return Markdown(
        '<div style="border:2px solid #b2182b;border-radius:6px;padding:0.5em 1em;">\n\n'
        + safety_markdown()
        + "\n\n</div>"
    )
