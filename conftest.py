"""Test-suite set-up shared by unit tests and notebooks run under nbval.

Every test, and every process the tests start (notebook kernels, servers, the
command line: they inherit this process's environment), uses a throw-away
backkit home, so tests never touch a person's real log, and one pinned clock,
so the real date never decides a result.

The clock is ``$BACKKIT_TODAY`` when set (CI runs the suite on each weekday, a
daylight-saving change and a year end this way), else Monday 2026-12-07 at
10:00 UTC. It is written as an instant with the real time it was pinned at
(:func:`backkit.config.pinned_clock`), so every process reads the same clock,
and it runs on at the real pace.
"""

import atexit
import functools
import html
import itertools
import os
import re
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable

_home = tempfile.mkdtemp(prefix="backkit-test-home-")
atexit.register(shutil.rmtree, _home, ignore_errors=True)
os.environ["BACKKIT_HOME"] = _home
# One region's safety advice (GB, the kit's default) unless a test pins another:
# the machine's BACKKIT_REGION or BACKKIT_LANG never decides a result.
os.environ["BACKKIT_REGION"] = "GB"
os.environ.pop("BACKKIT_LANG", None)
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("MPLCONFIGDIR", os.path.join(_home, "mpl"))
# hypothesis keeps its caches here, not in a .hypothesis/ folder of the checkout
os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = os.path.join(_home, "hypothesis")

from backkit import config  # noqa: E402  (after BACKKIT_HOME: nothing may read the real one)

DEFAULT_TODAY = "2026-12-07T10:00:00+00:00"
_pinned = os.environ.get("BACKKIT_TODAY", "").strip() or DEFAULT_TODAY
if "@" not in _pinned:
    _pinned = f"{config.pinned_clock(_pinned)[0].isoformat()}@{time.time():.3f}"
os.environ["BACKKIT_TODAY"] = _pinned

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# Property tests keep no example database between runs (and their caches go to
# the throw-away home above): tests write only under their own temporary folders.
# No per-example deadline: on a loaded machine (CI runs the suite eleven times,
# two workers on two cores) one slow example would fail a test of what is right,
# not of how fast; speed has its own tests and benchmarks.
settings.register_profile("backkit", database=None, deadline=None)
settings.load_profile("backkit")


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch):
    # Whatever a test or example does to the clock is undone after it.
    monkeypatch.setenv("BACKKIT_TODAY", _pinned)


@pytest.fixture
def pin_today(monkeypatch):
    """``pin_today("2026-03-29T00:30+00:00")``: run the test's clock from that moment."""

    def pin(moment: str) -> None:
        monkeypatch.setenv("BACKKIT_TODAY", f"{moment}@{time.time():.3f}")

    return pin


@pytest.fixture(autouse=True)
def _docstring_examples_in_utc(request, monkeypatch):
    # The package's ">>>" examples show times in UTC; whatever an example does
    # to $BACKKIT_TZ is undone after it.
    if type(request.node).__name__ == "DoctestItem":
        monkeypatch.setenv("BACKKIT_TZ", "UTC")


# --------------------------------------------------------------------------
# A language's copies of the notebooks (notebooks/pt/) run in that language.
# nbval starts a notebook's kernel while its first cell is set up, and the
# kernel takes this process's environment as it is then: BACKKIT_LANG is set
# for the set-up of those cells only, so an English notebook run next on the
# same worker still starts its kernel in English.

_NOTEBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notebooks")


def _notebook_language(item) -> str | None:
    """The language of a translated notebook's cell (``notebooks/pt/...``), else None."""
    folder, _ = os.path.split(os.path.abspath(str(item.path)))
    lang = os.path.basename(folder)
    if (
        str(item.path).endswith(".ipynb")
        and os.path.dirname(folder) == _NOTEBOOKS
        and lang in config.LANGUAGES
    ):
        return lang
    return None


@pytest.fixture(autouse=True)
def _pinned_language(request, monkeypatch):
    # Whatever a test or example does to the language and region (the
    # examples of config.region() set and delete them) is undone after it;
    # a Portuguese notebook's cells keep the language their set-up gives them.
    if _notebook_language(request.node) is None:
        monkeypatch.setenv("BACKKIT_REGION", "GB")
        monkeypatch.delenv("BACKKIT_LANG", raising=False)
        monkeypatch.delenv("HTTP_ACCEPT_LANGUAGE", raising=False)


def pytest_collection_modifyitems(items):
    # A translated notebook runs the English one's code: the clock sweep
    # (-m "not slow"), which runs the suite eight times for the date, runs
    # the English copies only; `make test` and the matrix run both.
    for item in items:
        if _notebook_language(item):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    lang = _notebook_language(item)
    if lang is None:
        yield
        return
    # ...in the language's usual region (pt: Brazil), as a person who sets only
    # the language gets; tests/test_no_english.py runs them in the other regions.
    before = {name: os.environ.get(name) for name in ("BACKKIT_LANG", "BACKKIT_REGION")}
    os.environ["BACKKIT_LANG"] = lang
    os.environ.pop("BACKKIT_REGION", None)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --------------------------------------------------------------------------
# Each notebook runs once (nbval, one item per cell); a person waits for the
# whole of it, so its cells' time together must stay under the budget.

# A slower machine may set another budget.
NOTEBOOK_SECONDS = float(os.environ.get("BACKKIT_NOTEBOOK_SECONDS", "30"))
_notebook_seconds: defaultdict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    # Under pytest-xdist this runs in the controller too, with every worker's reports.
    path, _, rest = report.nodeid.partition("::")
    if path.endswith(".ipynb") and rest:
        _notebook_seconds[path] += report.duration


def _slow_notebooks() -> dict[str, float]:
    return {nb: s for nb, s in _notebook_seconds.items() if s > NOTEBOOK_SECONDS}


def pytest_terminal_summary(terminalreporter):
    if _notebook_seconds and not hasattr(terminalreporter.config, "workerinput"):
        terminalreporter.section("notebooks, top to bottom")
        for nb, seconds in sorted(_notebook_seconds.items(), key=lambda kv: -kv[1]):
            over = seconds > NOTEBOOK_SECONDS
            note = f"  over the {NOTEBOOK_SECONDS:.0f} s budget" if over else ""
            terminalreporter.write_line(f"{seconds:6.1f} s  {nb}{note}")
        if _slow_notebooks():
            terminalreporter.write_line(
                f"FAILED: a person waits over {NOTEBOOK_SECONDS:.0f} s for the notebooks marked "
                "above (BACKKIT_NOTEBOOK_SECONDS sets the budget)",
                red=True,
            )


def pytest_sessionfinish(session):
    if _slow_notebooks() and not hasattr(session.config, "workerinput"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --------------------------------------------------------------------------
# English left in another language's text. The kit's English words are the
# msgids of its catalogues; a word of theirs that no translation uses (and
# that is no proper name: those stay as they are in every translation) is an
# English word, and a page of another language that shows one shows English.
# The sources the kit cites are shown as published, so their titles and
# references are left out before the words are counted.

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# placeholders, tags, addresses, paths, names in code and file names: not words
_NOT_WORDS = re.compile(
    r"\{[^{}]*\}|%\([^)]*\)[sd]|<[^>]+>|&\w+;|https?://\S+|\S*/\S*|\w*_\w*"
    r"|[\w.-]+\.(?:sqlite|csv|yaml|json|html|pdf|png|ics|xlsx|ipynb|py)\b"
)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(_NOT_WORDS.sub(" ", text))}


@functools.lru_cache(maxsize=4)
def _english_only(language: str) -> frozenset[str]:
    from babel.messages.pofile import read_po

    english: set[str] = set()
    translated: set[str] = set()
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "backkit", "locale")
    variants = [v for v in os.listdir(folder) if v.split("_")[0] == language]  # pt, pt_PT
    for variant, domain in itertools.product(variants, ("backkit", "clinical")):
        with open(os.path.join(folder, variant, "LC_MESSAGES", f"{domain}.po"), "rb") as f:
            for message in read_po(f):
                if not message.id:
                    continue
                for text in message.id if isinstance(message.id, tuple) else (message.id,):
                    english |= _words(text)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    translated |= _words(text)
    # the names of days and months, which the kit writes with Babel
    from babel import Locale

    for locale in ("pt_BR", "pt_PT") if language == "pt" else (language,):
        names = Locale.parse(locale)
        for table in (names.days, names.months):
            for width in ("wide", "abbreviated"):
                translated |= {w for name in table["format"][width].values() for w in _words(name)}
    return frozenset(w for w in english - translated if len(w) > 2)


@functools.lru_cache(maxsize=1)
def _cited() -> tuple[str, ...]:
    """What the kit quotes as published: its sources, and the article's own (English) words."""
    import yaml

    cited: list[str] = []

    def leaves(node) -> None:
        if isinstance(node, dict):
            for value in node.values():
                leaves(value)
        elif isinstance(node, list):
            for value in node:
                leaves(value)
        elif isinstance(node, str) and node.strip():
            cited.append(" ".join(node.split()))

    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "backkit", "data")
    for name in ("exercises.yaml", "safety.yaml", "outcomes.yaml", "conditions.yaml"):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            data = yaml.safe_load(f)
        leaves(data.get("sources", {}))
        for entry in data.get("exercises", []):
            leaves(entry.get("article_name", ""))
            leaves(entry.get("provenance", {}).get("article_quotes", []))
    return tuple(sorted(cited, key=len, reverse=True))


def english_words(text: str, language: str = "pt") -> dict[str, str]:
    """The English words ``text`` shows, each with the words around its first place."""
    text = " ".join(html.unescape(text).split())
    for source in _cited():
        text = text.replace(source, " ")
    text = _NOT_WORDS.sub(" ", text)
    english = _english_only(language)
    found: dict[str, str] = {}
    for match in _WORD.finditer(text):
        word = match.group().lower()
        if match.group().isupper():
            continue  # an acronym or a source's tag (NHS, PSFS, SOURCE): a name
        if word in english and word not in found:
            found[word] = text[max(0, match.start() - 50) : match.end() + 50]
    return found


@pytest.fixture
def no_english():
    """``no_english(text, "where")``: fail, naming each English word shown and its place."""

    def check(text: str, where: str) -> None:
        found = english_words(text)
        assert not found, f"{where} shows English: " + "; ".join(
            f"{w!r} in ...{c}..." for w, c in found.items()
        )

    return check


#: A Python object's repr (``Exercise(id='bridge', ...)``): its field names are code.
_REPR = re.compile(r"[A-Z]\w*\(\w+=")


def _shown_by(output) -> str:
    """The words a notebook cell's output shows (a DataFrame's own table is data, not words)."""
    data = output.get("data", {})
    page = data.get("text/html", "")
    if 'class="dataframe"' in page:
        return ""
    page = re.sub(r"(?is)<(style|script|svg)\b.*?</\1>", " ", page)
    words = [output.get("text", ""), re.sub(r"<[^>]+>", " ", page), data.get("text/markdown", "")]
    plain = data.get("text/plain", "")
    # text/plain is what shows only when nothing richer does (a widget shows its view)
    if len(data) == 1 and not _REPR.match(plain) and "dtype: " not in plain:  # not a pandas repr
        words.append(plain)
    return " ".join(words)


@pytest.fixture
def notebook_words() -> Callable[[dict], str]:
    """``notebook_words(output)``: the words a notebook cell's output shows."""
    return _shown_by


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    # A translated notebook's cell shows no English (nbval keeps what it printed).
    result = yield
    language = _notebook_language(item)
    if language and getattr(item, "test_outputs", None):
        found = english_words(" ".join(map(_shown_by, item.test_outputs)), language)
        if found:
            raise AssertionError(
                f"{item.nodeid} shows English: "
                + "; ".join(f"{w!r} in ...{c}..." for w, c in found.items())
            )
    return result
