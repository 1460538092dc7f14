"""The Portuguese copies of the notebooks (``notebooks/pt/``): the same code, translated words.

Every English notebook has a copy of the same name in ``notebooks/pt/`` whose
code cells are the English ones byte for byte (source, order, id, metadata
such as tags) and whose markdown cells are translated: the same number, in
the same places, with the same headings, links and code names. nbval runs the
copies top to bottom with the rest of ``notebooks/`` (the root conftest.py
starts their kernels with ``BACKKIT_LANG=pt``); the last test here checks that
set-up.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PT = NOTEBOOKS / "pt"
ENGLISH = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
#: A markdown cell of more words than this left as it is in English is a missed translation.
FEW_WORDS = 4
CODE_SPAN = re.compile(r"`[^`\n]+`")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#+) ", flags=re.M)


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def pair(name: str) -> tuple[dict, dict]:
    return read(NOTEBOOKS / name), read(PT / name)


def markdown(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def test_the_english_notebooks_are_found():
    assert {"00_start_here.ipynb", "10_todays_session.ipynb", "app.ipynb"} <= set(ENGLISH)


def test_every_english_notebook_has_a_portuguese_copy_and_no_more():
    assert sorted(p.name for p in PT.glob("*.ipynb")) == ENGLISH


@pytest.mark.parametrize("name", ENGLISH)
def test_the_code_is_the_english_code(name):
    english, pt = pair(name)
    assert [c["cell_type"] for c in pt["cells"]] == [c["cell_type"] for c in english["cells"]]
    code = [c for c in english["cells"] if c["cell_type"] == "code"]
    assert [c for c in pt["cells"] if c["cell_type"] == "code"] == code
    # markdown cells keep their ids and metadata (tags such as bk-no-report) too
    strip = [{k: v for k, v in c.items() if k != "source"} for c in english["cells"]]
    assert [{k: v for k, v in c.items() if k != "source"} for c in pt["cells"]] == strip
    assert {k: v for k, v in pt.items() if k != "cells"} == {
        k: v for k, v in english.items() if k != "cells"
    }


@pytest.mark.parametrize("name", ENGLISH)
def test_the_file_is_the_english_file_with_its_markdown_translated(name):
    # as a diff would show: the English file's bytes, with only markdown sources changed
    english, pt = pair(name)
    words = iter(c["source"] for c in pt["cells"] if c["cell_type"] == "markdown")
    for cell in english["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = next(words)
    # nbstripout's format: indent 1, UTF-8 as it is, one trailing newline
    expected = json.dumps(english, indent=1, ensure_ascii=False) + "\n"
    assert (PT / name).read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("name", ENGLISH)
def test_every_markdown_cell_is_translated(name):
    english, pt = pair(name)
    missed = [
        en[:60]
        for en, tr in zip(markdown(english), markdown(pt), strict=True)
        if en == tr and len(CODE_SPAN.sub("", en).split()) > FEW_WORDS
    ]
    assert missed == [], f"{name}: left in English"


@pytest.mark.parametrize("name", ENGLISH)
def test_headings_links_and_code_names_are_kept(name):
    english, pt = pair(name)
    for en, tr in zip(markdown(english), markdown(pt), strict=True):
        assert HEADING.findall(tr) == HEADING.findall(en), tr[:60]
        # link text is translated, the target is not: a notebook keeps its file name
        assert LINK_TARGET.findall(tr) == LINK_TARGET.findall(en), tr[:60]
        missing = set(CODE_SPAN.findall(en)) - set(CODE_SPAN.findall(tr))
        assert missing == set(), f"{name}: {tr[:60]!r} lost {sorted(missing)}"


def test_the_linked_notebooks_are_portuguese_copies():
    for path in sorted(PT.glob("*.ipynb")):
        for text in markdown(read(path)):
            for target in LINK_TARGET.findall(text):
                if target.split("#")[0].endswith(".ipynb"):
                    assert (PT / target.split("#")[0]).is_file(), (path.name, target)


def _language_hook(pytestconfig):
    (hook,) = [
        plugin.pytest_runtest_setup
        for plugin in pytestconfig.pluginmanager.get_plugins()
        if getattr(plugin, "__file__", "").endswith("conftest.py")
        and Path(plugin.__file__).resolve() == NOTEBOOKS.parent / "conftest.py"
    ]
    return hook


def _language_while_set_up(hook, path: Path) -> str | None:
    steps = hook(SimpleNamespace(path=path))  # a hook wrapper: the set-up runs at its yield
    next(steps)
    during = os.environ.get("BACKKIT_LANG")
    with pytest.raises(StopIteration):
        steps.send(None)
    return during


def test_portuguese_notebooks_start_their_kernels_in_portuguese(pytestconfig, monkeypatch):
    """The root conftest.py sets BACKKIT_LANG=pt while a notebooks/pt/ cell is set up, only."""
    hook = _language_hook(pytestconfig)
    monkeypatch.delenv("BACKKIT_LANG", raising=False)
    assert _language_while_set_up(hook, PT / "10_todays_session.ipynb") == "pt"
    assert "BACKKIT_LANG" not in os.environ  # put back: the next kernel is English
    assert _language_while_set_up(hook, NOTEBOOKS / "10_todays_session.ipynb") is None
    assert _language_while_set_up(hook, PT / "conftest.py") is None
    monkeypatch.setenv("BACKKIT_LANG", "en")
    assert _language_while_set_up(hook, PT / "20_my_progress.ipynb") == "pt"
    assert os.environ["BACKKIT_LANG"] == "en"
