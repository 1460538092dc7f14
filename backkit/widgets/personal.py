"""The one-time personal check: a few questions that pick out the cautions that apply to you.

:class:`PersonalCheck` asks the questions of :func:`backkit.conditions.questions`
(osteoporosis, a hip replacement and its approach, a knee replacement or
arthritis, back surgery in the last 3 months, pregnancy) and stores the
answers with :func:`backkit.conditions.record`. The timer then shows the
cautions that apply first, highlighted, beside each exercise. The warning-sign
check (:class:`~backkit.widgets.screening.SafetyCheck`) carries one the first
time; shown on its own it changes earlier answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import conditions
from ..i18n import gettext as _
from . import ui

if TYPE_CHECKING:
    from ..log import SessionLog

__all__ = ["PersonalCheck"]


class PersonalCheck(widgets.VBox):
    """The personal check's questions, each answered by pressing one option.

    Parameters
    ----------
    log : SessionLog, path or None
        Where the answers are stored (opened at Save).
    save_button : bool, default True
        Show its own Save button; the warning-sign check saves it with its own.

    Examples
    --------
    >>> import backkit
    >>> from backkit.widgets.personal import PersonalCheck
    >>> log = backkit.SessionLog(":memory:")
    >>> check = PersonalCheck(log)
    >>> check.answers["osteoporosis"].value = "Yes"
    >>> check.save_button.click()
    >>> sorted(backkit.conditions.current(log).tags)
    ['osteoporosis']
    """

    def __init__(self, log: SessionLog | str | Path | None = None, *, save_button: bool = True):
        self._log = ui.check_log(log)
        self.answers: dict[str, widgets.ToggleButtons] = {}
        listed: list[widgets.Widget] = []
        for q in conditions.questions():
            buttons = ui.choice("bk-personal-answer", [(label, label) for label, _v in q.options])
            buttons.add_class(f"bk-p-{q.id}")
            self.answers[q.id] = buttons
            row = widgets.VBox([ui.html("bk-personal-question", ui.escape(q.ask)), buttons])
            row.add_class("bk-question-row")
            listed.append(row)
        in_columns = widgets.VBox(listed)
        in_columns.add_class("bk-question-list")
        rows: list[widgets.Widget] = [
            ui.html(
                "bk-personal-intro",
                _("<b>About you.</b> {intro}").format(intro=ui.escape(conditions.intro())),
            ),
            in_columns,
        ]
        self.message = ui.html("bk-personal-message")
        self.save_button = ui.button(
            _("Save my answers"),
            "bk-personal-save",
            _("Store your answers"),
            align_self="flex-start",
        )
        self.save_button.on_click(ui.guard(widgets.Output(), self.message)(self._on_save))
        if save_button:
            rows += [self.save_button, self.message]
        super().__init__(rows)
        self.add_class("bk-personal")

    def given(self) -> dict[str, str]:
        """The options pressed so far, by question id."""
        return {key: w.value for key, w in self.answers.items() if w.value is not None}

    def store(self, log: SessionLog) -> conditions.Answers | None:
        """Store the answers given in ``log`` (nothing when none was given)."""
        given = self.given()
        return conditions.record(log, given) if given else None

    def _on_save(self, _button: Any) -> None:
        self._log = ui.open_log(self._log)
        stored = self.store(self._log)
        self.message.value = ui.box(
            _("Saved: the cautions that apply to you are shown first beside each exercise.")
            if stored is not None
            else _("Press an answer first."),
            "ok" if stored is not None else "info",
        )
