"""Every message has its translation: the catalogues are complete, intact and compiled.

The messages are extracted afresh with the real tool (``pybabel extract``, as
``make translations`` runs it), so a message added to the code or the data
files without a translation fails here, in ``make test``.

A country's variant of a language (``pt_PT``) holds only the words it writes
differently: an empty translation there is its language's (``pt``), which is
complete. What it does translate is held to the same rules.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from backkit import config, i18n
from backkit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "backkit" / "locale"
LANGUAGES = [lang for lang in config.LANGUAGES if lang != "en"]
#: The countries' variants: a catalogue of the words each writes differently.
VARIANTS = ["pt_PT"]
# ("domain", the babel map, the folder pybabel extract reads)
MAPS = {"backkit": ("babel.cfg", "."), "clinical": ("babel-clinical.cfg", ".")}
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)[sd]|%[sd]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def catalogue(language: str, domain: str):
    with open(LOCALE / language / "LC_MESSAGES" / f"{domain}.po", "rb") as f:
        return read_po(f)


@pytest.fixture(scope="module", params=sorted(MAPS))
def extracted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(domain, the messages ``pybabel extract`` finds now)."""
    domain = request.param
    mapping, folder = MAPS[domain]
    out = tmp_path_factory.mktemp("pot") / f"{domain}.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", mapping,
         "--no-location", "-o", str(out), folder],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with open(out, "rb") as f:
        return domain, [m for m in read_po(f) if m.id]


def texts(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def translated(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def test_the_clinical_data_files_have_words_to_translate(extracted):
    domain, messages = extracted
    if domain == "clinical":
        # the warning signs, the exercises' steps, the personal check's questions
        ids = {m.id for m in messages}
        assert "Pain, tingling, weakness or numbness in both legs." in ids
        assert any("knees bent" in i for i in ids)
        assert "Have you had a hip replacement?" in ids


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(extracted, language: str):
    domain, messages = extracted
    po = catalogue(language, domain)
    missing = [m.id for m in messages if po.get(m.id) is None]
    assert not missing, f"{len(missing)} {domain} messages not in {language}: run make translations"
    empty = [m.id for m in messages if not all(translated(po.get(m.id)))]
    assert not empty, f"{len(empty)} {domain} messages untranslated in {language}: {empty[:3]}"
    fuzzy = [m.id for m in messages if po.get(m.id).fuzzy]
    assert not fuzzy, f"{domain} translations marked fuzzy (check and unmark): {fuzzy[:3]}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_variant_has_every_message_and_writes_many_its_own_way(extracted, variant: str):
    domain, messages = extracted
    po = catalogue(variant, domain)
    assert po.locale is not None and str(po.locale) == variant
    missing = [m.id for m in messages if po.get(m.id) is None]
    assert not missing, f"{len(missing)} {domain} messages not in {variant}: run make translations"
    assert not [m.id for m in po if m.id and m.fuzzy], f"{variant}: fuzzy translations"
    own = [m for m in messages if all(translated(po.get(m.id)))]
    half_done = [m.id for m in messages if any(translated(po.get(m.id))) and m not in own]
    assert not half_done, f"{variant}: a plural with one form only: {half_done[:3]}"
    assert len(own) > len(messages) // 4, f"{variant} writes only {len(own)} {domain} messages"


@pytest.mark.parametrize("language", LANGUAGES + VARIANTS)
@pytest.mark.parametrize("domain", sorted(MAPS))
def test_placeholders_numbers_and_plurals_are_kept(language: str, domain: str):
    po = catalogue(language, domain)
    assert po.num_plurals == 2 and po.plural_expr == "(n != 1)"
    for message in po:
        if not message.id or not message.string:
            continue
        english, forms = texts(message), translated(message)
        if not all(forms):
            continue  # untranslated: test_every_message_is_translated says so
        if isinstance(message.id, tuple):
            assert len(forms) == po.num_plurals, message.id
        wanted = sorted(PLACEHOLDER.findall(english[-1]))
        for form in forms:
            assert sorted(PLACEHOLDER.findall(form)) == wanted, (message.id, form)
        # a number in the English is in the translation (a decimal point may be a comma)
        numbers = {n.replace(",", ".") for n in NUMBER.findall(english[-1])}
        found = {n.replace(",", ".") for n in NUMBER.findall(" ".join(forms))}
        assert numbers <= found, (message.id, forms, numbers - found)


@pytest.mark.parametrize("language", LANGUAGES + VARIANTS)
@pytest.mark.parametrize("domain", sorted(MAPS))
def test_the_compiled_catalogue_is_the_current_one(language: str, domain: str):
    """The .mo gettext reads holds exactly the .po's translations (whichever Babel compiled it)."""
    mo = LOCALE / language / "LC_MESSAGES" / f"{domain}.mo"

    def entries(messages) -> dict:
        # a plural message's ids and forms come as a list or a tuple
        return {
            tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id: (
                tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string
            )
            for m in messages
            if m.id and not m.fuzzy and all(translated(m))  # the untranslated are left out
        }

    with open(mo, "rb") as f:
        compiled = entries(read_mo(f))
    assert compiled == entries(catalogue(language, domain)), f"{mo} is out of date"


def test_english_is_the_words_as_written(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BACKKIT_LANG", "en_GB")
    assert i18n.gettext("Pain, tingling, weakness or numbness in both legs.", "clinical") == (
        "Pain, tingling, weakness or numbness in both legs."
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_data_files_are_shown_in_the_language(monkeypatch: pytest.MonkeyPatch, language: str):
    """Each data file's words reach the person translated; its numbers stay the one file's."""
    from backkit import analysis, conditions, safety
    from backkit.exercises import get_exercise

    english = {
        "bridge": get_exercise("bridge"),
        "sign": safety.rules()["emergency"]["signs"][0],
        "intro": conditions.intro(),
        "psfs": analysis.outcome_facts()["psfs"]["name"],
    }
    monkeypatch.setenv("BACKKIT_LANG", language)
    po = catalogue(language, "clinical")
    bridge = get_exercise("bridge")
    assert bridge.name == po.get(english["bridge"].name).string != english["bridge"].name
    assert bridge.steps == tuple(po.get(s).string for s in english["bridge"].steps)
    assert (bridge.reps, bridge.sets, bridge.hold_range) == (
        english["bridge"].reps, english["bridge"].sets, english["bridge"].hold_range
    )  # fmt: skip
    assert safety.rules()["emergency"]["signs"][0] == po.get(english["sign"]).string
    assert conditions.intro() == " ".join(po.get(english["intro"]).string.split())
    assert analysis.outcome_facts()["psfs"]["name"] == po.get(english["psfs"]).string
    assert analysis.outcome_facts()["psfs"]["mdc"] == {"mean": 2, "item": 3}


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_variant_shows_its_own_words_and_its_languages_for_the_rest(
    monkeypatch: pytest.MonkeyPatch, variant: str
):
    own = catalogue(variant, "backkit")
    language = catalogue(variant.split("_")[0], "backkit")
    written = next(m for m in own if m.id and isinstance(m.id, str) and m.string)
    inherited = next(m for m in own if m.id and isinstance(m.id, str) and not m.string)
    monkeypatch.setenv("BACKKIT_LANG", variant)
    assert i18n.gettext(written.id) == written.string != language.get(written.id).string
    assert i18n.gettext(inherited.id) == language.get(inherited.id).string
    monkeypatch.setenv("BACKKIT_LANG", "pt")  # a language without its country: the region's
    monkeypatch.setenv("BACKKIT_REGION", variant.split("_")[1])
    assert i18n.gettext(written.id) == written.string
    monkeypatch.setenv("BACKKIT_REGION", "BR")
    assert i18n.gettext(written.id) == language.get(written.id).string


def test_an_unknown_language_is_one_clear_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BACKKIT_LANG", "fr_FR")
    with pytest.raises(ConfigError, match="BACKKIT_LANG is 'fr_FR'"):
        config.language()
