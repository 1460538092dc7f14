"""Fix an entry: change or remove a saved session or check-in, with the reason, audited.

:class:`UndoBar` is the "Undo" offered right after a timer saves (the app
and today's session): it removes the rows just saved with the reason
:data:`UNDO_REASON`, kept in the audit trail.

:class:`FixEntry` lists the sessions and check-ins in a log. Pick one, then
change its pain ratings (or a check-in's answers) or remove it, giving the
reason; the change goes through the log's audited API
(:meth:`backkit.SessionLog.correct_session`, :meth:`~backkit.SessionLog.correct`,
:meth:`~backkit.SessionLog.remove`, :func:`backkit.outcomes.correct_checkin`,
:func:`backkit.outcomes.remove_checkin`), so the earlier values are kept and
shown as the entry's history. A refused change writes nothing and says why.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import outcomes
from ..errors import BackkitError
from ..exercises import get_exercise
from . import ui

if TYPE_CHECKING:
    import pandas as pd

    from ..log import SessionLog

__all__ = ["UNDO_REASON", "FixEntry", "UndoBar"]

#: The reason stored when a person presses Undo right after saving.
UNDO_REASON = "undone right after saving"

_LEAVE = "leave"  # a field's choice meaning "do not change it"
#: Fields a person can change, by kind of entry: (field, label, kind).
_FIELDS = {
    "session": (("pain_before", "Pain before", "rating"), ("pain_after", "Pain after", "rating")),
    "checkin": (
        ("pain_average", "Average pain", "rating"),
        ("pain_worst", "Worst pain", "rating"),
        ("leg_pain", "Leg pain", "rating"),
        ("notes", "Notes", "text"),
    ),
}


def _field(kind: str, current: Any) -> widgets.Widget:
    if kind == "text":
        w = widgets.Textarea(
            value="" if current is None else str(current),
            layout=widgets.Layout(width="360px", height="48px"),
        )
    else:
        options = [("(keep)", _LEAVE), ("not rated", None)] + [(str(i), i) for i in range(11)]
        w = widgets.Dropdown(options=options, value=_LEAVE, layout=widgets.Layout(width="120px"))
    w.add_class("bk-fix-value")
    return w


def _when(ts: Any) -> str:
    return f"{ts:%a} {ts.day} {ts:%b %Y %H:%M}"


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    if frame.empty:
        return ui.hint("No changes yet.")
    head = "".join(f"<th>{ui.escape(label)}</th>" for label in columns.values())
    rows = "".join(
        "<tr>" + "".join(f"<td>{ui.escape('' if _na(v) else v)}</td>" for v in row) + "</tr>"
        for row in frame[list(columns)].itertuples(index=False)
    )
    return f"<table class='bk-fix-table'><tr>{head}</tr>{rows}</table>"


def _na(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, (list, tuple, dict)) and bool(pd.isna(value)))


class FixEntry(widgets.VBox):
    """Pick a session or check-in; change its ratings or remove it, with the reason.

    Parameters
    ----------
    log : SessionLog, path or None
        The log to correct (default: the person's own log).

    Examples
    --------
    >>> import backkit
    >>> from backkit.widgets.fix import FixEntry
    >>> log = backkit.SessionLog(":memory:")
    >>> rows = log.record_many(
    ...     [{"exercise_id": "bridge"}], session={"pain_before": 5, "pain_after": 8}
    ... )
    >>> fix = FixEntry(log)
    >>> fix.entry.value == ("session", rows[0]["session_id"])
    True
    >>> fix.fields["pain_after"].value = 3
    >>> fix.reason.value = "pressed 8, meant 3"
    >>> fix.change_button.click()
    >>> log.session_ratings()["pain_after"].tolist()
    [3]
    """

    def __init__(self, log: SessionLog | str | Path | None = None):
        self.session_log = ui.open_log(log)
        self.entry = widgets.Dropdown(
            description="Entry",
            style={"description_width": "60px"},
            layout=widgets.Layout(width="100%", max_width="620px"),
        )
        self.entry.add_class("bk-fix-entry")
        self.details = ui.html("bk-fix-details")
        self.form = widgets.VBox()
        self.reason = widgets.Text(
            placeholder="Why? (required, kept with the earlier values)",
            layout=widgets.Layout(width="100%", max_width="620px"),
        )
        self.reason.add_class("bk-fix-reason")
        self.change_button = ui.button(
            "Save the change", "bk-fix-change", "Change the values", "primary"
        )
        self.remove_button = ui.button(
            "Remove this entry",
            "bk-fix-remove",
            "Hide it from your progress (it stays in the history)",
            "danger",
        )
        self.message = ui.html("bk-fix-message")
        self.history = ui.html("bk-fix-history")
        self.output = widgets.Output()
        guard = ui.guard(self.output, self.message)
        self.change_button.on_click(guard(lambda _b: self._apply("change")))
        self.remove_button.on_click(guard(lambda _b: self._apply("remove")))
        self.fields: dict[str, widgets.Widget] = {}
        super().__init__(
            [
                ui.style(),
                ui.html(
                    "bk-fix-title",
                    '<div class="bk-checkin-heading">Fix an entry</div>'
                    + ui.hint(
                        "Change or remove a session or check-in saved by mistake. Nothing is lost: "
                        "the earlier values are kept and shown below as the entry's history."
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
            options.append((f"Session {_when(start)}: {names}", ("session", str(sid))))
        checkins = outcomes.checkins_frame(self.session_log)
        for cid, day in zip(checkins["checkin_id"], checkins["date"], strict=True):
            options.append((f"Check-in {day:%a} {day.day} {day:%b %Y}", ("checkin", str(cid))))
        options.sort(key=lambda o: o[1][1], reverse=True)
        self.entry.options = options
        if options and self.entry.value is None:
            self.entry.value = options[0][1]
        self._show()

    def _current(self) -> dict[str, Any]:
        kind, key = self.entry.value
        if kind == "session":
            ratings = self.session_log.session_ratings()
            row = ratings[ratings["session_id"] == key]
            return {
                f: (None if row.empty or _na(row[f].iloc[0]) else int(row[f].iloc[0]))
                for f in ("pain_before", "pain_after")
            }
        scores = outcomes.outcomes_frame(self.session_log)
        scores = scores[scores["checkin_id"] == key]
        out: dict[str, Any] = {m: None for m in ("pain_average", "pain_worst")}
        for measure, score in zip(scores["measure"], scores["score"], strict=True):
            if measure in out:
                out[measure] = int(score)
        info = outcomes.checkins_frame(self.session_log).set_index("checkin_id").loc[key]
        out["leg_pain"] = None if _na(info["leg_pain"]) else int(info["leg_pain"])
        out["notes"] = None if _na(info["notes"]) else str(info["notes"])
        return out

    def _show(self) -> None:
        if self.entry.value is None:
            self.details.value = ui.hint("Nothing saved yet: there is nothing to fix.")
            self.form.children, self.fields = [], {}
            self.history.value = ""
            return
        kind, key = self.entry.value
        current = self._current()
        self.fields = {f: _field(k, current.get(f)) for f, _, k in _FIELDS[kind]}
        rows = []
        for field, label, kind_ in _FIELDS[kind]:
            now = current.get(field)
            shown = "not rated" if now is None and kind_ == "rating" else (now or "")
            rows.append(
                widgets.HBox(
                    [
                        ui.html(
                            "bk-fix-label",
                            f"{ui.escape(label)} <span class='bk-hint'>(now: "
                            f"{ui.escape(shown)})</span>",
                            width="200px",
                        ),
                        self.fields[field],
                    ]
                )
            )
        self.form.children = rows
        self.details.value = self._details(kind, key)
        self.history.value = "<b>History</b>" + self._history(kind, key)

    def _details(self, kind: str, key: str) -> str:
        if kind == "checkin":
            return ""
        frame = self.session_log.frame(ids=True)
        bouts = frame[frame["session_id"] == key].copy()
        bouts["exercise"] = [get_exercise(i).name for i in bouts["exercise_id"]]
        return _table(
            bouts,
            {
                "exercise": "exercise",
                "side": "side",
                "sets_done": "sets",
                "reps_done": "reps",
                "status": "status",
            },
        )

    def _history(self, kind: str, key: str) -> str:
        import pandas as pd

        if kind == "checkin":
            trail = outcomes.checkin_history(self.session_log, key)
        else:
            frame = self.session_log.frame(ids=True)
            ids = frame.loc[frame["session_id"] == key, "row_id"].tolist()
            parts = [self.session_log.session_history(key)]
            parts += [self.session_log.history(int(i)) for i in ids]
            trail = pd.concat([p for p in parts if not p.empty] or [parts[0]], ignore_index=True)
        if not trail.empty:
            trail = trail.assign(when=[_when(t) for t in trail["when"]])
        return _table(
            trail, {"when": "when", "field": "what", "old": "was", "new": "became", "reason": "why"}
        )

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
        if action == "change" and not changes:
            self.message.value = ui.box("Choose a new value for at least one field.", "info")
            return
        try:
            done = self._write(action, kind, key, changes, reason)
        except BackkitError as err:
            self.message.value = ui.box(
                f"<b>Not changed</b> (nothing was written): {ui.escape(err)}", "stop"
            )
            return
        self.reason.value = ""
        self.message.value = ui.box(ui.escape(done), "ok")
        if action == "remove":
            self.entry.value = None
            self.refresh()
        else:
            self._show()

    def _write(self, action: str, kind: str, key: str, changes: dict[str, Any], reason: str) -> str:
        log = self.session_log
        if kind == "checkin":
            if action == "remove":
                outcomes.remove_checkin(log, key, reason=reason)
                return "Removed the check-in; it is kept in the history."
            outcomes.correct_checkin(log, key, reason=reason, **changes)
            return "Changed the check-in; the earlier values are in its history."
        if action == "remove":
            frame = log.frame(ids=True)
            ids = [int(i) for i in frame.loc[frame["session_id"] == key, "row_id"]]
            n = log.remove(ids, reason=reason)
            return f"Removed the session ({n} exercise rows); it is kept in the history."
        log.correct_session(key, reason=reason, **changes)
        return "Changed the session's ratings; the earlier values are in its history."


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
        self.undo_button = ui.button("Undo", "bk-undo", "Remove the session just saved")
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
        self.message.value = "Saved. Pressed Save by mistake?"
        self.layout.display = "" if self.rows else "none"

    def _undo(self, _button: Any) -> None:
        ids = [int(r["row_id"]) for r in self.rows]
        self.session_log.remove(ids, reason=UNDO_REASON)
        self.rows = []
        self.undo_button.disabled = True
        self.message.value = "Undone: the session is removed from your log (kept in its history)."
        if self.on_undone is not None:
            self.on_undone()
