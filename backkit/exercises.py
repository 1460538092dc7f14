"""The exercise catalogue: load, validate and look up the exercises.

The catalogue is data, not code: ``backkit/data/exercises.yaml`` holds every
exercise, its dose, its steps and the provenance of each clinical fact. This
module reads that file, checks every field and turns each entry into an
immutable :class:`Exercise`.

Seven exercises come from the article the kit started from; others are
additions (``from_article`` is False), each with its own sources. Every source
tag names a :class:`Source` with a title and an address or a full reference;
the loader refuses a tag that has neither.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config, i18n
from ._checks import LIMITS
from ._yaml import parse_yaml, read_yaml
from .errors import BackkitError, CatalogueError, Message, UnknownExerciseError, did_you_mean
from .i18n import N_
from .i18n import gettext as _
from .poses.model import PoseSet, parse_poses

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BODY_SIDES",
    "POSITIONS",
    "SECTIONS",
    "SIDEDNESS",
    "CatalogueError",
    "Correction",
    "Exercise",
    "Source",
    "Variant",
    "article_ids",
    "catalogue",
    "exercise_ids",
    "get_exercise",
    "load_exercises",
    "section_markdown",
    "show_sections",
    "source_table",
    "sources",
]

POSITIONS = ("supine", "prone", "sitting", "standing", "half-kneeling")
# Each position as people read it (the ids above are data, in English words).
_POSITION_WORDS = {
    "supine": N_("supine"),
    "prone": N_("prone"),
    "sitting": N_("sitting"),
    "standing": N_("standing"),
    "half-kneeling": N_("half-kneeling"),
}
#: How an exercise is dosed (its ``sides``): each side in turn, or both at once.
SIDEDNESS = ("per-side", "both")
#: The sides a "per-side" exercise is done on, one at a time.
BODY_SIDES = ("left", "right")
KINDS = ("hold", "paced")
LOADS = ("low", "moderate", "high")
_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# `side_leg`: a few lower-case words, such as "leg" or "leg back".
_SIDE_LEG_PATTERN = re.compile(r"^[^\W\d_]+( [^\W\d_]+){0,3}$")  # letters, any language
_URL_PATTERN = re.compile(r"^https?://[^\s/]+\.[^\s]+$")


@dataclass(frozen=True)
class Source:
    """A source the kit cites: a title and an address (``url``) or a full reference.

    The one kind of source of the whole kit: the exercise catalogue's
    (:func:`source_table`) and the safety data's (:func:`backkit.safety.sources`),
    whose sources may also carry a ``note`` on what the kit takes from them.

    Examples
    --------
    >>> from backkit.exercises import source_table
    >>> src = source_table()["SLH"]
    >>> print(src.title)
    Saint Luke's Health System: "Supine hamstring stretch"
    >>> src.url
    'https://www.saintlukeskc.org/health-library/supine-hamstring-stretch'
    """

    tag: str
    title: str
    url: str = ""
    reference: str = ""
    note: str = ""

    @property
    def citation(self) -> str:
        """The title followed by the reference and the address, as one line."""
        text = ". ".join(part.rstrip(".") for part in (self.title, self.reference) if part) + "."
        return f"{text} {self.url}" if self.url else text

    def cite(self) -> str:
        """The source in one line as the safety texts list it: each part ends in a full stop.

        Examples
        --------
        >>> Source("X", "A title.", "https://example.org/a", "A reference").cite()
        'A title. A reference. https://example.org/a.'
        """
        parts = (p.strip().rstrip(".") for p in (self.title, self.reference, self.url) if p)
        return ". ".join(parts) + "."


@dataclass(frozen=True)
class Variant:
    """An easier (regression) or harder (progression) version of an exercise."""

    name: str
    description: str


@dataclass(frozen=True)
class Correction:
    """Where the source article was wrong, what is right, and why."""

    article_says: str
    corrected: str
    why: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exercise:
    """One exercise of the catalogue (immutable).

    Doses given as a range in the catalogue keep both ends (``hold_range``,
    ``reps_range``); the default dose (``hold_seconds``, ``reps``) is the low
    end, so a person starts easy and builds up.

    ``from_article`` says whether the exercise is one of the source article's
    seven; for those, ``article_name`` is the article's own title for it and
    ``article_quotes`` the article's own English words on record, while
    ``article`` is the kit's summary of what the article says (labelled as a
    summary wherever it is shown). For an addition ``article_name`` is empty
    and ``article`` says why it was added. ``aliases`` are other names in
    common use; the article's title is not among them.

    Examples
    --------
    >>> import backkit
    >>> ex = backkit.get_exercise("bridge")
    >>> ex.position, ex.reps, ex.sets, ex.hold_range
    ('supine', 10, 3, (5, 10))
    """

    id: str
    number: int
    name: str
    from_article: bool
    article_name: str
    aliases: tuple[str, ...]
    position: str
    start_position: str
    equipment: tuple[str, ...]
    kind: str
    sides: str
    hold_range: tuple[int, int]
    reps_range: tuple[int, int]
    sets: int
    rest_seconds: int
    set_rest_seconds: int
    rep_seconds: int
    load: str
    strength: bool
    steps: tuple[str, ...]
    feel: str
    targets: tuple[str, ...]
    regions: tuple[str, ...]
    purpose: str
    mistakes: tuple[str, ...]
    cautions: tuple[str, ...]
    regression: Variant
    progression: Variant
    variants: tuple[Variant, ...]
    article: str
    article_quotes: tuple[str, ...]
    defaults_note: str
    corrections: tuple[Correction, ...]
    references: tuple[str, ...]
    poses: PoseSet | None = field(default=None, compare=False, repr=False)
    #: For a per-side exercise, the words after "left"/"right" that name a side
    #: in the timer's cues: "leg" (the leg that moves), or e.g. "leg back".
    side_leg: str = "leg"
    #: The personal-check tags (:mod:`backkit.conditions`) each caution applies
    #: to, in the order of :attr:`cautions`; empty for a caution for everyone.
    caution_conditions: tuple[frozenset[str], ...] = field(default=(), compare=False, repr=False)

    def cautions_for(self, tags: frozenset[str] | set[str]) -> tuple[str, ...]:
        """The cautions that apply to a person with the condition ``tags``.

        Examples
        --------
        >>> import backkit
        >>> ex = backkit.get_exercise("knee-to-chest")
        >>> any("osteoporosis" in c for c in ex.cautions_for({"osteoporosis"}))
        True
        >>> ex.cautions_for(set())
        ()
        """
        return tuple(
            text
            for text, applies in zip(self.cautions, self.caution_conditions, strict=True)
            if applies & set(tags)
        )

    @property
    def hold_seconds(self) -> int:
        """Default hold in seconds (low end of the range; 0 for paced exercises)."""
        return self.hold_range[0]

    @property
    def reps(self) -> int:
        """Default repetitions per set (and per side), the low end of the range."""
        return self.reps_range[0]

    @property
    def per_side(self) -> bool:
        """True when the exercise is done on the left and then the right."""
        return self.sides == "per-side"

    @property
    def seconds_per_rep(self) -> int:
        """Time under tension of one repetition: the hold, or the paced rep."""
        return self.hold_seconds if self.kind == "hold" else self.rep_seconds

    @property
    def dose(self) -> str:
        """The default dose in words, e.g. ``'hold 15-20 s, 2-3 reps per side'``."""
        return _dose_text(self)

    def _repr_markdown_(self) -> str:
        return to_markdown(self)


#: The parts of an exercise that :func:`section_markdown` renders, by name.
SECTIONS = (
    "title",
    "start",
    "equipment",
    "dose",
    "steps",
    "feel",
    "purpose",
    "targets",
    "mistakes",
    "cautions",
    "easier",
    "harder",
    "variants",
    "article",
    "why-dose",
    "corrections",
    "sources",
)
# What the exercise's own Markdown view (``get_exercise(id)`` in a notebook) shows.
_CARD = ("title", "start", "dose", "steps", "feel", "purpose", "mistakes", "cautions", "easier",
         "harder", "variants")  # fmt: skip


def _bold(label: str, text: str = "") -> str:
    """A Markdown line that starts with a label in bold: ``**Dose:** 10 reps``."""
    return f"**{label}** {text}".rstrip()


def _title_lines(ex: Exercise) -> list[str]:
    also = (
        " " + _("Also called: {names}.").format(names=", ".join(ex.aliases)) if ex.aliases else ""
    )
    if ex.from_article:
        origin = _("Article name: \u201c{name}\u201d.").format(name=ex.article_name)
    else:
        origin = _("Not from the article: an addition to the programme ({sources}).").format(
            sources=", ".join(ex.references)
        )
    return [f"### {ex.number}. {ex.name}", f"*{origin}{also}*"]


def _article_lines(ex: Exercise) -> list[str]:
    if not ex.from_article:
        return [_bold(_("Not from the article."), ex.article)]
    quoted = "; ".join(f"\u201c{q}\u201d" for q in ex.article_quotes)
    words = (
        _bold(_("The article's own words on record:"), quoted)
        if quoted
        else _bold(_("The article's own words:"), _("none on record for this exercise."))
    )
    summary = _bold(_("What the article says, in our words (a summary):"), ex.article)
    return [words, "", summary]


def _correction_lines(ex: Exercise) -> list[str]:
    if not ex.corrections:
        nothing = _("nothing to correct for this exercise.")
        return [_bold(_("Where the article was wrong:"), nothing)]
    lines = [_bold(_("Where the article was wrong")), ""]
    heads = (_("the article says"), _("the correct reading"), _("why"))
    lines += ["| " + " | ".join(heads) + " |", "|---|---|---|"]
    for c in ex.corrections:
        cite = f" ({', '.join(c.sources)})" if c.sources else ""
        cells = (c.article_says, c.corrected, c.why + cite)
        lines.append("| " + " | ".join(t.replace("|", "\\|") for t in cells) + " |")
    return lines


def _source_lines(ex: Exercise) -> list[str]:
    table = source_table()
    return [
        _bold(_("Sources")),
        *[f"- **{tag}**: {table[tag].citation}" for tag in ex.references if tag in table],
    ]


def _start_lines(ex: Exercise) -> list[str]:
    label = _("Start position ({position}):").format(position=_(_POSITION_WORDS[ex.position]))
    return [_bold(label, ex.start_position)]


def _targets_lines(ex: Exercise) -> list[str]:
    text = _("{targets} ({regions}).").format(
        targets=", ".join(ex.targets), regions=", ".join(ex.regions)
    )
    return [_bold(_("Works on:"), text)]


def _variant_lines(label: str, variants: tuple[Variant, ...]) -> list[str]:
    return [_bold(_(label), f"{v.name}: {v.description}") for v in variants]


# How each of SECTIONS is rendered: the Markdown lines of one exercise's section.
_SECTION_LINES: dict[str, Callable[[Exercise], list[str]]] = {
    "title": _title_lines,
    "start": _start_lines,
    "equipment": lambda ex: [
        _bold(_("You need:"), (", ".join(ex.equipment) or _("nothing")) + ".")
    ],
    "dose": lambda ex: [_bold(_("Dose:"), ex.dose)],
    "steps": lambda ex: [_bold(_("Steps")), *[f"{i}. {s}" for i, s in enumerate(ex.steps, 1)]],
    "feel": lambda ex: [_bold(_("What you should feel:"), ex.feel)],
    "purpose": lambda ex: [_bold(_("Why it helps:"), ex.purpose)],
    "targets": _targets_lines,
    "mistakes": lambda ex: [_bold(_("Common mistakes")), *[f"- {m}" for m in ex.mistakes]],
    "cautions": lambda ex: [_bold(_("Cautions")), *[f"- {c}" for c in ex.cautions]],
    "easier": lambda ex: _variant_lines(N_("Easier:"), (ex.regression,)),
    "harder": lambda ex: _variant_lines(N_("Harder:"), (ex.progression,)),
    "variants": lambda ex: _variant_lines(N_("Other version:"), ex.variants),
    "article": _article_lines,
    "why-dose": lambda ex: [_bold(_("Where the dose comes from:"), ex.defaults_note)],
    "corrections": _correction_lines,
    "sources": _source_lines,
}


def _section_lines(ex: Exercise, section: str) -> list[str]:
    render = _SECTION_LINES.get(section) if isinstance(section, str) else None
    if render is None:
        raise BackkitError(
            Message(
                N_("section={section} is not a section.{hint} Use one of {sections}"),
                section=repr(section),
                hint=did_you_mean(section, SECTIONS),
                sections=", ".join(SECTIONS),
            ),
            where="section_markdown",
        )
    # Catalogue text is data (a clinician's own catalogue too): never live HTML in a
    # notebook. The kit's own Markdown (**, -, |, #) has no <, > or &, so escaping
    # the rendered lines escapes only the data.
    return [html.escape(line, quote=False) for line in render(ex)]


def section_markdown(exercise_id: str | Exercise, section: str) -> str:
    """Render one section of an exercise (see :data:`SECTIONS`) as Markdown.

    The words come from the catalogue, so a notebook that shows a section
    never holds a second copy of them.

    Raises
    ------
    BackkitError
        For an unknown section name (the message lists the valid ones).
    UnknownExerciseError
        For an unknown exercise id (also a ``KeyError``).

    Examples
    --------
    >>> from backkit.exercises import section_markdown
    >>> print(section_markdown("bridge", "easier"))  # doctest: +ELLIPSIS
    **Easier:** Posterior pelvic tilt: ...
    """
    return "\n".join(_section_lines(get_exercise(exercise_id), section))


def show_sections(exercise_id: str | Exercise, *sections: str) -> Any:
    """Return chosen sections of an exercise as Markdown, which a notebook displays.

    Like every ``show_*`` function of the kit it returns an
    ``IPython.display.Markdown`` object: the last value of a cell shows as
    formatted text (its ``.data`` is the Markdown source).

    Parameters
    ----------
    exercise_id : str or Exercise
        A catalogue id such as ``"bridge"``.
    *sections : str
        Names from :data:`SECTIONS`, shown in the order given; none means the
        whole exercise card.

    Examples
    --------
    >>> from backkit.exercises import show_sections
    >>> md = show_sections("bridge", "feel", "cautions")
    >>> md.data.splitlines()[0]  # doctest: +ELLIPSIS
    '**What you should feel:** Work in the buttocks...'
    """
    from IPython.display import Markdown

    ex = get_exercise(exercise_id)
    parts = (section_markdown(ex, name) for name in sections or _CARD)
    return Markdown("\n\n".join(part for part in parts if part))


def to_markdown(ex: Exercise) -> str:
    """Render an exercise as Markdown, the way the notebooks show it."""
    parts = (section_markdown(ex, name) for name in _CARD)
    return "\n\n".join(part for part in parts if part)


def _dose_text(ex: Exercise) -> str:
    def span(lo: int, hi: int) -> str:
        return f"{lo}" if lo == hi else f"{lo}-{hi}"

    reps = span(*ex.reps_range)
    if ex.kind == "hold":
        hold = span(*ex.hold_range)
        what = (_("hold {hold} s, {reps} reps per side") if ex.per_side
                else _("hold {hold} s, {reps} reps")).format(hold=hold, reps=reps)  # fmt: skip
    else:
        what = (_("{reps} reps per side, about {seconds} s each") if ex.per_side
                else _("{reps} reps, about {seconds} s each"))  # fmt: skip
        what = what.format(reps=reps, seconds=ex.rep_seconds)
    if ex.sets > 1:
        what = _("{sets} sets: {dose}; rest {rest} s between sets").format(
            sets=ex.sets, dose=what, rest=ex.set_rest_seconds
        )
    return what


# --------------------------------------------------------------------------
# Loading and validation


class _Entry:
    """Reads fields of one raw entry, raising CatalogueError that names them."""

    def __init__(self, raw: dict, where: str, label: str):
        self.raw = raw
        self.where = where
        self.label = label

    def fail(self, name: str, value: Any, problem: str) -> CatalogueError:
        message = Message(
            N_("exercise {exercise}, field {field}: {value} {problem}"),
            exercise=self.label,
            field=repr(name),
            value=repr(value),
            problem=Message(problem),
        )
        return CatalogueError(message, where=self.where)

    def get(self, name: str) -> Any:
        if name not in self.raw or self.raw[name] is None:
            message = Message(
                N_("exercise {exercise}: missing required field {field}"),
                exercise=self.label,
                field=repr(name),
            )
            raise CatalogueError(message, where=self.where)
        return self.raw[name]

    def text(self, name: str) -> str:
        value = self.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, value, N_("must be non-empty text"))
        return value.strip()

    def texts(self, name: str, *, allow_empty: bool = False) -> tuple[str, ...]:
        value = self.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(name, value, N_("must be a list of non-empty texts"))
        if not value and not allow_empty:
            raise self.fail(name, value, N_("must list at least one item"))
        return tuple(v.strip() for v in value)

    def cautions(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """Each caution's text and the personal-check tags it applies to.

        A caution is a text (for everyone) or ``{text: ..., for: [tag, ...]}``
        with tags from ``conditions.yaml`` (:func:`backkit.conditions.tags`).
        """
        from .conditions import tags as known_tags

        value = self.get("cautions")
        if not isinstance(value, list) or not value:
            raise self.fail("cautions", value, N_("must list at least one caution"))
        known = known_tags()
        out = []
        for item in value:
            text: Any = item
            tags: Any = []
            if isinstance(item, dict):
                text, tags = item.get("text"), item.get("for")
            if isinstance(item, dict) and set(item) - {"text", "for"}:
                raise self.fail("cautions", item, N_("may have only 'text' and 'for'"))
            if not isinstance(text, str) or not text.strip():
                raise self.fail("cautions", item, N_("must be a non-empty text"))
            if not isinstance(tags, list) or not set(tags) <= known:
                raise self.fail(
                    "cautions",
                    tags,
                    Message(N_("'for' must list tags from: {tags}"), tags=", ".join(sorted(known))),
                )
            out.append((" ".join(text.split()), frozenset(tags)))
        return tuple(out)

    def choice(self, name: str, options: tuple[str, ...]) -> str:
        value = self.get(name)
        if value not in options:
            hint = did_you_mean(value, options)
            message = Message(
                N_("is not one of {options}.{hint}"), options=", ".join(options), hint=hint
            )
            raise self.fail(name, value, message)
        return value

    def integer(self, name: str, lo: int, hi: int, default: int | None = None) -> int:
        if default is not None and self.raw.get(name) is None:
            return default
        value = self.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise self.fail(
                name, value, Message(N_("must be a whole number from {lo} to {hi}"), lo=lo, hi=hi)
            )
        return value

    def limited(self, name: str, *, lo: int | None = None, default: int | None = None) -> int:
        """A whole number within ``LIMITS[name]`` (from ``lo`` when given)."""
        limit = LIMITS[name]
        return self.integer(name, int(limit.lo if lo is None else lo), int(limit.hi), default)

    def span(self, name: str, lo: int, hi: int) -> tuple[int, int]:
        value = self.get(name)
        pair = value if isinstance(value, list) else [value, value]
        ok = len(pair) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi for v in pair
        )
        if not ok or pair[0] > pair[1]:
            raise self.fail(
                name,
                value,
                Message(
                    N_("must be a whole number or a [low, high] range within {lo}-{hi}"),
                    lo=lo,
                    hi=hi,
                ),
            )
        return (pair[0], pair[1])

    def within(self, name: str, build: Any, *args: Any) -> Any:
        """``build(*args)`` for a part of the entry; its errors say they are in ``name``."""
        try:
            return build(*args)
        except CatalogueError as err:
            message = Message(N_("{problem} (in {part})"), problem=Message(err.problem), part=name)
            raise CatalogueError(message, where=err.where) from None

    def variant(self, name: str, value: Any = None) -> Variant:
        value = self.get(name) if value is None else value
        if not isinstance(value, dict):
            raise self.fail(name, value, N_("must have a name and a description"))
        sub = _Entry(value, self.where, self.label)
        return self.within(repr(name), lambda: Variant(sub.text("name"), sub.text("description")))

    def tags(self, name: str, value: Any, known: set[str]) -> tuple[str, ...]:
        """A list of source tags, each one in the catalogue's source table."""
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise self.fail(name, value, N_("must be a list of source tags"))
        unknown = [t for t in value if t not in known]
        if unknown:
            raise self.fail(
                name,
                unknown,
                Message(
                    N_("names unknown sources; known: {sources}"), sources=", ".join(sorted(known))
                ),
            )
        return tuple(value)


def _variants(e: _Entry) -> tuple[Variant, ...]:
    """The optional ``variants`` list: other versions, such as the article's own."""
    raw = e.raw.get("variants") or []
    if not isinstance(raw, list):
        raise e.fail("variants", raw, N_("must be a list of {name, description}"))
    return tuple(e.variant(f"variants[{i}]", item) for i, item in enumerate(raw))


def _dose(e: _Entry) -> tuple[str, tuple[int, int], int]:
    """The entry's kind, hold range (0, 0 for a paced exercise) and paced rep seconds."""
    kind = e.choice("kind", KINDS)
    if kind == "hold":
        hold = e.span("hold_seconds", 1, int(LIMITS["hold_seconds"].hi))
        return kind, hold, e.limited("rep_seconds", lo=0, default=0)
    if e.raw.get("hold_seconds"):
        raise e.fail(
            "hold_seconds", e.raw["hold_seconds"], N_("must be left out for a paced exercise")
        )
    return kind, (0, 0), e.limited("rep_seconds")


def _correction(e: _Entry, raw: Any, name: str, known: set[str]) -> Correction:
    if not isinstance(raw, dict):
        raise e.fail(name, raw, N_("must be a mapping"))
    ce = _Entry(raw, e.where, e.label)
    return e.within(
        name,
        lambda: Correction(
            ce.text("article_says"),
            ce.text("corrected"),
            ce.text("why"),
            e.tags(f"{name}.sources", raw.get("sources", []), known),
        ),
    )


def _article(e: _Entry, prov: _Entry, from_article: bool) -> dict[str, Any]:
    """The article fields: its name, its own words on record, and our summary.

    An addition (``from_article: false``) has no article name or quotes; its
    ``provenance.addition`` says why it was added.
    """
    if not from_article:
        for name in ("article_name", "article_quotes"):
            value = e.raw.get(name) or prov.raw.get(name)
            if value:
                problem = N_("must be left out for an exercise that is not from the article")
                raise e.fail(name, value, problem)
        return {"article_name": "", "article_quotes": (), "article": prov.text("addition")}
    quotes = prov.raw.get("article_quotes", [])
    if not isinstance(quotes, list) or not all(isinstance(q, str) and q.strip() for q in quotes):
        raise e.fail("provenance.article_quotes", quotes, N_("must be a list of non-empty texts"))
    return {
        "article_name": e.text("article_name"),
        "article_quotes": tuple(q.strip() for q in quotes),
        "article": prov.text("article"),
    }


def _provenance(e: _Entry, known: set[str], from_article: bool) -> dict[str, Any]:
    """The ``provenance`` fields of an :class:`Exercise`, read from the entry."""
    raw = e.get("provenance")
    if not isinstance(raw, dict):
        raise e.fail(
            "provenance", raw, N_("must be a mapping with article, defaults, corrections, sources")
        )
    prov = _Entry(raw, e.where, e.label)
    article = _article(e, prov, from_article)
    raw_corrections = prov.get("corrections")
    if not isinstance(raw_corrections, list):
        raise e.fail("provenance.corrections", raw_corrections, N_("must be a list"))
    corrections = tuple(
        _correction(e, c, f"provenance.corrections[{i}]", known)
        for i, c in enumerate(raw_corrections)
    )
    return {
        **article,
        "defaults_note": prov.text("defaults"),
        "corrections": corrections,
        "references": e.tags("provenance.sources", prov.get("sources"), known),
    }


def _side_leg(e: _Entry) -> str:
    """The optional ``side_leg`` (per-side exercises only; default ``"leg"``)."""
    if "side_leg" not in e.raw:
        # Translators: the leg that moves, named in the timer's cues ("Left leg first")
        return i18n.gettext("leg")
    value = e.raw["side_leg"]
    if not isinstance(value, str) or not _SIDE_LEG_PATTERN.match(value) or value != value.lower():
        raise e.fail("side_leg", value, N_("must be a few lower-case words, such as 'leg back'"))
    if e.raw.get("sides") != "per-side":
        raise e.fail("side_leg", value, N_("is only for a per-side exercise"))
    return value


def _parse_exercise(raw: Any, index: int, where: str, known_sources: set[str]) -> Exercise:
    if not isinstance(raw, dict):
        message = Message(N_("entry #{number} is not a mapping of fields"), number=index + 1)
        raise CatalogueError(message, where=where)
    exercise_id = raw.get("id")
    label = repr(exercise_id) if exercise_id else f"#{index + 1}"
    e = _Entry(raw, where, label)
    exercise_id = e.text("id")
    if not _ID_PATTERN.match(exercise_id):
        raise e.fail("id", exercise_id, N_("must be kebab-case (lower-case words joined by '-')"))
    kind, hold, rep_seconds = _dose(e)
    from_article = e.get("from_article")
    if not isinstance(from_article, bool):
        raise e.fail("from_article", from_article, N_("must be true or false"))
    strength = raw.get("strength", False)
    if not isinstance(strength, bool):
        raise e.fail("strength", strength, N_("must be true or false"))
    side_leg = _side_leg(e)
    provenance = _provenance(e, known_sources, from_article)
    cautions = e.cautions()
    return Exercise(
        id=exercise_id,
        number=e.integer("number", 1, 999),
        name=e.text("name"),
        from_article=from_article,
        aliases=e.texts("aliases", allow_empty=True),
        position=e.choice("position", POSITIONS),
        start_position=e.text("start_position"),
        equipment=e.texts("equipment", allow_empty=True),
        kind=kind,
        sides=e.choice("sides", SIDEDNESS),
        hold_range=hold,
        reps_range=e.span("reps", 1, int(LIMITS["reps"].hi)),
        sets=e.limited("sets"),
        rest_seconds=e.limited("rest_seconds"),
        set_rest_seconds=e.integer("set_rest_seconds", 0, int(LIMITS["rest_seconds"].hi)),
        rep_seconds=rep_seconds,
        load=e.choice("load", LOADS),
        strength=strength,
        side_leg=side_leg,
        steps=e.texts("steps"),
        feel=e.text("feel"),
        targets=e.texts("targets"),
        regions=e.texts("regions"),
        purpose=e.text("purpose"),
        mistakes=e.texts("mistakes"),
        cautions=tuple(text for text, _ in cautions),
        caution_conditions=tuple(tags for _, tags in cautions),
        regression=e.variant("regression"),
        progression=e.variant("progression"),
        variants=_variants(e),
        **provenance,
        poses=parse_poses(raw.get("poses"), where=where, label=label, position=raw.get("position")),
    )


def _source_table(raw: Any, where: str) -> dict[str, Source]:
    """Every source tag with its title and its address (``url``) or full ``reference``."""
    if not isinstance(raw, dict):
        problem = N_("'sources' must map tags to {title, url or reference}")
        raise CatalogueError(problem, where=where)
    table = {}
    for tag, entry in raw.items():
        fields = entry if isinstance(entry, dict) else {}
        title, url, ref = (str(fields.get(k) or "").strip() for k in ("title", "url", "reference"))
        problem = ""
        if not title:
            problem = N_("has no title")
        elif not url and not ref:
            problem = N_("has no address (url) or full reference")
        elif url and not _URL_PATTERN.match(url):
            problem = Message(N_("has an address that is not a web address: {url}"), url=repr(url))
        if problem:
            message = Message(
                N_("source {tag} {problem}; each source needs a title and a url or a reference"),
                tag=repr(tag),
                problem=Message(problem),
            )
            raise CatalogueError(message, where=where)
        table[str(tag)] = Source(str(tag), title, url, ref)
    return table


@dataclass(frozen=True)
class Catalogue:
    """All exercises of a catalogue file, in order, with the source table."""

    exercises: tuple[Exercise, ...]
    sources: dict[str, Source]
    path: str

    def ids(self) -> list[str]:
        """The exercise ids, in catalogue order."""
        return [ex.id for ex in self.exercises]

    def get(self, exercise_id: str) -> Exercise:
        """The exercise with this id.

        Raises
        ------
        UnknownExerciseError
            For an id that is not in the catalogue (also a ``KeyError``).
        """
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        raise UnknownExerciseError(exercise_id, self.ids())


def parse_catalogue(text: str, where: str) -> Catalogue:
    """Parse and validate catalogue YAML ``text``; ``where`` names its origin in errors."""
    return _catalogue_from(parse_yaml(text, where, CatalogueError), where)


def _catalogue_from(data: Any, where: str) -> Catalogue:
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), list):
        raise CatalogueError(N_("must have a top-level 'exercises' list"), where=where)
    if not data["exercises"]:
        raise CatalogueError(N_("lists no exercises; a catalogue needs at least one"), where=where)
    table = _source_table(data.get("sources") or {}, where)
    known = set(table)
    exercises = tuple(
        _parse_exercise(raw, i, where, known) for i, raw in enumerate(data["exercises"])
    )
    seen: dict[Any, str] = {}
    for ex in exercises:
        for key, what in ((ex.id, "id"), (ex.number, "number")):
            if (what, key) in seen:
                message = Message(
                    N_("exercise {exercise}, field {field}: {value} is used twice"),
                    exercise=repr(ex.id),
                    field=repr(what),
                    value=repr(key),
                )
                raise CatalogueError(message, where=where)
            seen[(what, key)] = ex.id
    return Catalogue(exercises, table, where)


@functools.lru_cache(maxsize=8)
def _load(path: str | None, language: str) -> Catalogue:
    if path is None:
        # The built-in catalogue's words come in the kit's language; its
        # numbers, sources and structure are the one file's.
        resource = resources.files("backkit") / "data" / "exercises.yaml"
        where = "exercises.yaml (built-in)"
        data = parse_yaml(resource.read_text(encoding="utf-8"), where, CatalogueError)
        return _catalogue_from(i18n.translate_words(data, "exercises.yaml", language), where)
    return _catalogue_from(read_yaml(path, CatalogueError, "catalogue"), path)


def catalogue(path: str | Path | None = None) -> Catalogue:
    """Return the validated catalogue (the built-in one unless ``path`` is given).

    The built-in catalogue's words are in the kit's language
    (:func:`backkit.config.language`); a catalogue of one's own is shown as written.
    """
    if path is None:
        return _load(None, config.locale_name())
    return _load(str(Path(path).resolve()), "en")


def exercise_ids(path: str | Path | None = None) -> list[str]:
    """Return the exercise ids in catalogue order.

    Examples
    --------
    >>> import backkit
    >>> backkit.exercise_ids()[0]
    'supine-hamstring-stretch'
    """
    return catalogue(path).ids()


def sources(path: str | Path | None = None) -> dict[str, str]:
    """Return the catalogue's source table: tag -> full citation (title, reference, address)."""
    return {tag: src.citation for tag, src in catalogue(path).sources.items()}


def source_table(path: str | Path | None = None) -> dict[str, Source]:
    """Return the catalogue's sources: tag -> :class:`Source` (title, url, reference)."""
    return dict(catalogue(path).sources)


def article_ids(path: str | Path | None = None) -> list[str]:
    """Return the ids of the source article's exercises, in catalogue order.

    Additions that are not from the article (``from_article`` False) are
    left out.

    Examples
    --------
    >>> from backkit.exercises import article_ids
    >>> len(article_ids())
    7
    """
    return [ex.id for ex in catalogue(path).exercises if ex.from_article]


def get_exercise(exercise_id: str | Exercise, *, path: str | Path | None = None) -> Exercise:
    """Return one exercise by id.

    Parameters
    ----------
    exercise_id : str or Exercise
        A catalogue id such as ``"bridge"`` (an :class:`Exercise` is returned as is).
    path : path-like, optional
        A catalogue file other than the built-in one.

    Raises
    ------
    KeyError
        For an unknown id; the message lists the valid ids and the closest one.

    Examples
    --------
    >>> import backkit
    >>> backkit.get_exercise("squat").name
    'Bodyweight squat'
    """
    if isinstance(exercise_id, Exercise):
        return exercise_id
    return catalogue(path).get(exercise_id)


def load_exercises(path: str | Path | None = None) -> pd.DataFrame:
    """Return the catalogue as a DataFrame indexed by exercise id.

    One row per exercise with its position, dose and targets; list fields
    (``targets``, ``regions``, ``equipment``, ``aliases``) hold tuples so the
    frame can be filtered with ``.apply`` or exploded.

    Parameters
    ----------
    path : path-like, optional
        Load and validate this catalogue file instead of the built-in one.

    Raises
    ------
    CatalogueError
        When an entry is malformed; the message names the exercise and field.

    Examples
    --------
    >>> import backkit
    >>> df = backkit.load_exercises()
    >>> df.loc["bridge", "position"]
    'supine'
    >>> list(df[df["position"] == "standing"].index)
    ['standing-hip-flexor-stretch', 'squat', 'standing-back-extension']
    >>> bool(df.loc["standing-back-extension", "from_article"])  # an addition
    False
    """
    import pandas as pd

    rows = [
        {
            "id": ex.id,
            # position before name: a printed frame folds its middle columns
            # away, and where you lie, sit or stand is what the article got wrong.
            "position": ex.position,
            "name": ex.name,
            "sides": ex.sides,
            "kind": ex.kind,
            "load": ex.load,
            "hold_min_s": ex.hold_range[0],
            "hold_max_s": ex.hold_range[1],
            "reps_min": ex.reps_range[0],
            "reps_max": ex.reps_range[1],
            "sets": ex.sets,
            "rest_s": ex.rest_seconds,
            "set_rest_s": ex.set_rest_seconds,
            "rep_s": ex.rep_seconds,
            "targets": ex.targets,
            "regions": ex.regions,
            "equipment": ex.equipment,
            "number": ex.number,
            "from_article": ex.from_article,
            "article_name": ex.article_name,
            "aliases": ex.aliases,
            "corrections": len(ex.corrections),
        }
        for ex in catalogue(path).exercises
    ]
    df = pd.DataFrame(rows).set_index("id")
    df["position"] = pd.Categorical(df["position"], categories=list(POSITIONS))
    df["kind"] = pd.Categorical(df["kind"], categories=list(KINDS))
    df["sides"] = pd.Categorical(df["sides"], categories=list(SIDEDNESS))
    df["load"] = pd.Categorical(df["load"], categories=list(LOADS), ordered=True)
    return df
