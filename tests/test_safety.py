"""Safety: red flags and stop rules come from data, with their sources."""

import pytest

from backkit import safety
from backkit.errors import BackkitError, CatalogueError


def test_rules_carry_sources_for_every_section():
    r = safety.rules()
    for section in ("emergency", "urgent", "clinician_red_flags", "stop_rules", "pain_monitoring"):
        assert r[section]["sources"], section
        for tag in r[section]["sources"]:
            assert tag in r["sources"]


def test_cauda_equina_signs_are_emergencies():
    text = " ".join(safety.rules()["emergency"]["signs"]).lower()
    assert "bladder" in text and "genitals" in text and "both legs" in text


@pytest.mark.parametrize(
    ("score", "zone"),
    [
        (0, "safe"),
        (3, "safe"),
        (4, "acceptable"),
        (5, "acceptable"),
        (6, "too much"),
        (10, "too much"),
    ],
)
def test_pain_zones_follow_the_pain_monitoring_model(score, zone):
    assert safety.pain_zone(score) == zone


@pytest.mark.parametrize("score", [11, -1])
def test_pain_zone_rejects_scores_off_the_scale(score):
    with pytest.raises(BackkitError, match=f"^pain: {score} is outside the 0-10 scale$"):
        safety.pain_zone(score)


def test_zones_that_stop_short_of_10_are_a_catalogue_error(monkeypatch):
    real = safety.rules()
    short = {**real, "pain_monitoring": {**real["pain_monitoring"], "zones": [{"upto": 8}]}}
    monkeypatch.setattr(safety, "parse_yaml", lambda *args: short)
    safety.rules.cache_clear()
    try:
        with pytest.raises(CatalogueError, match=r"^safety.yaml \(built-in\): pain_monitoring"):
            safety.rules()
    finally:
        monkeypatch.undo()
        safety.rules.cache_clear()
    assert safety.rules() == real


def test_show_safety_is_markdown_in_a_red_frame():
    md = safety.show_safety()
    assert type(md).__name__ == "Markdown"
    assert md.data.startswith('<div style="border:2px solid #b2182b')
    assert safety.safety_markdown() in md.data


def test_check_pain():
    assert safety.check_pain(3, 4) is None
    assert safety.check_pain(None, None) is None
    rise = safety.check_pain(1, 3)
    assert rise.level == "reduce" and "from 1 to 3" in rise.message
    stop = safety.check_pain(5, 6)
    assert stop.level == "stop" and "6/10" in stop.message and "below the knee" in stop.message


def test_markdown_box_names_red_flags_stop_rules_and_sources():
    md = safety.safety_markdown()
    assert "emergency" in md.lower()
    assert "Stop rules" in md
    assert "Silbernagel" in md and "NHS inform" in md
    assert "extrapolated" in md
