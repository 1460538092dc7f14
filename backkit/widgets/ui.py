"""Pieces every backkit widget is made of, written once.

HTML snippets and message boxes, buttons, the 0-10 pain slider, the one
style sheet (``backkit.css`` beside this module), a guard that shows errors
raised in callbacks instead of losing them, and how a widget opens its log.
"""

from __future__ import annotations

import functools
import html as _html
import traceback
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import config
from ..errors import LogError
from ..i18n import N_
from ..i18n import gettext as _

if TYPE_CHECKING:
    from ..log import SessionLog

#: The anchors of every 0-10 pain question in the kit.
PAIN_SCALE = N_("0 = no pain, 10 = worst pain imaginable")
#: Message levels; each has its colour in ``backkit.css`` (``.bk-box-<level>``).
LEVELS = ("ok", "reduce", "stop", "info")


def escape(text: Any) -> str:
    """``text`` made safe to put inside HTML."""
    return _html.escape(str(text), quote=True)


def html(cls: str, value: str = "", **layout: Any) -> widgets.HTML:
    """An HTML widget with the CSS class ``cls`` (tests and style sheets select on it)."""
    w = widgets.HTML(value, layout=widgets.Layout(**layout))
    w.add_class(cls)
    return w


def button(label: str, cls: str, tooltip: str, style: str = "", **layout: Any) -> widgets.Button:
    """A button with words on it (not only a symbol), a tooltip and the class ``cls``."""
    size = {"width": "auto", "height": "40px", "min_width": "96px", **layout}
    b = widgets.Button(
        description=label, tooltip=tooltip, button_style=style, layout=widgets.Layout(**size)
    )
    b.add_class(cls)
    return b


def box(text: str, level: str = "info") -> str:
    """A message box (HTML): ``level`` is one of :data:`LEVELS`; ``text`` is HTML already."""
    if level not in LEVELS:
        level = "info"
    return f'<div class="bk-box bk-box-{level}">{text}</div>'


def offer(button: widgets.Button, message: widgets.HTML, text: str) -> None:
    """Show ``button`` and say in ``message`` why it is offered (``text`` is HTML already)."""
    button.layout.display = ""
    message.value = box(text, "info")


def hint(text: str) -> str:
    """A small grey line under a question (HTML; ``text`` is HTML already)."""
    return f'<span class="bk-hint">{text}</span>'


def pain_slider(
    cls: str, value: int = 0, *, description: str | None = None, label_width: str = "80px",
    width: str = "360px",
) -> widgets.IntSlider:  # fmt: skip
    """A 0-10 pain slider that reports only where it is let go (labelled "Pain now" by default)."""
    if description is None:
        description = _("Pain now")
    w = widgets.IntSlider(
        value=value, min=0, max=10, step=1, continuous_update=False, description=description,
        style={"description_width": label_width}, layout=widgets.Layout(width=width),
    )  # fmt: skip
    w.add_class(cls)
    return w


def rating(cls: str, *, low: int = 0, high: int = 10) -> widgets.ToggleButtons:
    """A 0-10 rating that starts empty ("not rated"): eleven buttons, none pressed.

    A slider always has a value, so an untouched one would store a number
    nobody chose; here ``value`` stays None until a button is pressed.
    """
    w = widgets.ToggleButtons(
        options=[(str(i), i) for i in range(low, high + 1)],
        value=None,
        # Translators: the tooltip of one button of a 0-10 rating, e.g. "7 of 10"
        tooltips=[_("{value} of {high}").format(value=i, high=high) for i in range(low, high + 1)],
        style={"button_width": "34px"},
    )
    w.add_class(cls)
    w.add_class("bk-rating")
    return w


def choice(cls: str, options: list[tuple[str, Any]]) -> widgets.ToggleButtons:
    """A question answered by pressing one of a few buttons; starts unanswered (None)."""
    w = widgets.ToggleButtons(options=options, value=None, style={"button_width": "auto"})
    w.add_class(cls)
    w.add_class("bk-choice")
    return w


def yes_no(cls: str) -> widgets.ToggleButtons:
    """A yes/no question that starts unanswered (None); True is yes."""
    return choice(cls, [(_("No"), False), (_("Yes"), True)])


def emergency_html(*, open_: bool = True) -> str:
    """The emergency signs from :mod:`backkit.safety` (folded unless ``open_``), escaped."""
    from .. import safety

    r = safety.rules()
    e = r["emergency"]
    signs = "".join(f"<li>{escape(s)}</li>" for s in e["signs"])
    # whose numbers these are: the region may be set wrong, or the person abroad
    note = f"<p class='bk-region-note'>{escape(r['emergency_region_note'])}</p>"
    return (
        f"<details class='bk-emergency'{' open' if open_ else ''}>"
        f"<summary><b>{escape(e['title'])}:</b></summary><ul>{signs}</ul>{note}</details>"
    )


def pain_question(cls: str, question: str) -> widgets.HTML:
    """The question above a pain slider, with the scale's anchors under it."""
    return html(cls, f"{question}<br>{hint(_(PAIN_SCALE))}")


@functools.lru_cache(maxsize=1)
def style_sheet() -> str:
    """The kit's one style sheet, ``backkit/widgets/backkit.css``."""
    return (resources.files(__package__) / "backkit.css").read_text(encoding="utf-8")


def style() -> widgets.HTML:
    """A zero-height widget that brings the style sheet into the page.

    Each root widget (timer, check-in, app) carries one, so the sheet is in
    the page whichever of them is shown, in JupyterLab, Notebook and Voila.
    It also says the language its words are in (``data-lang``), which the
    app's page takes for its own (the kit's Voila template).
    """
    lang = config.locale_name().replace("_", "-")
    mark = f'<span class="bk-lang" data-lang="{lang}" hidden></span>'
    return html("bk-style", f"<style>{style_sheet()}</style>{mark}", height="0px", margin="0")


def show_error(output: widgets.Output, err: BaseException) -> None:
    """Append the traceback of ``err`` to ``output``."""
    output.append_stderr("".join(traceback.format_exception(type(err), err, err.__traceback__)))


def guard(
    output: widgets.Output, message: widgets.HTML | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a callback so an error in it is shown, not lost.

    ipywidgets swallows what a callback raises; the wrapped callback writes
    the traceback into ``output`` and, when given, a one-line box into
    ``message``.

    Examples
    --------
    >>> import ipywidgets as widgets
    >>> from backkit.widgets.ui import guard
    >>> out = widgets.Output()
    >>> @guard(out)
    ... def broken(_):
    ...     raise RuntimeError("disk on fire")
    >>> broken(None)
    >>> "RuntimeError: disk on fire" in out.outputs[0]["text"]
    True
    """

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def guarded(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as err:
                show_error(output, err)
                if message is not None:
                    message.value = box(
                        _("Something went wrong: {error}").format(error=escape(err)), "stop"
                    )
                return None

        return guarded

    return wrap


def check_log(log: Any) -> SessionLog | str | Path | None:
    """Return ``log`` when it can name a log (a SessionLog, a path or None), else raise.

    Raises
    ------
    LogError
        For anything else, at once rather than at the first Save.
    """
    from ..log import SessionLog

    if log is None or isinstance(log, (SessionLog, str, Path)):
        return log
    raise LogError(
        _(
            "{type} is not a SessionLog; give a SessionLog, the path of a "
            "log file, or None for your own log"
        ).format(type=type(log).__name__),
        where="log",
    )


def open_log(log: SessionLog | str | Path | None) -> SessionLog:
    """The log a widget writes to: a SessionLog as given, a path opened, None the default log.

    Examples
    --------
    >>> import backkit
    >>> from backkit.widgets.ui import open_log
    >>> log = backkit.SessionLog(":memory:")
    >>> open_log(log) is log
    True
    >>> open_log(42)
    Traceback (most recent call last):
    ...
    backkit.errors.LogError: log: int is not a SessionLog; give a SessionLog, ...
    """
    from ..log import SessionLog

    log = check_log(log)
    return log if isinstance(log, SessionLog) else SessionLog(log)


def set_if_changed(obj: Any, name: str, value: Any) -> None:
    """Assign only on change: every assignment is a message to the browser."""
    if getattr(obj, name) != value:
        setattr(obj, name, value)
