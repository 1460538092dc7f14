"""The command line and the progress sentences in Portuguese (``BACKKIT_LANG=pt``).

The words come from the compiled ``backkit`` catalogue; English stays the
words as written (tests/test_cli.py, tests/test_narrative.py). The command is
run as a person runs it: a real process, its exit code and its output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import backkit
from backkit import cli, narrative

SCRIPT = Path(sys.executable).with_name("backkit")


def backkit_cmd(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    """Run the installed ``backkit`` command with a throw-away home and ``env``."""
    full = dict(os.environ, BACKKIT_HOME=str(home), MPLBACKEND="Agg", **env)
    full.pop("BACKKIT_LOG", None)
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, env=full, cwd=home, timeout=120
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


class TestNarrative:
    def test_the_summary_speaks_the_language_of_the_moment(self, monkeypatch):
        empty = backkit.log.empty_frame()
        monkeypatch.setenv("BACKKIT_LANG", "pt")
        assert narrative.summary(empty) == [
            "Nenhuma sessão registrada ainda: faça uma sessão e o seu resumo aparecerá aqui."
        ]
        assert narrative.headline(empty, subject="Paciente A") == (
            "Nenhuma sessão registrada ainda para Paciente A."
        )
        # the same process, the language changed between calls
        monkeypatch.setenv("BACKKIT_LANG", "en")
        assert narrative.summary(empty) == [
            "No sessions logged yet: do a session and your summary will appear here."
        ]

    def test_counts_agree_in_portuguese_and_numbers_are_kept(self, monkeypatch):
        log = backkit.sample_log()
        english = narrative.summary(log, subject="Paciente A")
        monkeypatch.setenv("BACKKIT_LANG", "pt_BR")
        text = narrative.summary(log, subject="Paciente A")
        assert len(text) == len(english)
        assert text[0].startswith("Paciente A registrou 72 sessões em 64 dias, entre ")
        assert text[2] == (
            "A dor lombar muitas vezes melhora sozinha; por isso, estes números descrevem o que "
            "aconteceu durante o período de exercícios, não o que os exercícios causaram."
        )
        rule = "mudança mínima importante, MIC: pelo menos 2 pontos e pelo menos 30% do valor "
        assert rule in text[1]
        assert not any(" sessions" in line or " days" in line for line in text), text

    def test_adherence_in_portuguese(self, monkeypatch):
        from backkit.adherence import adherence
        from backkit.log import empty_frame
        from backkit.plan import Plan

        plan = Plan("Pontes", items=["bridge"], days_per_week=7, start="2024-05-06")
        table = adherence(empty_frame(tz="UTC"), plan, end="2024-05-12")
        monkeypatch.setenv("BACKKIT_LANG", "pt")
        assert narrative.describe_adherence(table) == (
            "De 2024-05-06 a 2024-05-12, 0% das sessões prescritas foram feitas (0 de 7 "
            "completas, 0 parciais). Dias seguidos cumprindo o plano inteiro: sequência atual "
            "0, a maior 0."
        )


class TestCommandLine:
    def test_help_is_in_portuguese_argparse_words_included(self, home):
        result = backkit_cmd("lab", "--help", home=home, BACKKIT_LANG="pt", COLUMNS="200")
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert out.startswith("uso: backkit lab [-h]")
        assert "\nopções:\n" in out
        # the help column's width differs between Python versions
        assert re.search(r"-h, --help\s+mostrar esta mensagem de ajuda e sair", out)
        assert re.search(r"--lang IDIOMA\s+o idioma do kit neste servidor: en ou pt", out)
        assert "usage:" not in out and "show this help" not in out

    def test_the_command_list_is_in_portuguese(self, home):
        result = backkit_cmd("--help", home=home, BACKKIT_LANG="pt", COLUMNS="200")
        assert result.returncode == 0
        assert "argumentos posicionais:" in result.stdout
        assert re.search(r"--version\s+mostrar a versão do programa e sair", result.stdout)
        assert "gravar dados de exemplo e um relatório de exemplo" in result.stdout

    def test_a_language_the_kit_does_not_speak_is_one_line(self, home):
        for argv in (("--help",), ("report", "x.csv")):
            result = backkit_cmd(*argv, home=home, BACKKIT_LANG="fr_FR")
            assert result.returncode == 2 and result.stdout == ""
            assert result.stderr.splitlines() == [
                "backkit: error: BACKKIT_LANG: BACKKIT_LANG is 'fr_FR', not a language backkit "
                "speaks: use one of en, pt (with a country if you like: pt_BR, pt_PT)"
            ]

    def test_a_usage_mistake_is_one_portuguese_line(self, home):
        result = backkit_cmd("report", "x.csv", "--paper", "A3", home=home, BACKKIT_LANG="pt")
        assert result.returncode == 2 and result.stdout == ""
        # argparse's own words too: Python has no Portuguese for them (3.13 quotes no choices)
        assert re.fullmatch(
            r"backkit report: erro: argumento --paper: valor inválido: 'A3' "
            r"\(escolha entre '?a4'?, '?letter'?\) \(veja backkit report --help\)\n",
            result.stderr,
        )
        assert result.stderr.count("\n") == 1

    def test_an_error_of_the_command_is_one_portuguese_line(self, home):
        result = backkit_cmd("caseload", str(home), "--key", "k.csv", home=home, BACKKIT_LANG="pt")
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr == "backkit caseload: erro: --key exige --pseudonymise\n"
        assert not (home / "k.csv").exists()

    def test_lang_sets_the_language_of_the_command_and_its_server(self, home):
        # no BACKKIT_LANG in the environment: --lang alone makes the kit speak Portuguese
        result = backkit_cmd("lab", "--lang", "pt_BR", "--notebook", "99_nada.ipynb", home=home)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert f"notebook '99_nada.ipynb' não encontrado em {home / 'notebooks'}" in result.stderr


class TestLangOption:
    @pytest.mark.parametrize("command", ["lab", "app"])
    def test_an_unknown_language_is_one_line_and_nothing_is_made(self, home, command):
        result = backkit_cmd(command, "--lang", "fr_FR", home=home)
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr == (
            f"backkit {command}: error: --lang: BACKKIT_LANG is 'fr_FR', not a language backkit "
            "speaks: use one of en, pt (with a country if you like: pt_BR, pt_PT)\n"
        )
        assert list(home.iterdir()) == []  # no workspace, no log, no server

    def test_a_refused_language_leaves_the_environment_as_it_was(self, monkeypatch, capsys):
        monkeypatch.setenv("BACKKIT_LANG", "en_GB")
        assert cli.main(["app", "--lang", "klingon"]) == cli.EXIT_FAILED
        assert os.environ["BACKKIT_LANG"] == "en_GB"
        assert "--lang: BACKKIT_LANG is 'klingon'" in capsys.readouterr().err
        monkeypatch.delenv("BACKKIT_LANG")
        assert cli.main(["lab", "--lang", "de"]) == cli.EXIT_FAILED
        assert "BACKKIT_LANG" not in os.environ
