"""The red-flag questions before exercising: a "yes" stops the session and says what to do.

:class:`SafetyCheck` is the face of the safety gate (:mod:`backkit.gate`).
While the gate is closed it shows, above the emergency signs:

- the yes/no questions of :func:`backkit.safety.screening_questions`, when
  they were never answered or were last answered more than a week ago
  (stored with :func:`backkit.outcomes.record_screening`);
- after a "yes" (now or on an earlier day, whatever was answered since):
  what to do now (the emergency, urgent or clinician advice of the region in
  use: :func:`backkit.safety.screening_advice`), nothing to
  start, and a form to record that a clinician has seen the person about it
  and said they can exercise (:func:`backkit.outcomes.record_clearance`).

Once the gate is open it shows what comes next (``then``: a timer).
:class:`~backkit.widgets.timer.SessionTimer` shows one of these in place of
its countdown while the gate is closed.

Two checks on one log (the quick try and the full session of today's
notebook) open together: answering one opens the other.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import conditions, config, gate, outcomes, safety
from ..i18n import N_
from ..i18n import gettext as _
from . import ui
from .fix import UndoBar
from .personal import PersonalCheck

if TYPE_CHECKING:
    from ..log import SessionLog

__all__ = ["ClearanceForm", "SafetyCheck", "advice_html", "questions_box"]

#: Message level of each action: the colour of the advice box.
_LEVEL = {"none": "ok", "clinician": "reduce", "urgent": "stop", "emergency": "stop"}
_OPEN: weakref.WeakSet[SafetyCheck] = weakref.WeakSet()
#: The heading of the advice box of each action that stops the session (HTML, then the advice).
_STOP = {
    "emergency": N_("<b>Emergency: do not start the session.</b> {advice}"),
    "urgent": N_("<b>Urgent: do not start the session.</b> {advice}"),
    "clinician": N_("<b>See a clinician: do not start the session.</b> {advice}"),
}
#: Who saw the person (outcomes.SEEN_BY), as the form names them.
_SEEN_BY = {
    # Translators: a general practitioner (family doctor)
    "gp": N_("GP"),
    "physiotherapist": N_("Physiotherapist"),
    "emergency department": N_("Emergency department"),
    "other clinician": N_("Other clinician"),
}


def advice_html(action: str) -> str:
    """The advice box after a screening whose most serious "yes" calls for ``action``."""
    text = ui.escape(safety.screening_advice(action))
    if action == "none":
        return ui.box(text, "ok")
    return ui.box(_(_STOP[action]).format(advice=text), _LEVEL[action])


def questions_box(
    cls: str = "bk-screening",
) -> tuple[widgets.VBox, dict[str, widgets.ToggleButtons]]:
    """The red-flag questions as a box, and each question's yes/no buttons by its id.

    The questions flow in columns where the page is wide enough, so the form
    fits on about one screen. Under them, "I have read them all: No to the
    rest" answers No to every question not answered yet (a Yes already
    pressed stays): the person still sees each answer before pressing Save.
    Its words ask for each question to be read, and stay true after a Yes.
    """
    answers: dict[str, widgets.ToggleButtons] = {}
    rows: list[widgets.Widget] = []
    for q in safety.screening_questions():
        answers[q.id] = ui.yes_no(f"{cls}-answer")
        answers[q.id].add_class(f"bk-q-{q.id}")
        row = widgets.HBox([ui.html(f"{cls}-question", ui.escape(q.ask)), answers[q.id]])
        row.add_class("bk-question-row")
        rows.append(row)
    listed = widgets.VBox(rows)
    listed.add_class("bk-question-list")
    none = ui.button(
        _("I have read them all: No to the rest"),
        f"{cls}-none",
        _(
            "Answer No to every question you have not answered yet (a Yes stays). "
            "Check each answer before you save."
        ),
        align_self="flex-start",
    )

    def answer_no(_button: Any) -> None:
        for buttons in answers.values():
            if buttons.value is None:
                buttons.value = False

    none.on_click(answer_no)
    intro = ui.html(
        f"{cls}-intro",
        _("<b>Warning signs.</b> {intro}").format(intro=ui.escape(safety.screening_intro())),
    )
    box = widgets.VBox([intro, listed, none])
    box.add_class(cls)
    return box, answers


class SafetyCheck(widgets.VBox):
    """The warning-sign questions before a session, then the session (or what to do instead).

    Parameters
    ----------
    log : SessionLog, path or None
        Where the answers are stored and read. A path or None is opened only
        when something is stored, so showing the questions writes nothing.
    then : callable, optional
        Makes what to show once the gate is open: usually a
        :class:`SessionTimer`. Called at most once.
    signs : bool, default True
        Show the emergency signs; a page that shows them already (the app's
        header) passes False, so they appear once.

    Attributes
    ----------
    gate : backkit.gate.Gate
        The gate as last read.
    due : bool
        Whether the gate was closed when the check was built.
    answers : dict of str to ToggleButtons
        Each question's Yes/No buttons by question id (None = unanswered).
    action : str or None
        The advice shown ("none", "clinician", "urgent", "emergency"); None
        while the questions are unanswered.
    clearance : ClearanceForm
        "A clinician has seen me about this": shown while a "yes" is unresolved.
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
        signs: bool = True,
    ):
        self._log = ui.check_log(log)
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
            _("Save answers"),
            "bk-screening-save",
            _("Store the answers to the warning-sign questions"),
            "primary",
            align_self="flex-start",
        )
        self.save_button.on_click(self._guard(self._on_save))
        # asked once, with the first screening: which cautions apply to this person
        self.personal: PersonalCheck | None = None
        form: list[widgets.Widget] = [self.questions]
        if _never_personal(self._log):
            self.personal = PersonalCheck(self._log, save_button=False)
            form.append(self.personal)
        self.form = widgets.VBox([*form, self.save_button])
        self.clearance = ClearanceForm(self._guard(self._on_cleared))
        self.slot = widgets.VBox()
        super().__init__(
            [ui.style(), self.message, self.clearance, *([self.signs] if signs else []),
             self.form, self.slot, self.output]
        )  # fmt: skip
        self.add_class("bk-root")
        self.add_class("bk-safety-check")
        self.gate = gate.check(self._log)
        self.due = not self.gate.open
        self._show_gate(stored=False)

    def hide_signs(self) -> None:
        """Stop showing the emergency signs (what comes next shows them itself)."""
        self.signs.layout.display = "none"

    @property
    def session_log(self) -> SessionLog:
        """The log answers are stored in (opened on first use)."""
        self._log = ui.open_log(self._log)
        return self._log

    def refresh(self) -> None:
        """Read the gate again and show what it asks for now (answers given elsewhere count)."""
        if self.content is None:
            self.gate = gate.check(self._log)
            self._show_gate(stored=False)

    def _show_gate(self, *, stored: bool) -> None:
        """Show what the gate asks for: the questions, the advice and the form, or ``then``."""
        state = self.gate
        self.form.layout.display = "" if state.needs_answers else "none"
        self.clearance.layout.display = "flex" if state.unresolved else "none"
        if state.open:
            self._show_next(stored=stored)
        elif state.unresolved:
            _OPEN.discard(self)
            self.action = state.action
            self.message.value = advice_html(state.action) + _unresolved_html(state)
            self.clearance.since(min(u.answered_at for u in state.unresolved).date())
        else:
            _OPEN.add(self)
            reason = ui.box(ui.escape(state.reason), "info")
            self.message.value = reason if state.last_answered else ""

    def _on_save(self, _button: Any) -> None:
        missing = [q.ask for q in safety.screening_questions() if self.answers[q.id].value is None]
        if missing:
            self.message.value = ui.box(
                _(
                    "Please answer every question ({n} not answered yet): "
                    "press <b>No</b> or <b>Yes</b> beside each."
                ).format(n=len(missing)),
                "info",
            )
            return
        answers = {key: bool(w.value) for key, w in self.answers.items()}
        action = safety.screening_action(answers)
        outcomes.record_screening(self.session_log, answers, action=action)
        if self.personal is not None:
            self.personal.store(self.session_log)
        self.gate = gate.check(self.session_log)
        self._show_gate(stored=True)
        if self.gate.open and action != "none":
            # only history a clinician has already seen the person about
            self.message.value = ui.box(
                _(
                    "You answered yes only about your history, which a doctor or physiotherapist "
                    "has already seen you about: you can start. If something is new since then (a "
                    "new diagnosis or medicine, another operation, infection or fall), do not "
                    "exercise until they have seen you about it: the kit cannot tell it apart "
                    "from what they already know."
                ),
                "ok",
            )
        if self.gate.open:
            # the other checks on this log (today's notebook has two) open too
            for other in list(_OPEN):
                if other is not self and other._same_log(self):
                    other.gate = self.gate
                    other._show_gate(stored=False)

    def _on_cleared(self, seen_on: dt.date, seen_by: str, notes: str) -> None:
        outcomes.record_clearance(self.session_log, seen_on=seen_on, seen_by=seen_by, notes=notes)
        self.gate = gate.check(self.session_log)
        if not self.gate.open and self.gate.unresolved:
            first = min(u.answered_at for u in self.gate.unresolved)
            self.clearance.say(
                _(
                    "That visit was before you answered yes on {day}, so it "
                    "does not cover that answer. Record a visit only if a doctor or "
                    "physiotherapist has seen you on or after that day."
                ).format(day=gate.day_text(first)),
                "reduce",
            )
            return
        self.clearance.say(_("Recorded."), "ok")
        self._show_gate(stored=False)

    def _same_log(self, other: SafetyCheck) -> bool:
        mine, theirs = self._log, other._log
        if mine is theirs:
            return True
        path = lambda log: str(getattr(log, "path", log))  # noqa: E731
        return path(mine) == path(theirs) and path(mine) != ":memory:"

    def _show_next(self, *, stored: bool) -> None:
        self.action = "none"
        _OPEN.discard(self)
        self.form.layout.display = "none"
        self.clearance.layout.display = "none"
        # the gate is open: the signs stay on the page, folded, under the answer
        self.signs.value = ui.emergency_html(open_=False)
        self.message.value = advice_html("none") if stored else ""
        if self.then is not None and self.content is None:
            self.content = self.then()
            children = [self.content]
            if hasattr(self.content, "on_saved"):
                # a timer: offer "Undo" right after it saves
                reopen = getattr(self.content, "reopen", None)  # Save works again after Undo
                self.undo = UndoBar(self.session_log, on_undone=reopen)
                self.content.on_saved(self.undo.offer)
                children.append(self.undo)
            self.slot.children = children


def _never_personal(log: SessionLog | str | Path | None) -> bool:
    """Whether the personal check was never answered in ``log``."""
    from ..errors import BackkitError
    from ..log import peek

    try:
        return peek(log, lambda opened: conditions.current(opened) is None, default=True)
    except (BackkitError, OSError):
        return True


def _seen_by(who: str) -> str:
    """Who saw the person (a value of :data:`backkit.outcomes.SEEN_BY`) as the form names them."""
    return _(_SEEN_BY[who]) if who in _SEEN_BY else who.capitalize()


def _unresolved_html(state: gate.Gate) -> str:
    """Each "yes" still in force: the day and the questions, as the person answered them."""
    items = "".join(
        f"<li>{ui.escape(gate.day_text(u.answered_at))}: "
        + "; ".join(ui.escape(q) for q in u.questions())
        + "</li>"
        for u in state.unresolved
    )
    notes = "".join(
        f"<p>{ui.escape(n)}</p>"
        for n in dict.fromkeys(n for u in state.unresolved for n in u.notes())
    )
    return ui.box(
        _(
            "{reason}<br>You answered yes to:<ul>{items}</ul>{notes}"
            "A later answer of no does not cancel these."
        ).format(reason=ui.escape(state.reason), items=items, notes=notes),
        "info",
    )


class ClearanceForm(widgets.VBox):
    """Record that a clinician saw the person about a "yes" and said they can exercise.

    Parameters
    ----------
    on_record : callable
        Called with ``(seen_on, seen_by, notes)`` when Record is pressed with
        a day and who was seen.
    """

    def __init__(self, on_record: Callable[[dt.date, str, str], Any]):
        self._on_record = on_record
        self.intro = ui.html(
            "bk-clearance-intro",
            _(
                "<b>After you have been seen.</b> Only when a doctor or physiotherapist "
                "has seen you about it since you answered yes, and said you can exercise, "
                "record it here."
            ),
        )
        self.seen_by = widgets.Dropdown(
            options=[(_("choose"), None)] + [(_seen_by(who), who) for who in outcomes.SEEN_BY],
            value=None,
            description=_("Who saw you"),
            style={"description_width": "initial"},
        )  # fmt: skip
        self.seen_by.add_class("bk-clearance-who")
        self.seen_on = widgets.DatePicker(
            # Translators: the day a clinician saw the person ("On [date]")
            description=_("On"),
            value=config.today(),
            style={"description_width": "initial"},
        )
        self.seen_on.add_class("bk-clearance-day")
        self.notes = widgets.Text(
            placeholder=_("What they said, e.g. 'fine to do these exercises'"),
            description=_("What they said"),
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%"),
        )
        self.notes.add_class("bk-clearance-notes")
        self.record_button = ui.button(
            _("Record: they said I can exercise"),
            "bk-clearance-record",
            _("Record the visit; the session can then start"),
            align_self="flex-start",
        )
        self.record_button.on_click(self._record)
        self.message = ui.html("bk-clearance-message")
        # Folded: beside the emergency advice the form must not read as the next step;
        # it is for afterwards, once someone has seen the person.
        self.fields = widgets.VBox(
            [widgets.HBox([self.seen_by, self.seen_on]), self.notes, self.record_button],
            layout=widgets.Layout(display="none"),
        )
        self.open_button = ui.button(
            _("I have been seen since I answered yes"),
            "bk-clearance-open",
            _("Record a visit to a doctor or physiotherapist after you answered yes"),
            align_self="flex-start",
        )
        self.open_button.on_click(lambda _b: self.unfold())
        super().__init__([self.open_button, self.intro, self.fields, self.message])
        self.intro.layout.display = "none"
        self.add_class("bk-clearance")

    def unfold(self) -> None:
        """Show the form (what "I have been seen since I answered yes" does)."""
        self.open_button.layout.display = "none"
        self.intro.layout.display = ""
        self.fields.layout.display = "flex"

    def since(self, day: dt.date) -> None:
        """Say the visit must be on or after ``day`` (the first unresolved "yes")."""
        self.seen_on.value = max(self.seen_on.value or day, day)

    def say(self, text: str, level: str) -> None:
        """Show ``text`` (plain) under the form."""
        self.message.value = ui.box(ui.escape(text), level)

    def _record(self, _button: Any) -> None:
        if self.seen_by.value is None or self.seen_on.value is None:
            self.say(_("Choose who saw you and the day."), "info")
            return
        self._on_record(self.seen_on.value, self.seen_by.value, self.notes.value)
