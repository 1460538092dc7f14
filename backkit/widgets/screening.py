"""The red-flag questions before exercising: a "yes" stops the session and says what to do.

:class:`SafetyCheck` asks the yes/no questions of
:func:`backkit.safety.screening_questions` when they are due
(:func:`backkit.safety.screening_due`: never answered, last answered more
than a week ago, or the last answers had a "yes"), stores the answers with
:func:`backkit.outcomes.record_screening`, and then either shows what comes
next (a timer: ``then``) or, after a "yes", what to do now (call 999, see a
GP today, see a clinician) and nothing to start. The emergency signs are
shown above the questions either way.

Two checks on one log (the quick try and the full session of today's
notebook) open together: answering one opens the other.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import outcomes, safety
from . import ui
from .fix import UndoBar

if TYPE_CHECKING:
    from ..log import SessionLog

__all__ = ["SafetyCheck", "advice_html", "questions_box"]

#: Message level of each action: the colour of the advice box.
_LEVEL = {"none": "ok", "clinician": "reduce", "urgent": "stop", "emergency": "stop"}
_OPEN: weakref.WeakSet[SafetyCheck] = weakref.WeakSet()


def advice_html(action: str) -> str:
    """The advice box after a screening whose most serious "yes" calls for ``action``."""
    text = ui.escape(safety.screening_advice(action))
    if action == "none":
        return ui.box(text, "ok")
    yes = {
        "emergency": "Emergency",
        "urgent": "Urgent",
        "clinician": "See a clinician",
    }[action]
    return ui.box(f"<b>{yes}: do not start the session.</b> {text}", _LEVEL[action])


def questions_box(
    cls: str = "bk-screening",
) -> tuple[widgets.VBox, dict[str, widgets.ToggleButtons]]:
    """The red-flag questions as a box, and each question's yes/no buttons by its id."""
    answers: dict[str, widgets.ToggleButtons] = {}
    rows: list[widgets.Widget] = [
        ui.html(f"{cls}-intro", f"<b>Warning signs.</b> {ui.escape(safety.screening_intro())}")
    ]
    for q in safety.screening_questions():
        answers[q.id] = ui.yes_no(f"{cls}-answer")
        answers[q.id].add_class(f"bk-q-{q.id}")
        rows.append(
            widgets.HBox(
                [ui.html(f"{cls}-question", ui.escape(q.ask), width="440px"), answers[q.id]],
                layout=widgets.Layout(align_items="center"),
            )
        )
    box = widgets.VBox(rows)
    box.add_class(cls)
    return box, answers


class SafetyCheck(widgets.VBox):
    """The red-flag questions before a session, then the session (or what to do instead).

    Parameters
    ----------
    log : SessionLog, path or None
        Where the answers are stored (and the last answers read).
    then : callable, optional
        Makes what to show once the questions are answered with no "yes"
        (or were answered recently): usually a :class:`SessionTimer`. Called
        at most once.

    Attributes
    ----------
    answers : dict of str to ToggleButtons
        Each question's Yes/No buttons by question id (None = unanswered).
    action : str or None
        The advice shown after the last answers ("none", "clinician",
        "urgent", "emergency"); None while unanswered.
    content : widget or None
        What ``then`` made, once made.
    undo : UndoBar or None
        The "Undo" offered right after ``content`` saves, when it is a timer.

    Examples
    --------
    >>> import backkit
    >>> from backkit.widgets.screening import SafetyCheck
    >>> log = backkit.SessionLog(":memory:")
    >>> check = SafetyCheck(log, then=lambda: backkit.SessionTimer("bridge", log))
    >>> check.content is None, check.due
    (True, True)
    >>> for buttons in check.answers.values():
    ...     buttons.value = False
    >>> check.save_button.click()
    >>> check.action, type(check.content).__name__
    ('none', 'SessionTimer')
    """

    def __init__(
        self,
        log: SessionLog | str | Path | None = None,
        *,
        then: Callable[[], widgets.Widget] | None = None,
    ):
        self.session_log = ui.open_log(log)
        self.then = then
        self.action: str | None = None
        self.undo: UndoBar | None = None
        self.content: widgets.Widget | None = None
        self.output = widgets.Output()
        self.message = ui.html("bk-screening-message")
        self._guard = ui.guard(self.output, self.message)
        self.signs = ui.html("bk-safety", ui.emergency_html(open_=True))
        self.questions, self.answers = questions_box()
        self.save_button = ui.button(
            "Save answers",
            "bk-screening-save",
            "Store the answers to the warning-sign questions",
            "primary",
            align_self="flex-start",
        )
        self.save_button.on_click(self._guard(self._on_save))
        self.form = widgets.VBox([self.questions, self.save_button])
        self.slot = widgets.VBox()
        super().__init__([ui.style(), self.signs, self.form, self.message, self.slot, self.output])
        self.add_class("bk-root")
        self.add_class("bk-safety-check")
        self.due = safety.screening_due(outcomes.last_screening(self.session_log))
        if self.due:
            _OPEN.add(self)
        else:
            self.form.layout.display = "none"
            self._show_next("none", stored=False)

    def _on_save(self, _button: Any) -> None:
        missing = [q.ask for q in safety.screening_questions() if self.answers[q.id].value is None]
        if missing:
            self.message.value = ui.box(
                f"Please answer every question ({len(missing)} not answered yet): "
                "press <b>No</b> or <b>Yes</b> beside each.",
                "info",
            )
            return
        answers = {key: bool(w.value) for key, w in self.answers.items()}
        action = safety.screening_action(answers)
        outcomes.record_screening(self.session_log, answers, action=action)
        self.form.layout.display = "none"
        self._show_next(action)
        if action == "none":
            # the other checks on this log (today's notebook has two) open too
            for other in list(_OPEN):
                if other is not self and other._same_log(self):
                    other._show_next("none", stored=False)

    def _same_log(self, other: SafetyCheck) -> bool:
        return self.session_log is other.session_log or (
            str(self.session_log.path) == str(other.session_log.path)
            and str(self.session_log.path) != ":memory:"
        )

    def _show_next(self, action: str, *, stored: bool = True) -> None:
        self.action = action
        _OPEN.discard(self)
        self.form.layout.display = "none"
        if action != "none":
            self.message.value = advice_html(action)
            return
        # answered with no "yes": the signs stay on the page, folded, under the answer
        self.signs.value = ui.emergency_html(open_=False)
        self.message.value = advice_html("none") if stored else ""
        if self.then is not None and self.content is None:
            self.content = self.then()
            children = [self.content]
            if hasattr(self.content, "on_saved"):
                # a timer: offer "Undo" right after it saves
                self.undo = UndoBar(self.session_log)
                self.content.on_saved(self.undo.offer)
                children.append(self.undo)
            self.slot.children = children
