"""The exercise catalogue: every field valid, the corrections hold, errors are clear."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

import backkit
from backkit import exercises
from backkit.errors import CatalogueError

ARTICLE_IDS = [
    "supine-hamstring-stretch",
    "knee-to-chest",
    "double-knee-to-chest",
    "bridge",
    "long-sitting-hamstring-stretch",
    "standing-hip-flexor-stretch",
    "squat",
]
ADDED_IDS = ["standing-back-extension"]
IDS = ARTICLE_IDS + ADDED_IDS
REPO = Path(backkit.__file__).parent.parent
BUILTIN = Path(backkit.__file__).parent / "data" / "exercises.yaml"


class TestCatalogue:
    def test_all_seven_in_article_order_with_stable_ids(self):
        assert backkit.exercise_ids() == IDS
        assert exercises.article_ids() == ARTICLE_IDS
        assert [backkit.get_exercise(i).number for i in IDS] == list(range(1, 9))
        assert [backkit.get_exercise(i).from_article for i in IDS] == [True] * 7 + [False]

    def test_frame_is_indexed_by_id_with_typed_columns(self):
        df = backkit.load_exercises()
        assert list(df.index) == IDS
        assert df.index.name == "id"
        assert str(df["position"].dtype) == "category"
        assert df["load"].cat.ordered
        assert df.loc["bridge", "sets"] == 3
        assert df.loc["supine-hamstring-stretch", "targets"] == ("hamstrings",)
        assert df["from_article"].tolist() == [True] * 7 + [False]

    def test_printed_frame_shows_each_corrected_position(self):
        """`print(backkit.load_exercises())` in an 80-column terminal shows the positions."""
        import pandas as pd

        with pd.option_context("display.width", 80):
            lines = str(backkit.load_exercises()).splitlines()
        rows = {w[0]: w[1] for w in map(str.split, lines) if w and w[0] in IDS}
        assert rows["supine-hamstring-stretch"] == "supine"
        assert rows["bridge"] == "supine"
        assert rows["long-sitting-hamstring-stretch"] == "sitting"
        assert rows["standing-hip-flexor-stretch"] == "standing"

    @pytest.mark.parametrize("exercise_id", IDS)
    def test_every_field_is_filled(self, exercise_id):
        ex = backkit.get_exercise(exercise_id)
        # empty by design: no article fields for an addition, optional variants
        optional = {"poses", "variants", "article_quotes", "equipment"}
        optional |= set() if ex.from_article else {"article_name", "corrections"}
        for f in dataclasses.fields(ex):
            if f.name in optional:
                continue
            value = getattr(ex, f.name)
            assert value not in ("", None, ()), f"{exercise_id}.{f.name} is empty"
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", ex.id)
        assert len(ex.steps) >= 3
        assert ex.regression.name and ex.progression.name
        assert ex.references, "every exercise cites at least one source"
        assert ex.seconds_per_rep > 0

    def test_exercise_is_immutable(self):
        ex = backkit.get_exercise("bridge")
        with pytest.raises(dataclasses.FrozenInstanceError):
            ex.sets = 5  # type: ignore[misc]

    def test_every_cited_source_is_in_the_source_table(self):
        table = exercises.sources()
        for ex in exercises.catalogue().exercises:
            cited = set(ex.references) | {t for c in ex.corrections for t in c.sources}
            assert cited <= set(table), ex.id

    def test_every_source_has_a_title_and_an_address_or_a_full_reference(self):
        for tag, src in exercises.source_table().items():
            assert src.title, tag
            assert src.url.startswith("https://") or len(src.reference) > 20, tag
            assert src.title in exercises.sources()[tag]

    def test_code_and_notebooks_cite_the_data_not_internal_documents(self):
        files = [*(REPO / "backkit").rglob("*.py"), *(REPO / "notebooks").glob("*.ipynb")]
        files += [REPO / "notebooks" / "README.md", REPO / "backkit" / "data" / "exercises.yaml"]
        for path in files:
            text = path.read_text(encoding="utf-8").lower()
            if path.name in ("outcomes.py", "safety.py"):  # other helpers' modules
                continue
            assert "clinical.md" not in text and "clinical brief" not in text, path


class TestCorrections:
    """The article's errors are corrected in the data, each with its sources."""

    def test_hamstring_stretch_is_done_lying_on_the_back(self):
        ex = backkit.get_exercise("supine-hamstring-stretch")
        assert ex.position == "supine"
        assert ex.article_name == "Leg Elevation"
        said = " ".join(c.article_says for c in ex.corrections)
        assert "stomach" in said
        assert ex.hold_seconds == 30 and ex.reps == 2 and ex.per_side  # article's numbers

    def test_knee_to_chest_gets_mayo_repetitions(self):
        ex = backkit.get_exercise("knee-to-chest")
        assert ex.reps_range == (2, 3)
        assert ex.hold_range == (15, 20)
        assert any("MAYO" in c.sources for c in ex.corrections)

    def test_double_knee_to_chest_has_no_feathers(self):
        ex = backkit.get_exercise("double-knee-to-chest")
        assert any("feathers" in c.article_says for c in ex.corrections)
        assert "feather" not in " ".join(ex.steps).lower()
        assert not ex.per_side

    def test_the_portuguese_text_is_not_claimed_as_fact(self):
        """Third review W12: the Portuguese original is not on record; say 'probably'."""
        for ex in exercises.catalogue().exercises:
            for c in ex.corrections:
                if "Portuguese" in c.why:
                    assert "probably" in c.why and "not on record" in c.why, ex.id
                    assert "source says" not in c.why, ex.id
        feathers = backkit.get_exercise("double-knee-to-chest").corrections[0]
        assert "misread" in feathers.why and "Machine translation misread" not in feathers.why

    def test_one_knee_at_a_time_is_not_credited_to_mayo(self):
        """Finding 8: Mayo brings both legs up together; one at a time is a convention."""
        ex = backkit.get_exercise("double-knee-to-chest")
        for c in ex.corrections:
            assert "one at a time" not in c.corrected.lower()
        assert "both knees up" in " ".join(ex.steps)
        assert "unsourced" in ex.defaults_note and "together" in ex.defaults_note

    @pytest.mark.parametrize("exercise_id", ["knee-to-chest", "double-knee-to-chest"])
    def test_knee_to_chest_cautions_fit_the_hip_angle_it_needs(self, exercise_id):
        """Finding 24: it needs about 120 degrees of hip flexion; shin holds load a sore knee."""
        cautions = " ".join(backkit.get_exercise(exercise_id).cautions)
        assert "past 90 degrees" not in cautions
        assert "120 degrees" in cautions and "cleared" in cautions
        assert "behind the thigh" in cautions and "not on the shin" in cautions

    def test_pelvis_tilt_is_a_supine_bridge_with_the_true_tilt_as_regression(self):
        ex = backkit.get_exercise("bridge")
        assert ex.name == "Bridge" and ex.article_name == "Pelvis tilt"
        assert ex.position == "supine"
        assert "lift" in " ".join(ex.steps).lower()
        assert "spread" not in " ".join(ex.steps).lower()
        assert "pelvic tilt" in ex.regression.name.lower()
        assert (ex.sets, ex.reps, ex.hold_range) == (3, 10, (5, 10))
        assert "gluteus maximus" in ex.targets

    def test_long_sitting_stretch_has_a_count_and_straight_unforced_knees(self):
        ex = backkit.get_exercise("long-sitting-hamstring-stretch")
        assert ex.position == "sitting"
        assert ex.reps * ex.hold_seconds == 60  # about 60 s in total (ACSM)
        # Finding 9: the article said "not bending your knees", not "locked";
        # a straighter knee stretches the hamstrings more.
        assert "without forcing" in " ".join(ex.steps)
        assert not any("lock" in m.lower() for m in ex.mistakes)
        knees = next(c for c in ex.corrections if "bending your knees" in c.article_says.lower())
        assert "straighter knee stretches the hamstrings more" in knees.why
        assert "locked knees strain" not in " ".join(c.why for c in ex.corrections)

    def test_long_sitting_stretch_cautions_osteoporosis_and_hip_replacement(self):
        """Finding 3; third review E2: the hips reach about 90 and a little past, not 130."""
        ex = backkit.get_exercise("long-sitting-hamstring-stretch")
        cautions = " ".join(ex.cautions)
        assert "osteoporosis" in cautions and "spinal fracture" in cautions
        assert "hip replacement" in cautions and "130 degrees" not in cautions
        assert "about 90 degrees" in cautions and "past 90" in cautions
        assert {"BHOF", "GIANGREGORIO", "HSS", "YOUDAS"} <= set(ex.references)

    def test_long_sitting_stretch_is_a_small_lean_not_a_fold_to_the_toes(self):
        """Third review E2 and W11: hip flexion with straight knees is limited (Youdas 2005)."""
        ex = backkit.get_exercise("long-sitting-hamstring-stretch")
        words = " ".join([*ex.steps, ex.purpose])
        assert "130" not in words and "hinge forward" not in words
        assert "lean forward a little from the hips" in words
        assert "touching your toes is not the aim" in words and "Youdas 2005" in words
        # the article's words, and the correction recorded with its reason and sources
        assert "lower your torso onto your legs, trying to touch your toes" in ex.article_quotes
        toes = next(c for c in ex.corrections if "torso onto your legs" in c.article_says)
        assert "lean forward a little from the hips" in toes.corrected
        assert "75-90 degrees" in toes.why and "end of its range" in toes.why
        assert set(toes.sources) == {"YOUDAS", "BHOF", "GIANGREGORIO"}
        assert "Youdas" in exercises.source_table()["YOUDAS"].title

    @pytest.mark.parametrize(
        "exercise_id", ["knee-to-chest", "double-knee-to-chest", "long-sitting-hamstring-stretch"]
    )
    def test_flexion_stretches_have_the_same_osteoporosis_caution(self, exercise_id):
        """Third review W6: sitting forward reach (loaded) is at least as strong as supine."""
        cautions = backkit.get_exercise(exercise_id).cautions
        first = [c for c in cautions if "osteoporosis" in c]
        assert len(first) == 1
        assert first[0].startswith("Avoid with osteoporosis")
        assert "(risk of a compression fracture of the spine)" in first[0]

    def test_squat_and_the_articles_lunge_caution_rounding_the_back(self):
        """Third review W6: loaded flexion (squat rounding, the deep lunge) is cautioned too."""
        squat = backkit.get_exercise("squat")
        rounding = next(c for c in squat.cautions if "round" in c)
        assert "osteoporosis or a past spinal fracture" in rounding
        assert "compression fracture of the spine" in rounding
        assert {"BHOF", "GIANGREGORIO"} <= set(squat.references)
        (lunge,) = backkit.get_exercise("standing-hip-flexor-stretch").variants
        assert "osteoporosis or a past spinal fracture" in lunge.description

    def test_hip_flexion_is_a_standing_hip_flexor_stretch_without_armpit_cue(self):
        ex = backkit.get_exercise("standing-hip-flexor-stretch")
        assert ex.position == "standing" and ex.per_side
        assert ex.hold_seconds == 30 and ex.reps_range == (2, 4)
        text = " ".join(ex.steps).lower()
        assert "axillary" not in text and "armpit" not in text
        assert "upright" in text
        assert any("axillary" in c.article_says for c in ex.corrections)

    def test_hip_flexor_stretch_keeps_the_articles_lunge_and_targets_iliopsoas(self):
        """Findings 4, 10, 23."""
        ex = backkit.get_exercise("standing-hip-flexor-stretch")
        assert ex.targets == ("iliopsoas",)  # rectus femoris barely stretched, knee straight
        assert "rectus femoris" in ex.purpose and "half-kneeling" in ex.purpose
        assert any("anterior approach" in c for c in ex.cautions)
        assert "anterior-approach" in ex.regression.description
        (lunge,) = ex.variants
        assert "article" in lunge.name and "lunge" in lunge.description
        armpit = next(c for c in ex.corrections if "axillary" in c.article_says)
        assert "not a standard or safe" not in armpit.why
        assert "variant" in armpit.corrected
        md = exercises.to_markdown(ex)
        assert "**Other version:** The article's version, a dynamic deep lunge" in md

    def test_squat_is_paced_not_bolt_upright(self):
        ex = backkit.get_exercise("squat")
        assert ex.kind == "paced" and ex.hold_seconds == 0 and ex.rep_seconds > 0
        assert (ex.sets, ex.reps) == (3, 10)
        assert "parallel" in " ".join(ex.steps)
        assert "very straight" not in " ".join(ex.steps)

    def test_squat_says_what_its_source_says(self):
        """Finding 27: MSD says toes forward; no claim that upright is impossible."""
        ex = backkit.get_exercise("squat")
        words = " ".join([ex.start_position, *ex.steps, *(c.why for c in ex.corrections)])
        assert "toes pointing forward" in words and "slightly out" not in words
        assert "not possible" not in words and "bolt-upright" not in words

    @pytest.mark.parametrize(
        ("exercise_id", "claim"),
        [
            ("supine-hamstring-stretch", "tilt the pelvis backwards"),
            ("standing-hip-flexor-stretch", "pull the pelvis forward"),
        ],
    )
    def test_biomechanical_rationales_are_common_explanations(self, exercise_id, claim):
        """Finding 22: said as a common explanation with little evidence, with its source."""
        purpose = backkit.get_exercise(exercise_id).purpose
        assert claim in purpose
        assert "A common explanation" in purpose and "little evidence" in purpose

    def test_shamsi_is_cited_for_what_it_found(self):
        """Third review E3: neither pelvic tilt nor the straight-leg raise changed."""
        purpose = backkit.get_exercise("supine-hamstring-stretch").purpose
        assert "Shamsi 2020" in purpose
        assert "neither the pelvic tilt nor the straight-leg raise" in purpose
        assert "cannot show whether longer hamstrings would change the pelvis" in purpose
        # not cited for the bending claim, which it did not test
        long_sitting = backkit.get_exercise("long-sitting-hamstring-stretch")
        assert "Shamsi" not in long_sitting.purpose
        assert "SHAMSI" not in long_sitting.references
        assert "spare the low back when you bend; it is unproven" in long_sitting.purpose


class TestArticleWords:
    """Finding 28 and 29: the article quoted in its own words, its names kept apart."""

    def test_article_names_are_the_articles_own(self):
        names = {i: backkit.get_exercise(i).article_name for i in ARTICLE_IDS}
        assert names["double-knee-to-chest"] == "Two knees to chest"
        assert names["squat"] == "Squat movement for back pain"
        assert names["bridge"] == "Pelvis tilt"
        assert names["standing-hip-flexor-stretch"] == "Hip flexion"

    def test_no_invented_words_in_the_articles_summary(self):
        bridge = backkit.get_exercise("bridge")
        assert "Do 10 repetitions" not in bridge.article
        assert "another three sets of 10" in bridge.article_quotes

    def test_quotes_and_summary_are_told_apart_where_they_are_shown(self):
        md = exercises.section_markdown("bridge", "article")
        assert "The article's own words on record:" in md
        assert "\u201cspread your buttocks off the floor\u201d" in md
        assert "in our words (a summary)" in md
        # third review M7: the article's title is its own words on record
        md = exercises.section_markdown("knee-to-chest", "article")
        assert "The article's own words on record:** \u201cKnee to chest\u201d" in md
        assert "none on record" not in md

    def test_every_article_exercise_quotes_its_title(self):
        for exercise_id in ARTICLE_IDS:
            ex = backkit.get_exercise(exercise_id)
            assert ex.article_name in ex.article_quotes, exercise_id

    def test_the_summary_of_exercise_1_adds_nothing_to_the_article(self):
        """Third review M7: no words the article does not have."""
        summary = backkit.get_exercise("supine-hamstring-stretch").article
        assert "towards you" not in summary and "stomach" in summary
        assert "does not say whether the raised leg is straight or bent" in summary

    def test_aliases_do_not_bring_back_the_rejected_names(self):
        rejected = {"pelvis tilt", "hip flexion", "deep squat", "leg elevation"}
        for ex in exercises.catalogue().exercises:
            aliases = {a.lower() for a in ex.aliases}
            assert not aliases & rejected, ex.id
            assert ex.article_name.lower() not in aliases, ex.id

    def test_the_article_name_stays_searchable_as_the_article_name(self):
        df = backkit.load_exercises()
        assert df.index[df["article_name"] == "Pelvis tilt"].tolist() == ["bridge"]
        title = exercises.section_markdown("bridge", "title")
        assert "Article name: \u201cPelvis tilt\u201d" in title
        assert "Also called: gluteal bridge, hip raise." in title


class TestExtension:
    """Finding 19: an extension exercise, marked as an addition, with its source."""

    def test_it_is_marked_as_not_from_the_article_wherever_it_is_listed(self):
        ex = backkit.get_exercise("standing-back-extension")
        assert not ex.from_article and ex.article_name == "" and ex.article_quotes == ()
        assert "NHSI" in ex.references and "CUH" in ex.references
        md = ex._repr_markdown_()
        assert "*Not from the article: an addition to the programme (NHSI, CUH, NHS-LBP)." in md
        assert exercises.section_markdown(ex, "article").startswith("**Not from the article.**")
        assert not backkit.load_exercises().loc["standing-back-extension", "from_article"]

    def test_it_explains_that_directions_suit_people_differently(self):
        ex = backkit.get_exercise("standing-back-extension")
        assert "eases with bending backwards" in ex.purpose
        assert "with bending forwards" in ex.purpose
        assert ex.poses is not None
        assert "standing-back-extension" not in exercises.article_ids()

    def test_every_exercise_says_where_its_defaults_come_from(self):
        for ex in exercises.catalogue().exercises:
            assert ex.defaults_note
            assert ex.article


class TestLookup:
    def test_unknown_id_lists_valid_ids_and_suggests_the_closest(self):
        with pytest.raises(KeyError) as info:
            backkit.get_exercise("brige")
        message = info.value.args[0]
        assert "Did you mean 'bridge'?" in message
        for exercise_id in IDS:
            assert exercise_id in message

    def test_exercise_passes_through(self):
        ex = backkit.get_exercise("squat")
        assert backkit.get_exercise(ex) is ex

    def test_markdown_shows_steps_and_dose(self):
        md = backkit.get_exercise("bridge")._repr_markdown_()
        assert "Bridge" in md and "3 sets" in md and "1. Lie on your back" in md


class TestMalformedCatalogue:
    """A clinician's mistake gives one clear error naming the exercise and field."""

    def entry(self, data: dict, exercise_id: str) -> dict:
        return next(e for e in data["exercises"] if e["id"] == exercise_id)

    def test_missing_field(self, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        del self.entry(data, "bridge")["steps"]
        with pytest.raises(
            CatalogueError, match=r"exercise 'bridge': missing required field 'steps'"
        ):
            backkit.load_exercises(write_catalogue(data))

    def test_negative_hold(self, tmp_path, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        self.entry(data, "knee-to-chest")["hold_seconds"] = -5
        with pytest.raises(CatalogueError) as info:
            backkit.load_exercises(write_catalogue(data))
        message = str(info.value)
        assert "exercise 'knee-to-chest'" in message
        assert "field 'hold_seconds': -5" in message
        assert str(tmp_path) in message

    def test_unknown_position(self, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        self.entry(data, "squat")["position"] = "upside-down"
        with pytest.raises(
            CatalogueError,
            match=r"exercise 'squat', field 'position': 'upside-down' is not one of supine, prone",
        ):
            backkit.load_exercises(write_catalogue(data))

    def test_side_leg_says_which_leg_a_side_is(self, raw_catalogue, write_catalogue):
        """Third review W14: the timer's side cue names the back leg of the hip-flexor stretch."""
        assert backkit.get_exercise("standing-hip-flexor-stretch").side_leg == "leg back"
        assert backkit.get_exercise("knee-to-chest").side_leg == "leg"  # the default
        data = raw_catalogue()
        self.entry(data, "squat")["side_leg"] = "leg back"
        with pytest.raises(
            CatalogueError,
            match=r"exercise 'squat', field 'side_leg': 'leg back' is only for a per-side",
        ):
            backkit.load_exercises(write_catalogue(data))
        data = raw_catalogue()
        self.entry(data, "knee-to-chest")["side_leg"] = "Leg, back!"
        with pytest.raises(CatalogueError, match=r"field 'side_leg': 'Leg, back!' must be a few"):
            backkit.load_exercises(write_catalogue(data))

    def test_a_typo_in_a_choice_gets_a_suggestion(self, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        self.entry(data, "squat")["position"] = "standng"
        with pytest.raises(CatalogueError, match=r"Did you mean 'standing'\?"):
            backkit.load_exercises(write_catalogue(data))

    def test_the_error_carries_the_file_as_a_field(self, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        self.entry(data, "bridge")["sets"] = 99
        path = write_catalogue(data)
        with pytest.raises(CatalogueError) as info:
            backkit.load_exercises(path)
        assert str(info.value.where) == str(path.resolve())
        assert info.value.problem.startswith("exercise 'bridge', field 'sets': 99 must be")
        assert str(info.value) == f"{info.value.where}: {info.value.problem}"

    def test_a_bad_variant_says_where_it_is(self, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        self.entry(data, "bridge")["regression"]["name"] = ""
        with pytest.raises(
            CatalogueError, match=r"field 'name': '' must be non-empty text \(in 'regression'\)$"
        ):
            backkit.load_exercises(write_catalogue(data))

    def test_range_low_above_high(self, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        self.entry(data, "bridge")["reps"] = [10, 5]
        with pytest.raises(CatalogueError, match=r"'bridge', field 'reps': \[10, 5\]"):
            backkit.load_exercises(write_catalogue(data))

    def test_unknown_source_tag(self, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        self.entry(data, "squat")["provenance"]["sources"] = ["MSD", "WIKI"]
        with pytest.raises(
            CatalogueError,
            match=r"'squat', field 'provenance.sources': \['WIKI'\] names unknown sources",
        ):
            backkit.load_exercises(write_catalogue(data))

    @pytest.mark.parametrize(
        ("entry", "message"),
        [
            ({"title": "Someone's page"}, r"source 'MSD' has no address \(url\) or full reference"),
            ({"url": "https://example.org/x"}, r"source 'MSD' has no title"),
            ({"title": "T", "url": "example.org"}, r"source 'MSD' has an address that is not"),
            ("MSD Manual, squats.", r"source 'MSD' has no title"),
        ],
    )
    def test_a_source_without_title_and_address_or_reference(
        self, entry, message, raw_catalogue, write_catalogue
    ):
        data = raw_catalogue()
        data["sources"]["MSD"] = entry
        with pytest.raises(CatalogueError, match=message):
            backkit.load_exercises(write_catalogue(data))

    def test_an_addition_must_not_claim_article_words(self, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        self.entry(data, "standing-back-extension")["article_name"] = "Back bends"
        with pytest.raises(CatalogueError, match=r"'article_name'.*not from the article"):
            backkit.load_exercises(write_catalogue(data))

    def test_from_article_is_required(self, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        del self.entry(data, "bridge")["from_article"]
        with pytest.raises(CatalogueError, match=r"missing required field 'from_article'"):
            backkit.load_exercises(write_catalogue(data))

    def test_duplicate_id(self, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        self.entry(data, "squat")["id"] = "bridge"
        with pytest.raises(CatalogueError, match=r"field 'id': 'bridge' is used twice"):
            backkit.load_exercises(write_catalogue(data))

    def test_bad_id_is_named_by_position_when_it_has_no_id(self, raw_catalogue, write_catalogue):
        data = raw_catalogue()
        del data["exercises"][2]["id"]
        with pytest.raises(CatalogueError, match=r"exercise #3: missing required field 'id'"):
            backkit.load_exercises(write_catalogue(data))

    def test_broken_yaml_names_the_line_not_a_parser_traceback(self, tmp_path):
        path = tmp_path / "broken.yaml"
        path.write_text("exercises:\n  - id: bridge\n    steps: [unclosed\n", encoding="utf-8")
        with pytest.raises(
            CatalogueError, match=r"broken.yaml: not valid YAML at line \d+"
        ) as info:
            backkit.load_exercises(path)
        assert info.value.__cause__ is None and info.value.__suppress_context__

    def test_missing_file(self, tmp_path):
        with pytest.raises(CatalogueError, match="cannot read the catalogue"):
            backkit.load_exercises(tmp_path / "nope.yaml")

    def test_a_clinician_can_add_an_exercise_by_editing_the_file(
        self, raw_catalogue, write_catalogue
    ):
        data = raw_catalogue()
        new = dict(
            self.entry(data, "bridge"), id="single-leg-bridge", number=9, name="Single-leg bridge"
        )
        data["exercises"].append(new)
        df = backkit.load_exercises(write_catalogue(data))
        assert df.index[-1] == "single-leg-bridge"
        assert len(df) == 9


def test_import_backkit_is_light():
    """`import backkit` must not pull in pandas, matplotlib or ipywidgets."""
    heavy = "('pandas', 'matplotlib', 'ipywidgets')"
    code = f"import sys, backkit; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_catalogue_reads_pose_data_without_the_drawing_code():
    """exercises needs poses.model only; drawing (which needs exercises) loads on first use."""
    code = (
        "import sys, backkit; backkit.get_exercise('bridge'); "
        "print(sorted(m for m in sys.modules if m.startswith('backkit.poses')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(
        ["backkit.poses", "backkit.poses.kinematics", "backkit.poses.model"]
    )
