"""Rendering: charts as embedded images, and a document as one self-contained HTML page.

The Jinja2 templates ship in ``backkit/data`` and escape every value.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from ..config import locale_name
from ..i18n import gettext as _
from ..i18n import ngettext
from .blocks import PAPERS, Chart, Document, Section

__all__ = ["chart_html", "chart_image", "render_html", "section_html"]

_CSS_PX = 96  # CSS pixels per inch, in print as on screen
_SHORT_TABLE = 14  # rows; a table this short is never split across pages


# --------------------------------------------------------------------------
# Charts in the report


def chart_image(chart: Any, *, sample: bool = False, dpi: int = 100) -> Chart:
    """Render a chart to an embedded PNG (a ``data:`` URI) with its titles as alt text.

    The figure is closed afterwards, so Jupyter does not show it a second time.

    Parameters
    ----------
    chart : Axes or Figure
        What a ``backkit.charts`` function returned.
    sample : bool
        Stamp the chart "SAMPLE DATA" (:func:`backkit.charts.mark_sample`).
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    Chart
        ``alt`` (plain text), ``src``, ``tall`` (a figure about as tall as it
        is wide, such as the outcome measures' stacked panels) and ``width``
        and ``height``: the figure's own size in CSS pixels (96 an inch), so
        that a page can print it at that size.

    Examples
    --------
    >>> import backkit
    >>> from backkit.report import chart_image
    >>> image = chart_image(backkit.plot_pain_trend(backkit.sample_log(weeks=2)))
    >>> image.alt, image.src.startswith("data:image/png;base64,"), image.tall
    ('Pain before exercise', True, False)
    >>> image.width > 800  # the chart's 9 inches (less what tight cropping takes), at 96 an inch
    True
    """
    import base64
    import io

    import matplotlib.pyplot as plt

    from ..charts import mark_sample

    fig = getattr(chart, "figure", chart)
    suptitle = getattr(fig, "_suptitle", None)  # a multi-panel figure's own title
    if sample:
        if suptitle is not None and suptitle.get_text():
            # the stamp's corner is taken by the title there: say it in the title
            first, *rest = suptitle.get_text().split("\n")
            if "sample" not in first.lower() and _("SAMPLE DATA") not in first:
                # Translators: a chart's title, stamped as drawn from the sample data
                stamped = _("{title} (SAMPLE DATA)").format(title=first)
                suptitle.set_text("\n".join([stamped, *rest]))
        else:
            mark_sample(fig)
    titles = [t for ax in fig.axes if (t := ax.get_title())]
    if suptitle is not None:
        titles.insert(0, suptitle.get_text())
    width, height = fig.get_size_inches()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    png = buffer.getvalue()
    # the PNG's own size (IHDR: width and height, big-endian, at bytes 16-24), as saved
    pixels = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    data = base64.b64encode(png).decode("ascii")
    # Translators: a chart's alternative text when it has no title
    alt = " ".join("; ".join(titles).split()) or _("chart")
    return Chart(
        alt,
        f"data:image/png;base64,{data}",
        tall=bool(height > 0.75 * width),
        width=round(pixels[0] * _CSS_PX / dpi),
        height=round(pixels[1] * _CSS_PX / dpi),
    )


def chart_html(chart: Any, *, sample: bool = False, dpi: int = 100) -> str:
    """Return a chart as an ``<img>`` with the PNG embedded and its titles as alt text.

    The same as :func:`chart_image`, as HTML for a notebook or the app.

    Examples
    --------
    >>> import backkit
    >>> from backkit.report import chart_html
    >>> html = chart_html(backkit.plot_pain_trend(backkit.sample_log(weeks=2)))
    >>> html.startswith('<img alt="Pain before exercise"'), "data:image/png;base64," in html
    (True, True)
    """
    import html

    image = chart_image(chart, sample=sample, dpi=dpi)
    alt = html.escape(image.alt, quote=True)
    return f'<img alt="{alt}" src="{image.src}" style="max-width:100%">'


# --------------------------------------------------------------------------
# The page


def _template(name: str = "report.html.j2") -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda n: (resources.files("backkit") / "data" / n).read_text(encoding="utf-8")
        ),
        autoescape=True,  # every value a person typed is text, never markup
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    # the words of the templates, in the kit's language when the page is rendered
    env.install_gettext_callables(gettext=_, ngettext=ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env.get_template(name)


def render_html(doc: Document) -> str:
    """Render a document as one self-contained HTML page; every value is escaped.

    Examples
    --------
    >>> from backkit.report import Document, Section, Table, Text, render_html
    >>> doc = Document("P <b>", (), (Section("S", (Text("<script>x</script>"),)),))
    >>> page = render_html(doc)
    >>> "<script>x" in page, "&lt;script&gt;x" in page
    (False, True)
    """
    return _template().render(
        doc=doc,
        page_size=PAPERS[doc.paper],
        sections=doc.sections,
        lang=locale_name().replace("_", "-"),
    )


def section_html(section: Section) -> str:
    """One section as an HTML fragment, for the review notebook (escaped like the report)."""
    return str(_template("report_blocks.html.j2").module.section(section))
