"""Shared numpydoc text, written once and put into docstrings with ``str.format``.

seaborn's pattern (``seaborn/_docstrings.py``): a function's docstring is
assigned after its definition, ``f.__doc__ = "...{params.ax}...".format(**chart_docs)``,
so every chart describes ``log_frame``, ``ax`` and its return value in the
same words. Clinical numbers are not restated here: the text names the YAML
key or the function that reads it.

Examples
--------
>>> from backkit._docstrings import DocstringComponents
>>> params = DocstringComponents({"ax": '''
...     ax : Axes, optional
...         Where to draw.
... '''})
>>> print(params.ax)
ax : Axes, optional
    Where to draw.
"""

from __future__ import annotations

import textwrap
from typing import Any


class DocstringComponents:
    """Named pieces of docstring text, read as attributes (``params.ax``).

    Each piece is dedented and stripped of blank lines around it, so it can be
    written indented in the source and formatted into an unindented docstring.
    """

    def __init__(self, entries: dict[str, str]):
        self._entries = {key: textwrap.dedent(text).strip() for key, text in entries.items()}

    def __getattr__(self, name: str) -> str:
        try:
            return self.__dict__["_entries"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self) -> list[str]:
        return sorted(self._entries)


chart_params = DocstringComponents(
    {
        "log_frame": """
            log_frame : DataFrame
                The session log (``SessionLog.frame()`` or ``sample_log()``).
        """,
        "plan": """
            plan : Plan, optional
                The prescription to compare with (measures defined in
                :mod:`backkit.adherence`); without one the chart shows what
                was done and its title says so.
        """,
        "plan_unused": """
            plan : Plan, optional
                Not used; accepted so every chart takes the same arguments.
        """,
        "window": """
            window : int, default 7
                Days in the rolling mean (:func:`backkit.analysis.pain_trend`).
        """,
        "baseline_days": """
            baseline_days : int, default 7
                Days from the first pain score that make the baseline
                (:func:`backkit.analysis.baseline_pain`).
        """,
        "level": """
            level : float, default 0.95
                Confidence level of the interval
                (:func:`backkit.analysis.immediate_effect`).
        """,
        "ax": """
            ax : matplotlib.axes.Axes, optional
                Where to draw; a new figure when None.
        """,
    }
)

chart_returns = DocstringComponents(
    {
        "ax": """
            Axes
                The Axes drawn on (``ax`` when one was given).
        """,
        "figure": """
            Figure
                Not left open in pyplot, so a notebook shows it once: end the
                cell with the call (or ``display(fig)``); in a script,
                ``fig.savefig(...)``.
        """,
    }
)

#: Keyword arguments for ``str.format`` on a chart's docstring.
chart_docs: dict[str, Any] = {"params": chart_params, "returns": chart_returns}
