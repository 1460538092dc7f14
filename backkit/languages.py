"""Which language a person asked for, and the compiled catalogues of its words.

The layer under :mod:`backkit.errors`, :mod:`backkit.config` and
:mod:`backkit.i18n`: the base error translates its messages with it, and the
settings (which raise those errors) read the language through it, so no two of
them need each other. It imports nothing of backkit and never raises for a
language: :func:`backkit.config.language` says when one is wrong.
"""

from __future__ import annotations

import functools
import gettext
import os
from importlib import resources

#: The languages the kit speaks: English (the words as written) and Portuguese.
LANGUAGES = ("en", "pt")


def browser_tag(header: str | None = None) -> str:
    """The first language of the person's browser the kit speaks, as a tag (``pt-BR``), or ``""``.

    Read from ``header`` (an ``Accept-Language`` value), by default from
    ``$HTTP_ACCEPT_LANGUAGE`` (the browser's, which the app's Voila hands its
    kernel), in the browser's order of preference.

    Examples
    --------
    >>> import os
    >>> os.environ["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,pt-BR;q=0.9,en;q=0.8"
    >>> browser_tag()
    'pt-BR'
    >>> del os.environ["HTTP_ACCEPT_LANGUAGE"]
    """
    ranked = []
    if header is None:
        header = os.environ.get("HTTP_ACCEPT_LANGUAGE", "")
    for n, part in enumerate(header.split(",")):
        tag, _, weight = part.strip().partition(";q=")
        try:
            q = float(weight) if weight else 1.0
        except ValueError:
            continue  # a malformed weight: that language is left out
        ranked.append((-q, n, tag.strip()))
    for _q, _n, tag in sorted(ranked):
        if code(tag) in LANGUAGES:
            return tag
    return ""


def tag(header: str | None = None) -> str:
    """The tag the kit's language and region follow: ``$BACKKIT_LANG``, else the browser's.

    ``header`` is the browser's ``Accept-Language`` when it is not in the environment.
    """
    return os.environ.get("BACKKIT_LANG", "").strip() or browser_tag(header)


def code(tag: str) -> str:
    """The language part of a tag, in lower case: ``pt`` for ``pt_BR.UTF-8``; ``""`` for none.

    Examples
    --------
    >>> code("pt_BR.UTF-8"), code("pt-PT"), code("")
    ('pt', 'pt', '')
    """
    return _parts(tag)[0].lower()


def country(tag: str) -> str:
    """The country part of a tag, in upper case: ``BR`` for ``pt_BR.UTF-8``; ``""`` for none.

    Examples
    --------
    >>> country("pt_BR.UTF-8"), country("pt-pt"), country("pt")
    ('BR', 'PT', '')
    """
    parts = _parts(tag)
    return parts[1].upper() if len(parts) > 1 else ""


def _parts(tag: str) -> list[str]:
    # a tag is a language, then an optional country, then an encoding ("pt_BR.UTF-8", "pt-PT")
    return tag.split(".")[0].replace("-", "_").split("_")


def locale(tag_: str | None = None) -> str:
    """The variant of the kit's words: ``en_GB``, ``pt_BR`` or ``pt_PT``.

    Portuguese follows the country of the tag (``pt-PT``, ``pt_BR.UTF-8``);
    a tag with none (``pt``) follows ``$BACKKIT_REGION`` (``PT``: Portugal),
    else Brazil, where most of its speakers live. Any other language is
    English (:func:`backkit.config.language` says when one is wrong).

    Examples
    --------
    >>> locale("pt-PT"), locale("pt_BR.UTF-8"), locale("en"), locale("")
    ('pt_PT', 'pt_BR', 'en_GB', 'en_GB')
    """
    tag_ = tag() if tag_ is None else tag_
    if code(tag_) != "pt":
        return "en_GB"
    where = country(tag_)
    if where not in ("BR", "PT"):
        where = "PT" if os.environ.get("BACKKIT_REGION", "").strip().upper() == "PT" else "BR"
    return f"pt_{where}"


@functools.lru_cache(maxsize=8)
def catalogue(language: str, domain: str = "backkit") -> gettext.NullTranslations:
    """The compiled catalogue of ``domain`` in ``language`` (``pt``) or a variant of it (``pt_PT``).

    A variant's catalogue holds only the words it writes differently; the
    others come from its language's (``pt_PT``, then ``pt``). English is the
    words as written.
    """
    if code(language) not in LANGUAGES or code(language) == "en":
        return gettext.NullTranslations()
    folder = resources.files("backkit") / "locale"
    # gettext looks for pt_PT, then pt, each the fallback of the one before
    return gettext.translation(domain, str(folder), languages=[language])


def current() -> gettext.NullTranslations:
    """The ``backkit`` catalogue of the words asked for; English for a language not spoken."""
    return catalogue(locale())
