"""Fix an entry: change or remove a saved session or check-in, with the reason, audited.

:class:`UndoBar` is the "Undo" offered right after a timer saves (the app
and today's session): it removes the rows just saved with the reason
:data:`UNDO_REASON`, kept in the audit trail.

:class:`FixEntry` lists the sessions and check-ins in a log. Pick one, then
change its pain ratings, the sets, repetitions and hold of each exercise (or
a check-in's answers), or remove it, giving the reason; the change goes
through the log's audited API (:meth:`backkit.SessionLog.correct_session`,
:meth:`~backkit.SessionLog.correct`, :meth:`~backkit.SessionLog.remove`,
:func:`backkit.outcomes.correct_checkin`, :func:`backkit.outcomes.remove_checkin`),
so the earlier values are kept and shown as the entry's history. The log
checks every value; a change of sets or repetitions updates the exercise's
status (completed or partial) with it. Every change of one press is written
together, or, when any value is refused, none is: the widget then says in
one plain sentence what to put right.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import config, outcomes
from ..errors import BackkitError, Problem, shown
from ..exercises import BODY_SIDES, get_exercise
from ..i18n import N_, ngettext
from ..i18n import gettext as _
from . import ui

if TYPE_CHECKING:
    import pandas as pd

    from ..log import SessionLog

__all__ = ["FIELD_NAMES", "UNDO_REASON", "FixEntry", "UndoBar", "field_name", "refusal"]

#: The reason stored when a person presses Undo right after saving (stored in English;
#: the history shows it translated).
UNDO_REASON = N_("undone right after saving")

#: How each stored field is named to a person: as the timer and the check-in ask it.
FIELD_NAMES = {
    "pain_before": N_("pain before"),
    "pain_after": N_("pain straight after"),
    "sets_done": N_("sets done"),
    "reps_done": N_("repetitions done"),
    "hold_s_done": N_("hold (seconds)"),
    "sets_planned": N_("sets planned"),
    "reps_planned": N_("repetitions planned"),
    "hold_s_planned": N_("hold planned (seconds)"),
    "status": N_("status"),
    "started_at": N_("start time"),
    "ended_at": N_("end time"),
    "effort": N_("effort"),
    "side": N_("side"),
    "exercise_id": N_("exercise"),
    "pain_average": N_("average pain"),
    "pain_worst": N_("worst pain"),
    "leg_pain": N_("leg pain"),
    "next_morning": N_("the morning after"),
    "below_knee": N_("pain below the knee"),
    "psfs": N_("activities"),
    "custom": N_("clinician's measure"),
    "notes": N_("notes"),
    "removed": N_("removed"),
    "reason": N_("reason"),
    "date": N_("date"),
}
_PACED_HOLD = N_("seconds a repetition")  # hold_s of a paced exercise is the time of one repetition
_LEAVE = "leave"  # a field's choice meaning "do not change it"
#: Fields a person can change, by kind of entry: (field, label, kind).
_FIELDS = {
    "session": (
        ("pain_before", N_("Pain before"), "rating"),
        ("pain_after", N_("Pain straight after"), "rating"),
    ),
    "checkin": (
        ("pain_average", N_("Average pain"), "rating"),
        ("pain_worst", N_("Worst pain"), "rating"),
        ("leg_pain", N_("Leg pain"), "rating"),
        ("notes", N_("Notes"), "text"),
    ),
}
#: The numbers of each exercise a person can change: (field, label, whole number).
_COUNTS = (("sets_done", N_("sets done"), True), ("reps_done", N_("repetitions done"), True),
           ("hold_s_done", N_("hold (seconds)"), False))  # fmt: skip
_NO_REASON = N_("please give a reason for the change (for example 'typed 3 instead of 2')")
_GONE = N_(
    "this entry is no longer in your log as it was (it was changed or removed elsewhere): "
    "choose it again from the list"
)
#: Stored values shown as words: a bout's side and status (the log keeps the English).
_VALUES = {
    "side": {
        # Translators: the side of the body of one exercise, e.g. "4. Bridge (left)"
        "left": N_("left"),
        # Translators: the side of the body of one exercise, e.g. "4. Bridge (right)"
        "right": N_("right"),
        # Translators: an exercise done with both sides at once
        "both": N_("both"),
    },
    "status": {
        # Translators: an exercise's status: every set and repetition done
        "completed": N_("completed"),
        # Translators: an exercise's status: fewer sets or repetitions than planned
        "partial": N_("partial"),
    },
}


def field_name(field: str) -> str:
    """A stored field as a person reads it: ``pain_after`` is "pain straight after".

    Examples
    --------
    >>> from backkit.widgets.fix import field_name
    >>> field_name("pain_after"), field_name("reps_done"), field_name("psfs[gardening]")
    ('pain straight after', 'repetitions done', "activity 'gardening'")
    """
    if field.startswith("psfs[") and field.endswith("]"):
        return _("activity '{activity}'").format(activity=field[5:-1])
    if field.startswith("custom[") and field.endswith("]"):
        return field[7:-1]
    return _(FIELD_NAMES[field]) if field in FIELD_NAMES else field.replace("_", " ")


def _field(kind: str, current: Any) -> widgets.Widget:
    if kind == "text":
        w = widgets.Textarea(
            value="" if current is None else str(current),
            layout=widgets.Layout(width="360px", height="48px"),
        )
    else:
        options = [(_("(keep)"), _LEAVE), (_("not rated"), None)] + [(str(i), i) for i in range(11)]
        w = widgets.Dropdown(options=options, value=_LEAVE, layout=widgets.Layout(width="120px"))
    w.add_class("bk-fix-value")
    return w


def _count_field(current: Any) -> widgets.Text:
    """A box for a new count: empty keeps the stored value (shown greyed inside it)."""
    w = widgets.Text(
        value="",
        placeholder="" if _na(current) else f"{float(current):g}",
        layout=widgets.Layout(width="72px"),
    )
    w.add_class("bk-fix-count")
    return w


def _number(text: str) -> Any:
    """What a person typed, as a number when it reads as one; else the text (the log refuses it)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _when(ts: Any) -> str:
    return f"{config.day_text(ts, weekday=True)} {ts:%H:%M}"


def _shown(value: Any) -> str:
    """A stored value as the history shows it."""
    if _na(value):
        return _("not given")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _value(field: str, value: Any) -> str:
    """A stored value of ``field`` as the history shows it: a side or status in words."""
    words = _VALUES.get(field, {})
    return _(words[value]) if isinstance(value, str) and value in words else _shown(value)


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    head = "".join(f"<th>{ui.escape(label)}</th>" for label in columns.values())
    rows = "".join(
        "<tr>" + "".join(f"<td>{ui.escape('' if _na(v) else v)}</td>" for v in row) + "</tr>"
        for row in frame[list(columns)].itertuples(index=False)
    )
    return f"<table class='bk-fix-table'><tr>{head}</tr>{rows}</table>"


def _na(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, (list, tuple, dict)) and bool(pd.isna(value)))


def _plain(message: str) -> str:
    """A message of the log's with the stored names of fields put as a person reads them."""
    for field in sorted(FIELD_NAMES, key=len, reverse=True):
        if "_" in field:
            message = message.replace(field, _(FIELD_NAMES[field]))
    return message


def refusal(problems: list[Problem], subjects: Mapping[str, str] | None = None) -> str:
    """One plain sentence saying why a change was refused (nothing was written).

    Parameters
    ----------
    problems : list of Problem
        What the log refused (:attr:`backkit.errors.ValidationError.problems`).
    subjects : mapping, optional
        What each problem's ``where`` is to a person ("row 12" -> "Bridge"),
        so the sentence names the exercise instead of an internal id.

    Examples
    --------
    >>> from backkit.errors import Problem
    >>> from backkit.widgets.fix import refusal
    >>> refusal([Problem("session 20261206-0900-ab12cd", "reason", "", "is required: ...")])
    "Please give a reason for the change (for example 'typed 3 instead of 2')."
    >>> print(refusal([Problem("row 7", "reps_done", 200, "must be a whole number from 0 to 100")],
    ...               {"row 7": "Bridge"}))  # doctest: +NORMALIZE_WHITESPACE
    Nothing was changed: repetitions done for Bridge cannot be 200: it must be a whole
    number from 0 to 100.
    """
    subjects = subjects or {}
    parts: list[str] = []
    alone = (_(_NO_REASON), _(_GONE))  # said on their own, as a sentence
    for p in problems:
        if p.field == "reason" and p.message.startswith("is required"):
            part = alone[0]
        elif p.field in ("row_id", "session_id", "checkin_id"):
            part = alone[1]
        elif not p.field:  # not about one value (the log is closed, say)
            part = shown(p.message)
        elif p.field == "changes":
            part = _("choose a new value for at least one field")
        elif p.field == "reason":  # too long, say: the person has just typed it
            # Translators: {problem} is the log's words, e.g. "must be at most 500 characters"
            part = _("the reason {problem}").format(problem=_plain(shown(p.message)))
        else:
            subject = field_name(p.field)
            if p.where in subjects:
                # Translators: a value of one exercise, e.g. "repetitions done for 4. Bridge"
                subject = _("{field} for {exercise}").format(
                    field=subject, exercise=subjects[p.where]
                )
            if _na(p.value):
                part = f"{subject} {_plain(shown(p.message))}"
            else:
                # Translators: {problem} is the log's words, e.g. "must be a whole number ..."
                part = _("{field} cannot be {value}: it {problem}").format(
                    field=subject, value=_shown(p.value), problem=_plain(shown(p.message))
                )
        if part not in parts:
            parts.append(part)
    if len(parts) == 1 and parts[0] in alone:
        return parts[0][0].upper() + parts[0][1:] + "."
    return _("Nothing was changed: {problems}.").format(problems="; ".join(parts))


class FixEntry(widgets.VBox):
    """Pick a session or check-in; change its ratings, sets, repetitions or hold, or remove it.

    Every change needs a reason, kept with the earlier values.

    Parameters
    ----------
    log : SessionLog, path or None
        The log to correct (default: the person's own log).

    Attributes
    ----------
    fields : dict of str to widget
        The entry's ratings (and a check-in's notes) by stored field name;
        "(keep)" leaves a rating as it is.
    bout_fields : dict of int to dict of str to Text
        For a session: each exercise's ``sets_done``, ``reps_done`` and
        ``hold_s_done`` boxes by the bout's ``row_id`` (and its
        ``pain_after``, "pain straight after", when the session rated each
        exercise); an empty box keeps the stored value.

    Examples
    --------
    >>> import backkit
    >>> from backkit.widgets.fix import FixEntry
    >>> log = backkit.SessionLog(":memory:")
    >>> rows = log.record_many(
    ...     [{"exercise_id": "bridge"}, {"exercise_id": "squat"}],
    ...     session={"pain_before": 5, "pain_after": 8},
    ... )
    >>> fix = FixEntry(log)
    >>> fix.entry.value == ("session", rows[0]["session_id"])
    True
    >>> fix.fields["pain_after"].value = 3
    >>> fix.bout_fields[rows[0]["row_id"]]["reps_done"].value = "6"
    >>> fix.reason.value = "pressed 8, meant 3; stopped the bridge at 6"
    >>> fix.change_button.click()
    >>> log.session_ratings()["pain_after"].tolist()
    [3]
    >>> log.frame()[["reps_done", "status"]].values.tolist()
    [[6, 'partial'], [10, 'completed']]
    """

    def __init__(self, log: SessionLog | str | Path | None = None):
        self.session_log = ui.open_log(log)
        self.entry = widgets.Dropdown(
            # Translators: the list of saved sessions and check-ins to choose from
            description=_("Entry"),
            style={"description_width": "initial"},  # as long as the language makes it
            layout=widgets.Layout(width="100%", max_width="620px"),
        )
        self.entry.add_class("bk-fix-entry")
        self.details = ui.html("bk-fix-details")
        self.form = widgets.VBox()
        self.reason = widgets.Text(
            placeholder=_("Why? (required, kept with the earlier values)"),
            layout=widgets.Layout(width="100%", max_width="620px"),
        )
        self.reason.add_class("bk-fix-reason")
        self.change_button = ui.button(
            _("Save the change"), "bk-fix-change", _("Change the values"), "primary"
        )
        self.remove_button = ui.button(
            _("Remove this entry"),
            "bk-fix-remove",
            _("Hide it from your progress (it stays in the history)"),
            "danger",
        )
        self.message = ui.html("bk-fix-message")
        self.history = ui.html("bk-fix-history")
        self.output = widgets.Output()
        guard = ui.guard(self.output, self.message)
        self.change_button.on_click(guard(lambda _b: self._apply("change")))
        self.remove_button.on_click(guard(lambda _b: self._apply("remove")))
        self.fields: dict[str, widgets.Widget] = {}
        self.bout_fields: dict[int, dict[str, widgets.Widget]] = {}
        self._bouts: pd.DataFrame | None = None  # the shown session's bouts, as last read
        self._shared = False  # the session's ratings are its bouts' own (one exercise)
        super().__init__(
            [
                ui.style(),
                ui.html(
                    "bk-fix-title",
                    '<div class="bk-checkin-heading">'
                    + _("Fix an entry")
                    + "</div>"
                    + ui.hint(
                        _(
                            "Change or remove a session or check-in saved by mistake. Nothing is "
                            "lost: the earlier values are kept and shown below as the entry's "
                            "history."
                        )
                    ),
                ),
                self.entry,
                self.details,
                self.form,
                self.reason,
                widgets.HBox([self.change_button, self.remove_button]),
                self.message,
                self.history,
                self.output,
            ]
        )
        self.add_class("bk-root")
        self.add_class("bk-fix")
        self.entry.observe(guard(lambda _c: self._show()), names="value")
        self.refresh()

    def refresh(self) -> None:
        """List the log's sessions and check-ins again (newest first)."""
        frame = self.session_log.frame(ids=True)
        options: list[tuple[str, tuple[str, str]]] = []
        for sid, bouts in frame.groupby("session_id", sort=False, observed=True):
            names = ", ".join(dict.fromkeys(get_exercise(i).name for i in bouts["exercise_id"]))
            start = bouts["started_at"].min()
            label = _("Session {when}: {exercises}").format(when=_when(start), exercises=names)
            options.append((label, ("session", str(sid))))
        checkins = outcomes.checkins_frame(self.session_log)
        for cid, day in zip(checkins["checkin_id"], checkins["date"], strict=True):
            label = _("Check-in {day}").format(day=config.day_text(day, weekday=True))
            options.append((label, ("checkin", str(cid))))
        options.sort(key=lambda o: o[1][1], reverse=True)
        self.entry.options = options
        if options and self.entry.value is None:
            self.entry.value = options[0][1]
        self._show()

    # -- reading ------------------------------------------------------------------

    def _session_bouts(self, key: str) -> pd.DataFrame:
        frame = self.session_log.frame(ids=True)
        return frame[(frame["session_id"] == key).to_numpy()].reset_index(drop=True)

    def _current(self) -> dict[str, Any]:
        kind, key = self.entry.value
        if kind == "session":
            ratings = self.session_log.session_ratings()
            row = ratings[ratings["session_id"] == key]
            bouts = self._session_bouts(key)
            # One exercise saved by the timer: its rating is on the exercise's own rows,
            # not the session's; a change there changes every side of it.
            self._shared = row.empty and bouts["exercise_id"].nunique() == 1
            source = bouts if self._shared else row
            out: dict[str, Any] = {}
            for f in ("pain_before", "pain_after"):
                values = [int(v) for v in source[f] if not _na(v)]
                out[f] = values[0] if len(set(values)) == 1 else (values or None)
            return out
        scores = outcomes.outcomes_frame(self.session_log)
        scores = scores[scores["checkin_id"] == key]
        out = {m: None for m in ("pain_average", "pain_worst")}
        for measure, score in zip(scores["measure"], scores["score"], strict=True):
            if measure in out:
                out[measure] = int(score)
        info = outcomes.checkins_frame(self.session_log).set_index("checkin_id").loc[key]
        out["leg_pain"] = None if _na(info["leg_pain"]) else int(info["leg_pain"])
        out["notes"] = None if _na(info["notes"]) else str(info["notes"])
        return out

    # -- showing ------------------------------------------------------------------

    def _show(self) -> None:
        self.bout_fields, self._bouts = {}, None
        if self.entry.value is None:
            self.details.value = ui.hint(_("Nothing saved yet: there is nothing to fix."))
            self.form.children, self.fields = [], {}
            self.history.value = ""
            return
        kind, key = self.entry.value
        current = self._current()
        self.fields = {f: _field(k, current.get(f)) for f, _label, k in _FIELDS[kind]}
        rows: list[widgets.Widget] = []
        if kind == "session":
            rows.append(ui.html("bk-fix-part", _("<b>Pain ratings</b>")))
        for field, label, kind_ in _FIELDS[kind]:
            now = current.get(field)
            if isinstance(now, list):  # sides rated differently: a change sets every side
                shown = functools.reduce(
                    # Translators: two ratings of one session's sides, e.g. "3 and 5"
                    lambda a, b: _("{first} and {second}").format(first=a, second=b),
                    (str(v) for v in now),
                )
            else:
                shown = _("not rated") if now is None and kind_ == "rating" else (now or "")
            rows.append(
                widgets.HBox(
                    [
                        ui.html(
                            "bk-fix-label",
                            f"{ui.escape(_(label))} <span class='bk-hint'>"
                            + ui.escape(_("(now: {value})").format(value=shown))
                            + "</span>",
                            width="200px",
                        ),
                        self.fields[field],
                    ]
                )
            )
        if kind == "session":
            rows += self._bout_rows(key)
        self.form.children = rows
        self.details.value = self._details(kind)
        self.history.value = self._history(kind, key)

    def _bout_rows(self, key: str) -> list[widgets.Widget]:
        """A row of boxes per exercise done: sets, repetitions, hold (and its own rating)."""
        bouts = self._bouts = self._session_bouts(key)
        each = not self._shared and bouts["exercise_id"].nunique() > 1
        rows: list[widgets.Widget] = [
            ui.html(
                "bk-fix-part",
                _("<b>What you did</b>")
                + " "
                + ui.hint(
                    _("type a new number; a box left empty keeps what is saved (shown in it)")
                ),
            )
        ]
        for bout in _records(bouts):
            ex = get_exercise(bout.exercise_id)
            boxes = {f: _count_field(getattr(bout, f)) for f, _label, _whole in _COUNTS}
            cells = [
                widgets.VBox(
                    [ui.html("bk-fix-count-label", ui.escape(self._count_label(f, ex))), w]
                )
                for f, w in boxes.items()
            ]
            if each:
                boxes["pain_after"] = _field("rating", bout.pain_after)
                now = _("not rated") if _na(bout.pain_after) else int(bout.pain_after)
                said = _("pain straight after (now: {value})").format(value=now)
                cells.append(
                    widgets.VBox(
                        [
                            ui.html("bk-fix-count-label", said),
                            boxes["pain_after"],
                        ]
                    )
                )
            self.bout_fields[int(bout.row_id)] = boxes
            name = ui.html("bk-fix-bout", ui.escape(_bout_name(bout)), width="200px")
            rows.append(widgets.HBox([name, *cells], layout=widgets.Layout(align_items="flex-end")))
        return rows

    @staticmethod
    def _count_label(field: str, ex: Any) -> str:
        if field == "hold_s_done" and ex.kind == "paced":
            return _(_PACED_HOLD)
        return field_name(field)

    def _details(self, kind: str) -> str:
        if kind == "checkin" or self._bouts is None:
            return ""
        bouts = self._bouts.assign(
            exercise=[_bout_name(b, side=False) for b in self._bouts.itertuples(index=False)],
            side=[_value("side", s) if not _na(s) else s for s in self._bouts["side"]],
            status=[_value("status", s) if not _na(s) else s for s in self._bouts["status"]],
        )
        return _table(
            bouts,
            {
                "exercise": _("exercise"),
                "side": _("side"),
                "sets_done": _("sets done"),
                "reps_done": _("repetitions done"),
                "status": _("status"),
            },
        )

    def _history(self, kind: str, key: str) -> str:
        import pandas as pd

        if kind == "checkin":
            trail = outcomes.checkin_history(self.session_log, key).assign(subject="")
        else:
            bouts = self._bouts if self._bouts is not None else self._session_bouts(key)
            several = len(bouts) > 1
            parts = [self.session_log.session_history(key).assign(subject="")]
            for bout in _records(bouts):
                name = f"{_bout_name(bout)}: " if several else ""
                parts.append(self.session_log.history(int(bout.row_id)).assign(subject=name))
            trail = pd.concat([p for p in parts if not p.empty] or [parts[0]], ignore_index=True)
        if trail.empty:
            return _("<b>History:</b> no changes yet.")
        trail = trail.sort_values("when", kind="stable", ignore_index=True)
        fields = trail["field"]
        trail = trail.assign(
            when=[_when(t) for t in trail["when"]],
            what=[s + field_name(f) for s, f in zip(trail["subject"], fields, strict=True)],
            old=[_value(f, v) for f, v in zip(fields, trail["old"], strict=True)],
            new=[_value(f, v) for f, v in zip(fields, trail["new"], strict=True)],
            # the kit's own reason (Undo) in the person's language; theirs as they wrote it
            reason=[_(r) if r == UNDO_REASON else r for r in trail["reason"]],
        )
        table = _table(
            trail,
            {
                # Translators: the headings of an entry's history of changes
                "when": _("when"),
                "what": _("what"),
                "old": _("was"),
                "new": _("became"),
                "reason": _("why"),
            },
        )
        return _("<b>History</b>") + table

    # -- changing -----------------------------------------------------------------

    def _apply(self, action: str) -> None:
        if self.entry.value is None:
            return
        kind, key = self.entry.value
        reason = self.reason.value.strip()
        changes = {f: w.value for f, w in self.fields.items() if w.value != _LEAVE}
        if "notes" in changes:
            old = self._current().get("notes") or ""
            if changes["notes"] == old:
                del changes["notes"]
            else:
                changes["notes"] = changes["notes"] or None
        counts = self._count_changes()
        if action == "change" and not changes and not counts:
            self.message.value = ui.box(_("Choose a new value for at least one field."), "info")
            return
        try:
            # every change of one press, or none of them
            with self.session_log.store.transaction():
                done = self._write(action, kind, key, changes, counts, reason)
        except BackkitError as err:
            problems = getattr(err, "problems", None) or [Problem("", "", None, err.problem)]
            self.message.value = ui.box(ui.escape(refusal(problems, self._subjects())), "stop")
            return
        self.reason.value = ""
        self.message.value = ui.box(ui.escape(done), "ok")
        if action == "remove":
            self.entry.value = None
            self.refresh()
        else:
            self._show()

    def _count_changes(self) -> dict[int, dict[str, Any]]:
        """The new values typed or chosen for each exercise, by row id (unchanged ones left out)."""
        out: dict[int, dict[str, Any]] = {}
        if self._bouts is None:
            return out
        stored = self._bouts.set_index("row_id")
        for row_id, boxes in self.bout_fields.items():
            new: dict[str, Any] = {}
            for field, w in boxes.items():
                if isinstance(w, widgets.Text):
                    text = w.value.strip()
                    value = _number(text) if text else _LEAVE
                else:
                    value = w.value
                old = stored.at[row_id, field]
                if value != _LEAVE and (value != old if not _na(old) else value is not None):
                    new[field] = value
            if new:
                out[row_id] = new
        return out

    def _subjects(self) -> dict[str, str]:
        """Each exercise's rows as the log names them ("row 12") -> as a person does ("Bridge")."""
        if self._bouts is None:
            return {}
        return {f"row {b.row_id}": _bout_name(b) for b in self._bouts.itertuples(index=False)}

    def _write(
        self,
        action: str,
        kind: str,
        key: str,
        changes: dict[str, Any],
        counts: dict[int, dict[str, Any]],
        reason: str,
    ) -> str:
        log = self.session_log
        if kind == "checkin":
            if action == "remove":
                outcomes.remove_checkin(log, key, reason=reason)
                return _("Removed the check-in; it is kept in the history.")
            outcomes.correct_checkin(log, key, reason=reason, **changes)
            return _("Changed the check-in; the earlier values are in its history.")
        if action == "remove":
            frame = log.frame(ids=True)
            ids = [int(i) for i in frame.loc[frame["session_id"] == key, "row_id"]]
            n = log.remove(ids, reason=reason)
            return ngettext(
                "Removed the session ({n} exercise row); it is kept in the history.",
                "Removed the session ({n} exercise rows); it is kept in the history.",
                n,
            ).format(n=n)
        if changes and self._shared and self._bouts is not None:
            for row_id in self._bouts["row_id"]:
                counts.setdefault(int(row_id), {}).update(changes)
        elif changes:
            log.correct_session(key, reason=reason, **changes)
        for row_id, new in counts.items():
            log.correct(row_id, reason=reason, **new)
        return _("Changed the session; the earlier values are in its history.")


def _records(frame: pd.DataFrame) -> list[Any]:
    """The rows of ``frame`` as named tuples (``row.exercise_id``...)."""
    return list(frame.itertuples(index=False))


def _bout_name(bout: Any, *, side: bool = True) -> str:
    """An exercise of a session as the person knows it: "4. Bridge", "1. ... (left)"."""
    ex = get_exercise(bout.exercise_id)
    name = f"{ex.number}. {ex.name}"
    if side and bout.side in BODY_SIDES:
        return f"{name} ({_value('side', bout.side)})"
    return name


class UndoBar(widgets.HBox):
    """Offer "Undo" right after a timer saves: removes the rows just saved, through the audit trail.

    Examples
    --------
    >>> import backkit
    >>> from backkit.widgets.fix import UndoBar
    >>> log = backkit.SessionLog(":memory:")
    >>> bar = UndoBar(log)
    >>> bar.offer(log.record_many([{"exercise_id": "bridge"}]))
    >>> bar.undo_button.click()
    >>> len(log), bar.message.value
    (0, 'Undone: the session is removed from your log (kept in its history).')
    """

    def __init__(self, log: SessionLog, on_undone: Any = None):
        self.session_log = log
        self.rows: list[dict[str, Any]] = []
        self.on_undone = on_undone
        self.undo_button = ui.button(_("Undo"), "bk-undo", _("Remove the session just saved"))
        self.message = ui.html("bk-undo-message")
        self.output = widgets.Output()
        self.undo_button.on_click(ui.guard(self.output, self.message)(self._undo))
        super().__init__(
            [self.undo_button, self.message, self.output],
            layout=widgets.Layout(align_items="center", display="none"),
        )
        self.add_class("bk-undo-bar")

    def offer(self, rows: list[dict[str, Any]]) -> None:
        """Offer to undo ``rows`` (what a timer's Save just stored)."""
        self.rows = list(rows)
        self.undo_button.disabled = not self.rows
        self.message.value = _("Saved. Pressed Save by mistake?")
        self.layout.display = "" if self.rows else "none"

    def _undo(self, _button: Any) -> None:
        ids = [int(r["row_id"]) for r in self.rows]
        self.session_log.remove(ids, reason=UNDO_REASON)
        self.rows = []
        self.undo_button.disabled = True
        self.message.value = _(
            "Undone: the session is removed from your log (kept in its history)."
        )
        if self.on_undone is not None:
            self.on_undone()
