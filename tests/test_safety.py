"""Safety: warning signs, red-flag questions and stop rules come from data, with their sources."""

import datetime as dt
import re

import pytest

from backkit import safety
from backkit.errors import BackkitError, CatalogueError

NOW = dt.datetime(2025, 3, 10, 9, tzinfo=dt.timezone.utc)


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


def test_clinician_red_flags_include_the_third_reviews_additions_with_sources():
    groups = {g.name: g for g in safety.clinician_red_flags()}
    every = " ".join(g.text for g in groups.values()).lower()
    for words in (
        "thoracic pain",
        "straining",
        "localised spinal tenderness",
        "no improvement after 4-6 weeks",
        "tuberculosis",
        "diabetes",
        "hiv",
    ):
        assert words in every, words
    inflammatory = groups["inflammatory disease"].text.lower()
    for feature in (
        "before the age of 45",
        "morning stiffness lasting more than 30 minutes",
        "improves with exercise but not with rest",
        "second half of the night",
        "alternates between sides",
    ):
        assert feature in inflammatory, feature
    assert {"BERLIN", "ASAS"} <= set(groups["inflammatory disease"].sources)
    assert "FINUCANE" in groups["infection"].sources
    known = safety.sources()
    assert "J Orthop Sports Phys Ther 2020;50(7):350-372" in known["FINUCANE"].reference
    assert "Arthritis Rheum 2006;54(2):569-578" in known["BERLIN"].reference
    assert "Ann Rheum Dis 2009;68(6):777-783" in known["ASAS"].reference


def test_the_evidence_says_the_function_effect_is_below_the_reviews_threshold():
    summary = " ".join(safety.rules()["evidence"]["summary"].split())
    assert "function by 6.8 points" in summary
    assert "below the review's own 10-point threshold" in summary


def test_the_below_knee_rule_eases_out_of_the_position_as_notebook_01_says():
    rule = safety.rules()["stop_rules"]["rules"][1]
    assert rule.startswith("Stop at once, ease out of the position (in a hamstring stretch")
    assert "new or spreads further than usual" in rule


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


def test_the_relative_limit_and_rise_rule_are_labelled_as_adaptations_not_silbernagel():
    pm = safety.rules()["pain_monitoring"]
    assert "backkit's own adaptation" in pm["rule_note"]
    assert "not part of the pain-monitoring model" in pm["rule_note"]
    assert "Silbernagel 2007" in pm["note"] and "extrapolated" in pm["note"]
    md = safety.safety_markdown()
    assert pm["rule_note"] in md and "tendinopathy" in md
    # no step of the rule calls pain "safe": the one message is "stop what makes it worse"
    for step in safety.pain_rule():
        assert "safe" not in step.lower()


def test_the_absolute_zones_are_gone():
    # the paper's fixed 0-3 / 4-5 / 6-10 zones told anyone whose usual pain is 6+ to stop
    pm = safety.rules()["pain_monitoring"]
    assert "zones" not in pm and not hasattr(safety, "pain_zone")


@pytest.mark.parametrize(
    ("before", "after", "over", "rose"),
    [
        (6, 6, False, False),  # usual pain 6: not told to stop (third review, W3)
        (6, 7, False, False),  # a small rise over a high start
        (9, 10, False, False),
        (6, 8, True, False),
        (5, 6, False, False),
        (4, 6, True, False),  # above 5/10 and a rise of 2
        (3, 6, True, False),
        (1, 3, False, True),  # a rise of 2 within 5/10: do less next time, no stop
        (3, 5, False, True),
        (3, 4, False, False),
        (None, 5, False, False),  # not rated before: 5/10 is the conservative limit
        (None, 6, True, False),
        (7, 2, False, False),
        (None, None, False, False),
    ],
)
def test_one_pain_rule_relative_to_the_pain_before(before, after, over, rose):
    assert safety.pain_levels(before, after) == (over, rose)
    advice = safety.check_pain(before, after)
    level = "stop" if over else "reduce" if rose else None
    assert (advice.level if advice else None) == level


def test_the_rule_is_the_same_on_columns_and_on_single_values():
    import numpy as np

    before = np.array([6, 6, 1, np.nan, 4.5, 3])
    after = np.array([6, 8, 3, 6, 6, 4])
    over, rose = safety.pain_levels(before, after)
    assert over.tolist() == [False, True, False, True, False, False]
    assert rose.tolist() == [False, False, True, False, False, False]
    for b, a, o, r in zip(before, after, over, rose, strict=True):
        assert safety.pain_levels(None if np.isnan(b) else b, a) == (o, r)


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SCORES = st.one_of(st.none(), st.integers(0, 10))


@given(before=SCORES, after=st.integers(0, 10))
def test_properties_of_the_pain_rule(before, after):
    over, rose = safety.pain_levels(before, after)
    assert not (over and rose)
    if before is not None:
        assert not over or after - before >= safety.max_rise()  # never for a small rise
        assert not (after <= before and (over or rose))  # no flag when pain did not go up
        if before >= safety.max_pain():  # a high start: up to 1 point above it is fine
            assert over == (after > before + safety.max_rise() - 1)
    if after <= safety.max_pain():
        assert not over  # 5/10 or less is never over the limit


@pytest.mark.parametrize(("key", "value"), [("max_pain", 11), ("max_rise", 0), ("max_pain", 4.5)])
def test_limits_off_the_pain_scale_are_a_catalogue_error(edited, key, value):
    rules = edited(lambda d: d["pain_monitoring"].update({key: value}))
    with pytest.raises(CatalogueError, match=rf"^safety.yaml \(built-in\): pain_monitoring.{key}"):
        rules()


def test_unknown_numbers_in_the_rule_are_a_catalogue_error(edited):
    rules = edited(lambda d: d["pain_monitoring"].update(stop_now="Now: stop at {limit}."))
    with pytest.raises(CatalogueError, match=r"pain_monitoring.stop_now names an unknown number"):
        rules()


def test_check_pain_gives_one_message_now_then_next_time():
    assert safety.check_pain(3, 4) is None
    assert safety.check_pain(None, None) is None
    rise = safety.check_pain(1, 3)
    assert rise.level == "reduce" and "from 1/10 before the exercise to 3/10" in rise.message
    assert "own adaptation" in rise.message
    # one hierarchy, in order: what happened, now, next time, when to get help (W4)
    message = rise.message
    now, nxt, keeps = (message.index(w) for w in ("Now:", "Next time:", "If this keeps"))
    assert now < nxt < keeps
    assert "need not stop" in message and "Stop an exercise" not in message
    stop = safety.check_pain(5, 7)
    assert stop.level == "stop" and "7/10" in stop.message and "below the knee" in stop.message
    assert stop.message.index("Now: stop") < stop.message.index("Next time:")


def test_pain_above_the_limit_is_one_message_not_a_reassurance():
    stop = safety.check_pain(2, 7).message
    assert stop.startswith(
        "Pain went from 2/10 before the exercise to 7/10 after it: above 5/10 and a rise of "
        "5 points, over the limit. Now: stop this exercise for today."
    )
    assert "does not always mean harm" not in stop  # finding 11: one consistent message
    assert "see a GP or physiotherapist" in stop
    unrated = safety.check_pain(None, 7).message
    assert unrated.startswith("Pain was 7/10 after the exercise: above the 5/10 limit")


def test_a_person_whose_usual_pain_is_6_is_not_told_to_stop():
    for score in range(safety.max_pain(), 10):
        assert safety.check_pain(score, score) is None
        assert safety.check_pain(score, score + 1) is None


def test_the_safety_box_states_the_whole_rule_and_labels_it():
    md = safety.safety_markdown()
    assert "#### How much pain is too much" in md
    for step in safety.pain_rule():
        assert step in md
    assert safety.pain_model() == " ".join(safety.pain_rule())
    rule = " ".join(safety.pain_rule())
    assert "Pain and stiffness" not in rule or "week to week" in rule
    assert "your pain and stiffness increase from week to week" in rule  # the model's third
    assert "rose by 2 points or more" in rule and "to 5/10" in rule
    assert "1 point above that" in rule  # filled in from max_rise, never typed


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
