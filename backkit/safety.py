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
- :func:`pain_rule`, :func:`pain_levels`, :func:`check_pain` (with
  :func:`max_pain`, :func:`max_rise` and :func:`limit_words`): how much pain
  is too much, ONE rule for the whole kit (the timer's advice after Save, the
  pain-monitoring flags of :func:`backkit.analysis.pain_flags` and everything
  built on them). It adapts a pain-monitoring model from tendinopathy
  research (Silbernagel 2007: pain up to 5/10) to low back pain, measured from
  the pain before exercise so that a person whose usual pain is above 5/10 is
  not told to stop every session; that adaptation and the rise rule are the
  kit's own: the file says so and so do the messages.

Where to get help (the emergency number and place, the urgent route, who to
see when the back is not getting better) differs by country: the texts of
the file name them as ``{emergency_number}``, ``{emergency_place}``,
``{urgent_route}``, ``{review}`` and ``{doctor}``, filled in from its
``regions`` table for :func:`backkit.config.region` (:func:`region_words`).
Every function here returns the texts of the region in use, so every place
that shows advice shows that region's.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from . import config, i18n
from ._checks import LIMITS
from ._yaml import parse_yaml
from .errors import BackkitError, CatalogueError
from .exercises import Source
from .i18n import N_
from .i18n import gettext as _

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
    "limit_words",
    "max_pain",
    "max_rise",
    "next_morning_advice",
    "pain_levels",
    "pain_message",
    "pain_model",
    "pain_rule",
    "region_words",
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
NEXT_MORNING_QUESTION = N_("How did your back feel the morning after exercising?")
#: The weekly check-in's question about leg symptoms (as the second stop rule:
#: new or further than usual).
BELOW_KNEE_QUESTION = N_(
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
#: The words every region of ``regions`` gives (besides ``sources``).
_REGION_FIELDS = ("name", "emergency_number", "emergency_place", "urgent_route", "review", "doctor")


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
    #: About the person's history (a past cancer, long-term steroids), which
    #: does not change week to week: once a clinician has seen them about it,
    #: the same "yes" later does not stop the sessions again (backkit.gate).
    history: bool = False
    #: For history that is an event: days one clearance covers it (None: for good).
    history_days: int | None = None
    #: Said beside the advice after a "yes" (a reassurance, a next step).
    note: str = ""


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


def _region_problems(data: dict[str, Any]) -> list[str]:
    table = data.get("regions")
    if not isinstance(table, dict):
        return ["regions: there is no table of regions"]
    out = [
        f"regions has no {code} (every region of backkit.config.REGIONS needs one)"
        for code in config.REGIONS
        if code not in table
    ]
    out += [
        f"regions.{code} is not one of backkit.config.REGIONS ({', '.join(config.REGIONS)})"
        for code in table
        if code not in config.REGIONS
    ]
    for code, entry in table.items():
        if not isinstance(entry, dict):
            out.append(f"regions.{code} is not a table of words")
            continue
        out += [
            f"regions.{code}.{field} is missing or not a text"
            for field in _REGION_FIELDS
            if not isinstance(entry.get(field), str) or not entry[field].strip()
        ]
        if not entry.get("sources"):
            out.append(f"regions.{code} names no source")
        out += [
            f"regions.{code} cites {tag!r}, which is not under sources"
            for tag in entry.get("sources") or []
            if tag not in (data.get("sources") or {})
        ]
    return out


def _templates(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every text of the file that may name a region's words, with where it is."""
    out: list[tuple[str, Any]] = [
        (f"{name}.title", data[name]["title"]) for name in ("emergency", "urgent")
    ]
    out += [
        (f"{name}.{key}[{k}]", entry["text"])
        for name, key in (("emergency", "signs"), ("urgent", "signs"), ("stop_rules", "rules"))
        for k, entry in enumerate(data[name][key])
    ]
    out += [(f"screening.advice.{a}", t) for a, t in data["screening"]["advice"].items()]
    out += [(key, data[key]) for key in ("region_note", "emergency_region_note")]
    out += [
        (f"screening question {q['id']!r} note", q["note"])
        for q in data["screening"]["questions"]
        if q.get("note")
    ]
    pm = data["pain_monitoring"]
    out += [(f"pain_monitoring.{key}", pm[key]) for key in (*_PM_TEXTS, "next_morning_worse")]
    return out


def _problems(data: dict[str, Any]) -> list[str]:
    """What is wrong with the file (empty when nothing is)."""
    out = _source_problems(data) + _region_problems(data)
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
        f"screening question {q['id']!r}: history must be true or false"
        for q in questions
        if not isinstance(q.get("history", False), bool)
    ]
    out += [
        f"screening question {q['id']!r}: history_days must be a whole number of days "
        "on a history question"
        for q in questions
        if "history_days" in q
        and (
            q.get("history") is not True
            or isinstance(q["history_days"], bool)
            or not isinstance(q["history_days"], int)
            or q["history_days"] < 1
        )
    ]
    out += [
        f"screening.advice has no advice for {a!r}"
        for a in ACTIONS
        if a not in data["screening"]["advice"]
    ]
    pm = data["pain_monitoring"]
    scale = LIMITS["pain"]
    for key, lo in (("max_pain", scale.lo), ("max_rise", 1)):
        value = pm.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= scale.hi:
            out.append(
                f"pain_monitoring.{key} = {value!r} must be a whole number from {lo:g} to "
                f"{scale.hi:g} (points on the 0-10 pain scale)"
            )
    if not out:
        for code in config.REGIONS:
            words = _words(data, code)
            for where, text in _templates(data):
                try:
                    _fill(pm, text, words)
                except (KeyError, IndexError, ValueError) as err:
                    out.append(f"{where} names an unknown number or word {{{err}}}")
    return sorted(set(out), key=out.index)


#: The texts of ``pain_monitoring`` whose ``{max_pain}``, ``{max_rise}`` and
#: ``{small_rise}`` are filled in from its numbers.
_PM_TEXTS = ("rule", "rule_note", "stop_now", "reduce_now", "next_time")


def _words(data: Mapping[str, Any], code: str) -> dict[str, str]:
    entry = data["regions"][code]
    return {field: _text(entry[field]) for field in _REGION_FIELDS}


def _fill(pm: Mapping[str, Any], text: Any, words: Mapping[str, str]) -> Any:
    """``text`` (or each text of a list) with the pain-monitoring numbers and a region's words."""
    if isinstance(text, list):
        return [_fill(pm, t, words) for t in text]
    small = pm["max_rise"] - 1
    numbers = {
        "max_pain": pm["max_pain"],
        "max_rise": pm["max_rise"],
        # Translators: a rise on the 0-10 pain scale ("up to 1 point above that")
        "small_rise": i18n.ngettext("{n} point", "{n} points", small).format(n=small),
    }
    return _text(text).format(**numbers, **words)


def _say(text: Any) -> str:
    """``text`` of the file with the words of the region in use filled in."""
    data = _data()
    return str(_fill(data["pain_monitoring"], text, _words(data, config.region())))


def region_words() -> dict[str, str]:
    """Where to get help in the region in use (:func:`backkit.config.region`).

    The words of the ``regions`` table of ``safety.yaml``: ``name``,
    ``emergency_number``, ``emergency_place``, ``urgent_route``, ``review``
    (who to see when the back is not getting better) and ``doctor``, plus
    ``region`` (the code) and ``sources`` (the tags of the sources of its
    numbers and services, ``;``-separated).

    Raises
    ------
    ConfigError
        When ``$BACKKIT_REGION`` is not a known region.

    Examples
    --------
    >>> import os
    >>> from backkit import safety
    >>> os.environ["BACKKIT_REGION"] = "GB"
    >>> safety.region_words()["review"]
    'a GP or physiotherapist'
    >>> del os.environ["BACKKIT_REGION"]
    """
    data = _data()
    code = config.region()
    return {
        "region": code,
        **_words(data, code),
        "sources": "; ".join(data["regions"][code]["sources"]),
    }


def _data() -> dict[str, Any]:
    return _data_in(config.locale_name())


@functools.lru_cache(maxsize=len(config.LANGUAGES))
def _data_in(language: str) -> dict[str, Any]:
    """The safety data, checked, its words in ``language`` (its numbers and sources shared)."""
    text = (resources.files("backkit") / "data" / "safety.yaml").read_text(encoding="utf-8")
    data = parse_yaml(text, _WHERE, CatalogueError)
    problems = _problems(data)
    if problems:
        raise CatalogueError("; ".join(problems), where=_WHERE)
    return i18n.translate_words(data, "safety.yaml", language)


def rules() -> dict[str, Any]:
    """Return the safety rules as plain text, as loaded from ``safety.yaml`` (read once).

    The sections of the file, with each sign and rule as its text (the lists
    ``emergency.signs``, ``urgent.signs``, ``stop_rules.rules``), the
    clinician red flags as ``groups`` (name -> text) and each source as one
    line (tag -> title, reference and address). The sources of each item are
    in :func:`signs`, :func:`clinician_red_flags` and :func:`sources`. The
    texts name the emergency and urgent services of the region in use
    (:func:`backkit.config.region`; ``region`` holds its :func:`region_words`).

    Raises
    ------
    CatalogueError
        When the file is not valid YAML, cites a source it does not list,
        lists a source without a title and an address or reference, or its
        pain-monitoring numbers are not whole points on the 0-10 scale.
    ConfigError
        When ``$BACKKIT_REGION`` is not a known region.

    Examples
    --------
    >>> from backkit import safety
    >>> safety.rules()["emergency"]["signs"][0]
    'Pain, tingling, weakness or numbness in both legs.'
    >>> safety.rules()["sources"]["NICE"]
    'NICE guideline NG59: ... https://www.nice.org.uk/guidance/ng59.'
    """
    return _rules(config.region(), config.locale_name())


@functools.lru_cache(maxsize=len(config.REGIONS) * len(config.LANGUAGES))
def _rules(code: str, language: str) -> dict[str, Any]:
    data = _data_in(language)
    words = _words(data, code)
    out = dict(data)
    pm = dict(data["pain_monitoring"])
    for key in (*_PM_TEXTS, "next_morning_worse"):
        pm[key] = _fill(pm, pm[key], words)
    out["pain_monitoring"] = pm
    for name, key in _LISTS[:4]:
        section = dict(data[name])
        if key == "groups":
            section[key] = {g["name"]: _text(g["text"]) for g in data[name][key]}
        else:
            section[key] = [_fill(pm, i["text"], words) for i in data[name][key]]
        if "title" in section:
            section["title"] = _fill(pm, section["title"], words)
        out[name] = section
    screening = dict(data["screening"])
    screening["advice"] = {a: _fill(pm, t, words) for a, t in screening["advice"].items()}
    out["screening"] = screening
    for key in ("region_note", "emergency_region_note"):
        out[key] = _fill(pm, data[key], words)
    out["region"] = {
        "region": code,
        **words,
        "sources": "; ".join(data["regions"][code]["sources"]),
    }
    out["sources"] = {tag: s.cite() for tag, s in sources().items()}
    return out


def sources() -> dict[str, Source]:
    """Every source of the safety data by its tag, with its title and address or reference."""
    out = {}
    for tag, s in _data()["sources"].items():
        reference = _text(s["reference"]) if s.get("reference") else ""
        note = _text(s["note"]) if s.get("note") else ""
        out[tag] = Source(tag, _text(s["title"]), s.get("url") or "", reference, note)
    return out


def _item(entry: dict[str, Any]) -> Item:
    note = _text(entry["note"]) if entry.get("note") else None
    return Item(_say(entry["text"]), tuple(entry["sources"]), entry.get("name"), note)


def signs(level: str) -> tuple[Item, ...]:
    """The warning signs of ``level``: 'emergency' (get help now) or 'urgent' (today).

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
            _("{level} is not a level of signs: 'emergency' or 'urgent'").format(level=repr(level)),
            where="safety.signs",
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
        Question(
            q["id"],
            _text(q["ask"]),
            q["action"],
            tuple(q["sources"]),
            q.get("history") is True,
            q.get("history_days"),
            _say(q.get("note", "")),
        )
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
            _("{action} is not an action level: one of {actions}").format(
                action=repr(action), actions=", ".join(ACTIONS)
            ),
            where="safety.screening_advice",
        )
    return str(rules()["screening"]["advice"][action])


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
    return str(rules()["pain_monitoring"]["next_morning_worse"])


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
                ask = (
                    q.ask
                    if q
                    else _("(a question no longer asked, stored as {key})").format(key=repr(qid))
                )
                rows.append((when, ask, "yes", action, screening_advice(action)))
    knee = asked.get("below_knee")
    for when, below, morning in zip(
        checkins["date"], checkins["below_knee"], checkins["next_morning"], strict=True
    ):
        if knee is not None and not pd.isna(below) and bool(below):
            rows.append(
                (when, _(BELOW_KNEE_QUESTION), "yes", knee.action, screening_advice(knee.action))
            )
        if morning == "worse":
            advice = next_morning_advice("worse") or ""
            rows.append((when, _(NEXT_MORNING_QUESTION), "worse", "do less", advice))
    found = pd.DataFrame(rows, columns=list(WARNING_COLUMNS))
    found["date"] = [pd.Timestamp(d).date() for d in found["date"]]  # the person's own day
    severity = {a: i for i, a in enumerate(reversed(ACTIONS))} | {"do less": len(ACTIONS)}
    found = found.assign(_severity=found["action"].map(severity))
    found = found.sort_values(["_severity", "date"], ascending=[True, False], kind="stable")
    return found.drop(columns="_severity").reset_index(drop=True)


def max_pain() -> int:
    """The pain (0-10) the limit never falls below: ``pain_monitoring.max_pain`` (5).

    Pain after exercise above it is above the limit only when it is also
    :func:`max_rise` points or more above the pain before (:func:`pain_levels`);
    when the pain before was not rated it is the limit on its own.
    """
    return int(rules()["pain_monitoring"]["max_pain"])


def max_rise() -> int:
    """A rise in pain of this many points or more means: do less next time (the kit's own rule)."""
    return int(rules()["pain_monitoring"]["max_rise"])


def pain_levels(before: Any, after: Any) -> tuple[Any, Any]:
    """Where pain after exercise broke the kit's one pain rule, and how: ``(over, rose)``.

    - ``over`` (stop now, do less next time): pain after is above
      :func:`max_pain` *and* at least :func:`max_rise` points above the pain
      before; when the pain before is not known (None or NaN), above
      :func:`max_pain` alone (the conservative default). So a person whose
      pain was 6/10 before and 6/10 after is within the limit, and so is 6
      to 7, while 6 to 8, or 3 to 6, is over it.
    - ``rose`` (do less next time): a rise of :func:`max_rise` points or more
      that stays within the limit (pain after no higher than :func:`max_pain`).

    The two never overlap. ``before`` and ``after`` are numbers (None: not
    rated) or equal-length float arrays or Series (NaN: not rated), as the
    analytics pass whole columns; the result is two booleans, or two boolean
    arrays.

    Examples
    --------
    >>> from backkit import safety
    >>> pairs = [(6, 6), (6, 7), (6, 8), (3, 6), (1, 3), (None, 6), (None, 5)]
    >>> [safety.pain_levels(b, a) for b, a in pairs]  # doctest: +NORMALIZE_WHITESPACE
    [(False, False), (False, False), (True, False), (True, False), (False, True),
     (True, False), (False, False)]
    """
    import numpy as np

    b = np.asarray(np.nan if before is None else before, dtype=float)
    a = np.asarray(np.nan if after is None else after, dtype=float)
    with np.errstate(invalid="ignore"):
        big_rise = a - b >= max_rise()  # False where either is not rated
        over = (a > max_pain()) & (big_rise | np.isnan(b))
        rose = big_rise & ~over
    if over.ndim == 0:
        return bool(over), bool(rose)
    return over, rose


def limit_words() -> str:
    """The pain limit in a few words, for headings and notes (numbers from the data file).

    Examples
    --------
    >>> from backkit import safety
    >>> print(safety.limit_words())  # doctest: +NORMALIZE_WHITESPACE
    pain after exercise above 5/10 and at least 2 points above the pain before it, or above
    5/10 when the pain before was not rated
    """
    return _(
        "pain after exercise above {limit}/10 and at least {rise} points above the pain "
        "before it, or above {limit}/10 when the pain before was not rated"
    ).format(limit=max_pain(), rise=max_rise())


@dataclass(frozen=True)
class PainAdvice:
    """What to tell a person after a session whose pain broke the kit's pain rule."""

    level: str  # "stop" when pain went above the limit, "reduce" when it rose within it
    message: str


def _score(value: float) -> str:
    return config.number_text(value, 0 if float(value).is_integer() else 1)


def check_pain(before: float | None, after: float | None) -> PainAdvice | None:
    """Advice for a session from the pain before and after it, or None when pain is fine.

    One message in one order (:func:`pain_rule`): what happened, what to do
    now, what to do next time, and when to get help. Pain above the limit
    (:func:`pain_levels`: above 5/10 *and* a rise of 2 points or more, or
    above 5/10 when the pain before was not rated) is ``"stop"``: stop this
    exercise for today. A rise of 2 points or more within the limit is
    ``"reduce"``: no need to stop, do less next time (the kit's own rule, and
    the message says so). The numbers come from ``safety.yaml``.

    Examples
    --------
    >>> from backkit import safety
    >>> safety.check_pain(3, 3) is None, safety.check_pain(6, 6) is None
    (True, True)
    >>> safety.check_pain(2, 4).level, safety.check_pain(4, 7).level
    ('reduce', 'stop')
    >>> print(safety.check_pain(6, 8).message)  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    Pain went from 6/10 before the exercise to 8/10 after it: above 5/10 and a rise of 2
    points, over the limit. Now: stop this exercise for today. ...
    """
    if after is None:
        return None
    over, rose = pain_levels(before, after)
    if not (over or rose):
        return None
    pm = rules()["pain_monitoring"]
    keeps = pain_rule()[-1]
    if before is None:
        what = _(
            "Pain was {after}/10 after the exercise: above the {limit}/10 limit "
            "(the pain before it was not rated)."
        )
    elif over:
        what = _(
            "Pain went from {before}/10 before the exercise to {after}/10 after it: "
            "above {limit}/10 and a rise of {rise} points, over the limit."
        )
    else:
        what = _(
            "Pain went from {before}/10 before the exercise to {after}/10 after it: "
            "a rise of {rise} points, within the limit of {limit}/10."
        )
    what = what.format(
        before=_score(before) if before is not None else "",
        after=_score(after),
        rise=_score(after - before) if before is not None else "",
        limit=max_pain(),
    )
    if over:
        below_knee = rules()["stop_rules"]["rules"][1]
        return PainAdvice("stop", f"{what} {pm['stop_now']} {below_knee} {pm['next_time']} {keeps}")
    return PainAdvice(
        "reduce", f"{what} {pm['reduce_now']} {pm['next_time']} {keeps} ({pm['rule_note']})"
    )


def pain_rule() -> tuple[str, ...]:
    """The kit's one pain rule in three steps: now, next time, when to get help.

    Shown in the safety box (:func:`safety_markdown`), the patient's report
    and the timer's advice; the numbers are filled in from ``safety.yaml``.

    Examples
    --------
    >>> from backkit import safety
    >>> print(safety.pain_rule()[0])  # doctest: +NORMALIZE_WHITESPACE
    Now: during and straight after an exercise your pain may go up to 5/10, or, if it was
    already 5/10 or more before you started, to 1 point above that. If it goes higher, stop
    that exercise for today.
    """
    return tuple(rules()["pain_monitoring"]["rule"])


def pain_model() -> str:
    """The kit's pain rule (:func:`pain_rule`) as one paragraph.

    Examples
    --------
    >>> from backkit import safety
    >>> safety.pain_model().startswith("Now: during and straight after an exercise")
    True
    """
    return " ".join(pain_rule())


def safety_markdown() -> str:
    """The safety box as Markdown: warning signs, stop rules, pain monitoring and sources."""
    r = rules()
    pm = r["pain_monitoring"]
    lines = [f"#### \u26a0\ufe0f {r['emergency']['title']}:"]
    lines += [f"- {s}" for s in r["emergency"]["signs"]]
    lines += ["", f"#### {r['urgent']['title']}:"]
    lines += [f"- {s}" for s in r["urgent"]["signs"]]
    lines += ["", f"*{r['region_note']}*"]
    lines += ["", "#### " + _("Stop rules while exercising")]
    lines += [f"- {s}" for s in r["stop_rules"]["rules"]]
    lines += ["", "#### " + _("How much pain is too much")]
    lines += [f"- {step}" for step in pain_rule()]
    # The region's own sources name its emergency and urgent services.
    tags = ("NHS", "CKS", "GIRFT", "NHSI", "SILBERNAGEL", *r["region"]["sources"].split("; "))
    lines += [
        f"- *{_text(pm['note'])} {pm['rule_note']}*",
        "",
        "*"
        + _("Sources: {sources}").format(
            sources="; ".join(r["sources"][k] for k in dict.fromkeys(tags))
        )
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
