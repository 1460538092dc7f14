"""Safety: warning signs, red-flag questions and stop rules come from data, with their sources."""

import copy
import datetime as dt
import re
from importlib import resources

import pytest
import yaml

from backkit import safety
from backkit.errors import BackkitError, CatalogueError

NOW = dt.datetime(2025, 3, 10, 9, tzinfo=dt.timezone.utc)


def _raw():
    text = (resources.files("backkit") / "data" / "safety.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@pytest.fixture
def edited(monkeypatch):
    """Read safety.yaml as edited by a function, then restore the real file."""

    def load(edit):
        data = copy.deepcopy(_raw())
        edit(data)
        monkeypatch.setattr(safety, "parse_yaml", lambda *args: data)
        safety._data.cache_clear()
        safety.rules.cache_clear()
        return safety.rules

    yield load
    monkeypatch.undo()
    safety._data.cache_clear()
    safety.rules.cache_clear()


# -- sources ----------------------------------------------------------------------


def test_every_section_and_every_item_names_sources_that_exist():
    r = safety.rules()
    known = safety.sources()
    for section in (
        "emergency",
        "urgent",
        "clinician_red_flags",
        "stop_rules",
        "pain_monitoring",
        "screening",
        "evidence",
    ):
        assert r[section]["sources"], section
        assert set(r[section]["sources"]) <= set(known), section
    items = [*safety.signs("emergency"), *safety.signs("urgent"), *safety.clinician_red_flags()]
    for item in items:
        assert item.sources and set(item.sources) <= set(known), item.text
    for q in safety.screening_questions():
        assert q.sources and set(q.sources) <= set(known), q.id


def test_every_source_has_a_title_and_an_address_or_a_reference():
    for tag, src in safety.sources().items():
        assert src.title, tag
        assert src.url or src.reference, tag
        if src.url:
            assert re.match(r"^https://[\w.-]+\.\w+/", src.url), src.url
        assert src.title.split()[0] in safety.rules()["sources"][tag]


def test_a_cited_tag_missing_from_sources_is_a_catalogue_error(edited):
    rules = edited(lambda d: d["urgent"]["signs"][0].update(sources=["NOPE"]))
    with pytest.raises(CatalogueError, match=r"urgent.signs\[0\] cites 'NOPE', which is not"):
        rules()


def test_a_source_without_address_or_reference_is_a_catalogue_error(edited):
    rules = edited(lambda d: d["sources"]["NICE"].pop("url"))
    with pytest.raises(CatalogueError, match=r"sources\.NICE has neither a url nor a reference"):
        rules()


# -- warning signs (findings 1, 2 and 25) --------------------------------------------


def test_cauda_equina_signs_are_emergencies_new_or_getting_worse():
    e = safety.rules()["emergency"]
    text = " ".join(e["signs"]).lower()
    for words in (
        "both legs",
        "bladder",
        "genitals",
        "wipe",
        "pads",
        "during sex",
        "bladder is full",
        "pass urine or stool",
        "foot that drops",
    ):
        assert words in text, words
    assert "new or getting worse" in e["title"]


def test_clinician_red_flags_include_the_second_reviews_additions():
    groups = {g.name: g.text for g in safety.clinician_red_flags()}
    assert {
        "cauda equina syndrome",
        "inflammatory disease",
        "cancer",
        "infection",
        "fracture",
        "severe or progressive neurological deficit",
    } <= set(groups)
    every = " ".join(groups.values())
    for words in (
        "relieved by lying down",
        "structural deformity",
        "pain at multiple sites",
        "foot drop",
    ):
        assert words in every
    assert safety.rules()["clinician_red_flags"]["groups"]["cancer"] == groups["cancer"]


def test_signs_of_an_unknown_level_are_refused():
    with pytest.raises(BackkitError, match="'soon' is not a level of signs"):
        safety.signs("soon")


# -- red-flag questions ---------------------------------------------------------------


def test_screening_questions_are_yes_no_questions_with_an_action_level():
    questions = safety.screening_questions()
    assert len({q.id for q in questions}) == len(questions)
    for q in questions:
        assert q.ask.endswith("?") and q.ask.split()[0] in ("Do", "Is", "Has", "Have", "Did")
        assert q.action in ("emergency", "urgent", "clinician")
    levels = {q.action for q in questions}
    assert levels == {"emergency", "urgent", "clinician"}


def test_every_emergency_sign_is_asked_about():
    asked = " ".join(q.ask.lower() for q in safety.screening_questions() if q.action == "emergency")
    for words in (
        "both legs",
        "genitals",
        "wipe",
        "bladder",
        "leaking",
        "chest pain",
        "accident",
        "foot that drops",
    ):
        assert words in asked, words


@pytest.mark.parametrize(
    ("answers", "action"),
    [
        ({}, "none"),
        ({"both_legs": False, "fever": False}, "none"),
        ({"below_knee": True}, "clinician"),
        ({"below_knee": True, "fever": True}, "urgent"),
        ({"fever": True, "bladder_bowel": True}, "emergency"),
        ({"unknown": True}, "none"),
    ],
)
def test_screening_action_is_the_most_serious_yes(answers, action):
    assert safety.screening_action(answers) == action


def test_screening_advice_says_what_to_do_now():
    assert "999" in safety.screening_advice("emergency")
    assert "NHS 111" in safety.screening_advice("urgent")
    assert "physiotherapist" in safety.screening_advice("clinician")
    with pytest.raises(BackkitError, match="'later' is not an action level"):
        safety.screening_advice("later")


@pytest.mark.parametrize(
    ("last", "due"),
    [
        (None, True),
        ({"answered_at": NOW - dt.timedelta(days=6, hours=23), "action": "none"}, False),
        ({"answered_at": NOW - dt.timedelta(days=7, hours=1), "action": "none"}, True),
        ({"answered_at": NOW, "action": "clinician"}, True),
    ],
)
def test_screening_is_due_first_weekly_and_after_any_yes(last, due):
    assert safety.screening_due(last, NOW) is due


# -- one pain message (findings 11 and 12) ---------------------------------------------


def test_one_pain_message_first_in_the_stop_rules():
    message = safety.pain_message()
    assert message.startswith("Mild discomfort while stretching is expected")
    assert "makes your symptoms worse" in message
    assert safety.rules()["stop_rules"]["rules"][0] == message
    assert message in safety.safety_markdown()


def test_zones_and_rise_rule_are_labelled_as_adaptations_not_silbernagel():
    pm = safety.rules()["pain_monitoring"]
    assert "not a figure from the paper" in pm["zones_note"]
    assert "backkit's own adaptation" in pm["rise_note"]
    md = safety.safety_markdown()
    assert "common clinical adaptation" in md and "own adaptation" in md
    # no zone advice calls pain "safe": the one message is "stop what makes it worse"
    for zone in pm["zones"]:
        assert "safe" not in zone["advice"].lower()


@pytest.mark.parametrize(
    ("score", "zone"),
    [
        (0, "low"),
        (3, "low"),
        (4, "acceptable"),
        (5, "acceptable"),
        (6, "too much"),
        (10, "too much"),
    ],
)
def test_pain_zones(score, zone):
    assert safety.pain_zone(score) == zone


@pytest.mark.parametrize("score", [11, -1])
def test_pain_zone_rejects_scores_off_the_scale(score):
    with pytest.raises(BackkitError, match=f"^pain: {score} is outside the 0-10 scale$"):
        safety.pain_zone(score)


def test_zones_that_stop_short_of_10_are_a_catalogue_error(edited):
    rules = edited(lambda d: d["pain_monitoring"].update(zones=[{"upto": 8}]))
    with pytest.raises(CatalogueError, match=r"^safety.yaml \(built-in\): pain_monitoring"):
        rules()


def test_check_pain():
    assert safety.check_pain(3, 4) is None
    assert safety.check_pain(None, None) is None
    rise = safety.check_pain(1, 3)
    assert rise.level == "reduce" and "from 1 to 3" in rise.message
    assert "own adaptation" in rise.message and safety.pain_message() in rise.message
    stop = safety.check_pain(5, 6)
    assert stop.level == "stop" and "6/10" in stop.message and "below the knee" in stop.message


def test_pain_above_the_limit_is_one_message_not_a_reassurance():
    stop = safety.check_pain(2, 7).message
    assert stop.startswith("Pain 7/10 is above the 5/10 limit. Stop this exercise for today")
    assert "does not always mean harm" not in stop  # finding 11: one consistent message
    assert "see a GP or physiotherapist" in stop


def test_the_safety_box_states_the_whole_model_and_the_rules_it_labels():
    md = safety.safety_markdown()
    assert safety.pain_model() in md
    assert "Pain and stiffness should not increase from week to week." in md  # the third rule
    for zone in safety.rules()["pain_monitoring"]["zones"]:
        assert zone["advice"] in md  # the zones its note speaks of are shown
    assert "If pain rises by 2 points or more" in md


def test_next_morning_worse_gets_advice():
    assert safety.next_morning_advice(None) is None
    assert safety.next_morning_advice("better") is None
    assert "settle by the next morning" in safety.next_morning_advice("worse")


def test_show_safety_is_markdown_in_a_red_frame():
    md = safety.show_safety()
    assert type(md).__name__ == "Markdown"
    assert md.data.startswith('<div style="border:2px solid #b2182b')
    assert safety.safety_markdown() in md.data


def test_markdown_box_names_red_flags_stop_rules_and_sources():
    md = safety.safety_markdown()
    assert "emergency" in md.lower()
    assert "Stop rules" in md
    assert "Silbernagel" in md and "NHS inform" in md and "cauda equina" in md
    assert "extrapolated" in md
