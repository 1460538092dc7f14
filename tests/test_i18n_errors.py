"""Error and warning messages in Portuguese (``BACKKIT_LANG=pt``).

A message is kept in English where it is kept (``err.args``, ``err.problem``,
``Problem.message``: code compares them, files store them) and said in the
person's language where it is shown (``str(err)``), at the moment it is shown.
The words come from the compiled ``backkit`` catalogue; the English tests
(tests/test_log.py, tests/test_store.py, ...) pin the English.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import backkit
from backkit import config
from backkit.errors import (
    ConfigError,
    LogFileError,
    LogValidationError,
    Message,
    UnknownExerciseError,
    shown,
)


@pytest.fixture
def pt(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    monkeypatch.setenv("BACKKIT_TZ", "Europe/London")
    monkeypatch.setenv("BACKKIT_TODAY", "2026-12-07T10:00")
    return monkeypatch


def refusal(**fields) -> LogValidationError:
    with pytest.raises(LogValidationError) as caught:
        backkit.SessionLog(":memory:").record(**fields)
    return caught.value


def test_a_refused_bout_is_said_in_portuguese_and_kept_in_english(pt):
    err = refusal(exercise_id="bridge", pain_after=11)
    assert str(err) == "record: pain_after = 11: deve ser um número inteiro de 0 a 10"
    # what code compares and what is stored stays English
    assert err.problems[0].message == "must be a whole number from 0 to 10"
    assert err.args[0] == "record: pain_after = 11: must be a whole number from 0 to 10"


def test_the_language_is_the_one_of_the_moment_the_message_is_shown(pt):
    err = refusal(exercise_id="bridge", pain_after="3")
    said = 'deve ser um número inteiro de 0 a 10, não texto (informe um número, não "3")'
    assert str(err).endswith(said)
    pt.setenv("BACKKIT_LANG", "en")
    english = 'must be a whole number from 0 to 10, not text (give a number, not "3")'
    assert str(err).endswith(english)


def test_an_unknown_exercise_suggests_in_portuguese(pt):
    err = UnknownExerciseError("brige", ["bridge", "squat"])
    assert str(err) == (
        "id de exercício desconhecido 'brige'. Você quis dizer 'bridge'? Ids válidos: bridge, squat"
    )
    assert err.problem == (
        "unknown exercise id 'brige'. Did you mean 'bridge'? Valid ids: bridge, squat"
    )
    copy = pickle.loads(pickle.dumps(err))
    assert str(copy) == str(err) and copy.args == err.args


def test_a_per_side_exercise_names_the_rule_in_portuguese(pt):
    err = refusal(exercise_id="knee-to-chest", side="both")
    assert str(err) == (
        "record: side = 'both': deve ser left ou right: knee-to-chest é feito um lado de cada vez"
    )


def test_a_log_file_error_names_the_file_first(pt, tmp_path: Path):
    empty = tmp_path / "patient.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(LogFileError) as caught:
        backkit.SessionLog(empty)
    assert str(caught.value).startswith(f"{empty}: está vazio (0 bytes): não é um registro")
    assert caught.value.args[0].startswith(f"{empty}: is empty (0 bytes)")


def test_an_import_counts_its_refused_rows_in_portuguese(pt, tmp_path: Path):
    csv = tmp_path / "old.csv"
    csv.write_text(
        "exercise_id,started_at,pain_after\n"
        "bridge,2026-12-01T09:00,11\n"
        "bridge,2026-12-02T09:00,12\n"
    )
    with pytest.raises(LogValidationError) as caught:
        backkit.SessionLog(tmp_path / "log.sqlite").import_csv(csv)
    assert str(caught.value).splitlines() == [
        "2 de 2 linhas recusadas; nada foi gravado:",
        "arquivo old.csv, linha 2: pain_after = '11': deve ser um número inteiro de 0 a 10",
        "arquivo old.csv, linha 3: pain_after = '12': deve ser um número inteiro de 0 a 10",
    ]
    # the places stay the English keys the Fix tool and the import match on
    assert caught.value.rows == ["file old.csv, row 2", "file old.csv, row 3"]


def test_a_time_the_clocks_skipped_is_explained_in_portuguese(pt):
    err = refusal(exercise_id="bridge", started_at="2026-03-29 01:30")
    assert str(err) == (
        "record: started_at = '2026-03-29 01:30': não existiu em Europe/London: os relógios "
        "foram adiantados em uma hora lá, de 2026-03-29 01:00 para 02:00; informe a hora com "
        "o seu deslocamento UTC ou confira a hora"
    )


def test_a_setting_error_is_said_in_portuguese(pt):
    pt.setenv("BACKKIT_TZ", "Mars/Olympus")
    with pytest.raises(ConfigError) as caught:
        config.kit_timezone()
    assert str(caught.value) == (
        "BACKKIT_TZ: 'Mars/Olympus' não é um fuso horário conhecido; use um nome IANA como "
        "'America/Sao_Paulo' ou 'Europe/London'"
    )


def test_a_wrong_language_is_said_in_english(monkeypatch: pytest.MonkeyPatch):
    # with no language to speak, the message cannot be translated: it must still show
    monkeypatch.setenv("BACKKIT_LANG", "xx")
    with pytest.raises(ConfigError) as caught:
        config.language()
    assert str(caught.value).startswith("BACKKIT_LANG: BACKKIT_LANG is 'xx', not a language")
    assert shown(Message("must be {rule}", rule="text")) == "must be text"


def test_counts_take_the_portuguese_plural(pt):
    one = Message.ngettext("{n} minute", "{n} minutes", 1, n=1)
    many = Message.ngettext("{n} minute", "{n} minutes", 30, n=30)
    assert (one, many) == ("1 minute", "30 minutes")
    assert (one.shown(), many.shown()) == ("1 minuto", "30 minutos")


def test_in_english_what_is_shown_is_what_is_kept(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BACKKIT_LANG", "en")
    err = refusal(exercise_id="bridge", pain_after=11)
    moved = err.at("file old.csv")
    assert str(err) == err.args[0] == "record: pain_after = 11: must be a whole number from 0 to 10"
    assert str(moved) == moved.args[0] == f"file old.csv: {err.args[0]}"
