"""Safety first: red flags for low back pain, stop rules and pain monitoring.

Everything clinical here comes from ``backkit/data/safety.yaml``, which names
its sources; this module only reads it and turns it into advice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ._checks import LIMITS
from ._yaml import parse_yaml
from .errors import BackkitError, CatalogueError

__all__ = [
    "PainAdvice",
    "check_pain",
    "max_pain",
    "max_rise",
    "pain_zone",
    "rules",
    "safety_markdown",
    "show_safety",
]


_WHERE = "safety.yaml (built-in)"


@functools.lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    """Return the safety rules as loaded from ``safety.yaml`` (read once).

    Raises
    ------
    CatalogueError
        When the file is not valid YAML or its pain zones do not cover 0-10.
    """
    text = (resources.files("backkit") / "data" / "safety.yaml").read_text(encoding="utf-8")
    data = parse_yaml(text, _WHERE, CatalogueError)
    zones = data["pain_monitoring"]["zones"]
    if not zones or zones[-1]["upto"] < LIMITS["pain"].hi:
        raise CatalogueError(
            f"pain_monitoring.zones must reach {LIMITS['pain'].hi:g} (the top of the pain "
            f"scale); the last zone ends at {zones[-1]['upto'] if zones else 'nothing'}",
            where=_WHERE,
        )
    return data


def max_pain() -> int:
    """Highest pain (0-10) acceptable during or after exercise (pain-monitoring model)."""
    return int(rules()["pain_monitoring"]["max_pain"])


def max_rise() -> int:
    """A rise in pain of this many points or more means: reduce the load."""
    return int(rules()["pain_monitoring"]["max_rise"])


def pain_zone(score: int) -> str:
    """Name the pain-monitoring zone of a 0-10 score: 'safe', 'acceptable' or 'too much'.

    Raises
    ------
    BackkitError
        For a score off the 0-10 scale.

    Examples
    --------
    >>> from backkit import safety
    >>> safety.pain_zone(2), safety.pain_zone(5), safety.pain_zone(7)
    ('safe', 'acceptable', 'too much')
    """
    if not LIMITS["pain"].lo <= score <= LIMITS["pain"].hi:
        raise BackkitError(f"{score!r} is outside the 0-10 scale", where="pain")
    # rules() checked that the last zone reaches the top of the scale
    return next(z["name"] for z in rules()["pain_monitoring"]["zones"] if score <= z["upto"])


@dataclass(frozen=True)
class PainAdvice:
    """What to tell a person after a session whose pain went up."""

    level: str  # "stop" when pain is above the limit, "reduce" when it rose
    message: str


def check_pain(before: int | None, after: int | None) -> PainAdvice | None:
    """Return stop or reduce advice for a session, or None when pain is fine.

    Pain after above the pain-monitoring limit (:func:`max_pain`, the
    ``pain_monitoring.max_pain`` of ``safety.yaml``) means stop; a rise of
    :func:`max_rise` points or more from before to after means reduce the load
    next time.

    Examples
    --------
    >>> from backkit import safety
    >>> safety.check_pain(3, 3) is None
    True
    >>> safety.check_pain(2, 4).level
    'reduce'
    >>> safety.check_pain(4, 7).level
    'stop'
    """
    if after is None:
        return None
    stop_rules = rules()["stop_rules"]["rules"]
    if after > max_pain():
        return PainAdvice(
            "stop",
            f"Pain {after}/10 is above the {max_pain()}/10 limit. {stop_rules[0]} {stop_rules[1]}",
        )
    if before is not None and after - before >= max_rise():
        return PainAdvice(
            "reduce",
            f"Pain rose from {before} to {after}. {stop_rules[0]} Next time do fewer "
            "repetitions or a smaller range, and check how your back feels tomorrow morning.",
        )
    return None


def safety_markdown() -> str:
    """The safety box as Markdown: red flags, stop rules and their sources."""
    r = rules()
    src = r["sources"]
    lines = [f"#### \u26a0\ufe0f {r['emergency']['title']}:"]
    lines += [f"- {s}" for s in r["emergency"]["signs"]]
    lines += ["", f"#### {r['urgent']['title']}:"]
    lines += [f"- {s}" for s in r["urgent"]["signs"]]
    lines += ["", "#### Stop rules while exercising"]
    lines += [f"- {s}" for s in r["stop_rules"]["rules"]]
    pm = r["pain_monitoring"]
    lines += [
        f"- Pain during exercise may reach {pm['max_pain']}/10, no higher, and should "
        f"settle by the next morning. *{pm['note'].strip()}*",
        "",
        "*Sources: " + "; ".join(src[k] for k in ("NHS", "NHSI", "SILBERNAGEL")) + "*",
    ]
    return "\n".join(lines)


def show_safety() -> Any:
    """Return the safety box as Markdown, which a notebook displays in a red frame.

    Like every ``show_*`` function of the kit it returns an
    ``IPython.display.Markdown`` object: the last value of a cell shows as
    formatted text (its ``.data`` is the Markdown source, here wrapped in an
    HTML ``<div>`` for the frame).

    Examples
    --------
    >>> from backkit import safety
    >>> "Stop rules while exercising" in safety.show_safety().data
    True
    """
    from IPython.display import Markdown

    return Markdown(
        '<div style="border:2px solid #b2182b;border-radius:6px;padding:0.5em 1em;">\n\n'
        + safety_markdown()
        + "\n\n</div>"
    )
