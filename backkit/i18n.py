"""The kit's words in the person's language: gettext catalogues, managed with Babel.

The language is :func:`backkit.config.language` (``$BACKKIT_LANG``). English
is the language the kit is written in; every other language's words come from
a gettext catalogue in ``backkit/locale/<language>/LC_MESSAGES/``:

``backkit``
    The messages written in the code, marked with :func:`gettext` (``_``),
    :func:`ngettext` or, where the text is chosen before it is shown,
    :func:`N_`.
``clinical``
    The words of the clinical data files (``exercises.yaml``, ``safety.yaml``,
    ``outcomes.yaml``, ``conditions.yaml``): the fields :data:`WORDS` names.
    Only the words are translated; the numbers, sources and structure stay in
    the one data file, so they cannot drift between languages.

A maintainer runs ``make translations`` (``pybabel extract``, ``update`` and
``compile``) after changing words; ``tests/test_translations.py`` fails when a
message has no translation, its placeholders differ from the English, a plural
form is missing, or a compiled ``.mo`` is older than its ``.po``.
"""

from __future__ import annotations

import fnmatch
import gettext as _gettext
from collections.abc import Iterator
from typing import Any

from . import config, languages

__all__ = [
    "DOMAINS",
    "N_",
    "WORDS",
    "extract_yaml",
    "gettext",
    "locale_name",
    "ngettext",
    "translate_words",
    "translations",
    "word_paths",
]

DOMAINS = ("backkit", "clinical")

#: The fields of each clinical data file that hold words a person reads, as
#: dotted paths (``*`` matches any key or list position, across dots), and the
#: paths inside them that do not (condition tags, source tags, the article's
#: own words, which are quoted as they are on record).
WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "exercises.yaml": {
        "words": (
            "exercises.*.name",
            "exercises.*.aliases.*",
            "exercises.*.start_position",
            "exercises.*.equipment.*",
            "exercises.*.steps.*",
            "exercises.*.feel",
            "exercises.*.targets.*",
            "exercises.*.regions.*",
            "exercises.*.purpose",
            "exercises.*.mistakes.*",
            "exercises.*.cautions.*",
            "exercises.*.description",
            "exercises.*.provenance.article",
            "exercises.*.provenance.addition",
            "exercises.*.provenance.defaults",
            "exercises.*.article_says",
            "exercises.*.corrected",
            "exercises.*.why",
            "exercises.*.poses.*.label",
            "exercises.*.side_leg",
        ),
        "not": ("*.for.*", "*.sources.*", "*.article_quotes.*"),
    },
    "safety.yaml": {
        "words": ("*",),
        "not": (
            "sources.*",
            "*.sources.*",
            "*.id",
            "*.action",
        ),
    },
    "outcomes.yaml": {
        "words": ("*.name", "*.note", "*.attribution"),
        "not": ("sources.*", "*.sources.*"),
    },
    "conditions.yaml": {
        "words": ("intro", "questions.*.ask", "questions.*.options.*.label"),
        "not": ("*.tags.*",),
    },
}


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is written; translate it where it is shown."""
    return message


def translations(language: str, domain: str = "backkit") -> _gettext.NullTranslations:
    """The compiled catalogue of ``domain`` in ``language`` (English: the words as written)."""
    return languages.catalogue(language, domain)


def gettext(message: str, domain: str = "backkit") -> str:
    """``message`` in the kit's language (:func:`backkit.config.language`).

    Examples
    --------
    >>> import os
    >>> gettext("Start")
    'Start'
    """
    return translations(config.locale_name(), domain).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int, domain: str = "backkit") -> str:
    """The singular or plural of a message for ``n``, in the kit's language.

    Examples
    --------
    >>> ngettext("{n} session", "{n} sessions", 2).format(n=2)
    '2 sessions'
    """
    return translations(config.locale_name(), domain).ngettext(singular, plural, n)


#: The Babel locale of the kit's language and region (one home: :mod:`backkit.config`).
locale_name = config.locale_name


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def _is_word(path: str, spec: dict[str, tuple[str, ...]]) -> bool:
    return _matches(path, spec["words"]) and not _matches(path, spec["not"])


def word_paths(data: Any, file: str, path: str = "") -> Iterator[tuple[str, str]]:
    """Each ``(path, text)`` of ``data`` (a loaded data ``file``) that holds words.

    Examples
    --------
    >>> data = {"intro": "Hello", "questions": [{"id": "x", "ask": "Well?"}]}
    >>> list(word_paths(data, "conditions.yaml"))
    [('intro', 'Hello'), ('questions.0.ask', 'Well?')]
    """
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        if isinstance(data, str) and data.strip() and _is_word(path, WORDS[file]):
            yield path, data
        return
    for key, value in items:
        yield from word_paths(value, file, f"{path}.{key}" if path else str(key))


def translate_words(data: Any, file: str, language: str | None = None) -> Any:
    """A copy of ``data`` (a loaded data ``file``) with its words in ``language``.

    ``language`` (``pt``, or a variant such as ``pt_PT``) defaults to the
    kit's (:func:`backkit.config.locale_name`).
    English returns ``data`` itself. Everything that is not words (numbers,
    ids, tags, sources) is kept as it is.

    Examples
    --------
    >>> translate_words({"intro": "Hello"}, "conditions.yaml")
    {'intro': 'Hello'}
    """
    language = language or config.locale_name()
    if languages.code(language) == "en":
        return data
    return _translated(data, WORDS[file], translations(language, "clinical"), "")


def _translated(data: Any, spec: dict, catalogue: _gettext.NullTranslations, path: str) -> Any:
    if isinstance(data, dict):
        return {
            key: _translated(value, spec, catalogue, f"{path}.{key}" if path else str(key))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [
            _translated(value, spec, catalogue, f"{path}.{i}" if path else str(i))
            for i, value in enumerate(data)
        ]
    if isinstance(data, str) and data.strip() and _is_word(path, spec):
        return catalogue.gettext(data)
    return data


def extract_yaml(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extractor for the clinical data files (``babel.cfg``): their words.

    Each message comes with its line and, as a translator's comment, where it
    is (``exercises.3.steps.1``).
    """
    from pathlib import Path

    import yaml

    name = Path(getattr(fileobj, "name", "")).name
    node = yaml.compose(fileobj.read().decode("utf-8"))
    for path, line, text in _scalars(node, ""):
        if _is_word(path, WORDS[name]):
            yield line, "", text, [path]


def _scalars(node: Any, path: str) -> Iterator[tuple[str, int, str]]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(value, f"{path}.{key.value}" if path else str(key.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            yield from _scalars(value, f"{path}.{i}" if path else str(i))
    elif isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str") and node.value.strip():
        yield path, node.start_mark.line + 1, node.value
