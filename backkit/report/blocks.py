"""The blocks a report is made of: plain data that a template escapes and lays out.

A :class:`Document` holds :class:`Section` s of :class:`Text`, :class:`Items`,
:class:`Table`, :class:`Chart` and :class:`Blank` blocks; nothing here draws or
writes HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["AUDIENCES", "PAPERS", "Blank", "Chart", "Document", "Items", "Section", "Table", "Text"]

#: Who a report is written for: the clinician (third person) or the patient (second person).
AUDIENCES = ("clinician", "patient")
#: Paper sizes for the PDF, as CSS ``@page`` sizes.
PAPERS = {"a4": "A4", "letter": "letter"}
_KEEP_TEXT = 2  # paragraphs kept on one page with their heading
_KEEP_ROWS = 6  # a table this short stays on one page with its heading


@dataclass(frozen=True)
class Text:
    """A paragraph; ``lead`` is set in bold before it."""

    text: str
    lead: str = ""
    kind: str = "text"


@dataclass(frozen=True)
class Items:
    """A bulleted list, with an optional lead-in line."""

    items: tuple[str, ...]
    lead: str = ""
    kind: str = "items"


@dataclass(frozen=True)
class Table:
    """A table with people's headings; ``empty`` is said instead when it has no rows."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = ""  # said instead of no rows; the page's own words when not given
    numeric: tuple[int, ...] = ()  # columns aligned right
    caption: str = ""
    wrap: tuple[int, ...] = ()  # columns whose text may wrap; the others stay on one line
    kind: str = "table"


@dataclass(frozen=True)
class Chart:
    """A chart as an embedded PNG with its titles as alt text.

    ``width`` and ``height`` are the figure's size in CSS pixels (96 an
    inch): the page shows it at that size, so it prints at its own size.
    """

    alt: str
    src: str
    tall: bool = False
    kind: str = "chart"
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Blank:
    """Lines to write on by hand, one labelled space per entry."""

    labels: tuple[str, ...]
    kind: str = "blank"


@dataclass(frozen=True)
class Section:
    """A heading and its blocks.

    ``boxed`` draws a frame (the safety signs); ``page_break`` starts the
    section on a new printed page.
    """

    title: str
    blocks: tuple[Any, ...]
    boxed: bool = False
    page_break: bool = False

    @property
    def keep(self) -> int:
        """How many blocks stay on one page with the heading.

        The text up to the first table (with it when it is a few rows), chart
        (with it unless it is a tall one) or list, and at most two paragraphs.
        """
        for n, block in enumerate(self.blocks):
            if block.kind == "table":
                return n + 1 if len(block.rows) <= _KEEP_ROWS else n
            if block.kind == "chart":
                return n if block.tall else n + 1
            if block.kind == "items" or n == _KEEP_TEXT:
                return n  # a list, or the rest of a long text, may run on to the next page
        return len(self.blocks)


@dataclass(frozen=True)
class Document:
    """A whole report: title, header lines, sections, audience and paper size."""

    title: str
    header: tuple[Text, ...]
    sections: tuple[Section, ...]
    audience: str = "clinician"
    paper: str = "a4"
    sample: bool = False
