"""The weekly check-in widget: pain, leg pain, the PSFS, warning signs and a clinician's measure.

:class:`CheckIn` is a thin view over :mod:`backkit.outcomes`: it reads the
check-ins stored so far (to re-use the PSFS activities and show last time's
ratings beside each question), calls :func:`backkit.outcomes.record_checkin`
and :func:`backkit.outcomes.record_screening` on Save, and shows the summary
of change since baseline, what to do after a warning sign, or the reasons the
check-in was refused.

Each question is asked once: the warning-sign questions are not asked again
when they were answered today (the check-in says when, and what the answers
were, and offers to answer them again), and the screening's own below-knee
question stands for the check-in's (``checkins.below_knee`` is then stored as
not asked). The baseline does not ask about the morning after exercising.

Every rating starts empty ("not rated"): Save asks for the missing ones, or
stores them as missing (never as 0) when the person presses "Save with
skipped answers". A second check-in on one day offers to replace the first
(through the audited path, ``replace=True``). Nothing in it waits or sleeps;
it works in JupyterLab and Voila, and headless by setting its widgets'
values and calling ``save_button.click()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import config, gate, outcomes, safety
from ..errors import ValidationError, shown
from ..i18n import N_, ngettext
from ..i18n import gettext as _
from . import ui
from .screening import advice_html, questions_box

if TYPE_CHECKING:
    import pandas as pd

    from ..log import SessionLog

__all__ = ["CheckIn"]

_ROWS = 5  # activity rows offered at the first PSFS (the first 3 not marked optional)
_LABEL = "150px"  # width of the labels left of the ratings


def _last(value: Any) -> str:
    """Last time's value, shown beside a question (never as its starting value)."""
    if value is None:
        return ""
    # Translators: beside a rating: the person's rating at the last check-in
    return _("last time: {rating}").format(rating=f"{float(value):.1f}".replace(".0", ""))


def _row(*children: widgets.Widget) -> widgets.HBox:
    return widgets.HBox(list(children), layout=widgets.Layout(align_items="center"))


def _label(text: str, width: str = _LABEL) -> widgets.HTML:
    return ui.html("bk-checkin-label", text, width=width)


class CheckIn(widgets.VBox):
    """A weekly check-in: pain, leg pain, the next morning, the PSFS, warning signs.

    The first check-in is the baseline: it asks the person to name up to 5 (3 is usual)
    activities their back makes hard (the Patient-Specific Functional Scale).
    Later check-ins show the same activities with last time's rating beside
    each (not as the starting value: every rating starts "not rated"), and
    ask how the back felt the morning after exercising (the baseline does
    not: there is no exercise to ask about yet). It also asks an optional leg
    pain rating and the warning-sign questions (a yes shows what to do now
    and is stored with :func:`backkit.outcomes.record_screening`; the
    screening's below-knee question stands for the check-in's own). When the
    questions were answered today (in the app's safety check, say), they are
    not asked again: the check-in says when and what was answered, and
    offers to answer them again. Warning-sign answers are stored only when
    every question is answered, or when one is a yes (a yes is never
    dropped): a part-answered screening must not count as one for the
    safety gate (:mod:`backkit.gate`). A clinician may add a custom measure,
    e.g. the total score of a licensed questionnaire (ODI, RMDQ) with its
    scale, direction and MCID; its items are never part of backkit.

    Parameters
    ----------
    log : SessionLog, path or None
        The store (the session log's file). None opens the default log
        (:func:`backkit.config.default_log_path`), so check-ins persist.
    today : date, optional
        The date the form starts with (default: :func:`backkit.config.today`).
    signs : bool, default True
        Show the emergency signs at the top. The app passes False: its header
        shows them, once per page.

    Attributes
    ----------
    session_log : SessionLog
        Where check-ins are stored.
    saved : DataFrame or None
        The rows stored by the last successful Save.
    summary : str
        The summary line shown after saving.
    screening : dict or None
        The red-flag answers stored by the last Save.
    screened_today : dict or None
        Today's screening that the check-in does not ask again
        (``answered_at``, ``action``, ``yes``, ``cleared``), or None when it
        asks.
    asks_morning : bool
        Whether the morning-after question is asked (not at the baseline).

    Examples
    --------
    >>> import datetime, backkit
    >>> w = backkit.CheckIn(backkit.SessionLog(":memory:"), today=datetime.date(2025, 3, 3))
    >>> w.pain_average.value is None  # not rated until the person chooses
    True
    >>> w.pain_average.value, w.pain_worst.value = 6, 8
    >>> for box, rating, name, score in zip(
    ...     w.activity_names, w.activity_scores, ["sitting", "socks", "shopping"], [4, 3, 5]
    ... ):
    ...     box.value, rating.value = name, score
    >>> w.save_button.click()  # leg pain and the rest are not answered: Save asks
    >>> w.saved is None, w.skip_button.layout.display
    (True, '')
    >>> w.skip_button.click()  # "Save with skipped answers": stored as missing, never 0
    >>> print(w.summary)  # doctest: +NORMALIZE_WHITESPACE
    Baseline on 3 Mar 2025: average pain 6/10, worst pain 8/10, PSFS (mean) 4/10.
    Check in again next week to see the change.
    """

    def __init__(
        self,
        log: SessionLog | str | Path | None = None,
        *,
        today: dt.date | None = None,
        signs: bool = True,
    ):
        self.session_log = ui.open_log(log)
        self.today = today or config.today()
        self.saved: pd.DataFrame | None = None
        self.screening: dict[str, Any] | None = None
        self.screened_today: dict[str, Any] | None = None
        self.summary = ""
        self._on_saved: list[Callable[[], Any]] = []
        self._load()
        self.asks_morning = not self.first  # the baseline has no "morning after" to ask about
        self.message = ui.html("bk-checkin-message")
        self.output = widgets.Output()
        self.output.add_class("bk-checkin-errors")
        self._guard = ui.guard(self.output, self.message)
        super().__init__(
            [
                ui.style(),
                *self._build_title(signs),
                self._build_pain(),
                self._build_legs(),
                self._build_psfs(),
                self._build_screening(),
                self._build_custom(),
                *self._build_save(),
                self.message,
                self.output,
            ],
            layout=widgets.Layout(max_width="760px"),
        )
        self.add_class("bk-root")
        self.add_class("bk-checkin")

    # -- state ------------------------------------------------------------------

    def _load(self) -> None:
        import pandas as pd

        frame = outcomes.outcomes_frame(self.session_log)
        self.history = frame
        self.checkins = outcomes.checkins_frame(self.session_log)
        self.first = frame.empty
        self.activities = outcomes.psfs_activities(frame)
        self.customs = outcomes.custom_measures(frame)
        last: dict[tuple[str, str | None], float] = {}
        for measure, item, score in zip(
            frame["measure"], frame["item"], frame["score"], strict=True
        ):
            # the frame is oldest first: the latest score of each wins
            key = (str(measure), None if item is None or pd.isna(item) else str(item))
            last[key] = float(score)
        legs = self.checkins["leg_pain"].dropna()
        if len(legs):
            last[("leg_pain", None)] = float(legs.iloc[-1])
        self.last = last

    # -- layout -----------------------------------------------------------------

    def _build_title(self, signs: bool) -> list[widgets.Widget]:
        if self.first:
            subtitle = _(
                "Your first check-in is the <b>baseline</b> that later ones are compared with."
            )
        else:
            start = self.history["date"].min()
            subtitle = _("Follow-up: compared with your baseline of {day}.").format(
                day=config.day_text(start)
            )
        self.title = ui.html(
            "bk-checkin-title",
            '<div class="bk-checkin-heading">'
            + _("Weekly check-in")
            + f"</div>{ui.hint(subtitle)}",
        )
        self.date = widgets.DatePicker(
            value=self.today, description=_("Date"), style={"description_width": _LABEL}
        )
        self.date.add_class("bk-checkin-date")
        self.signs = ui.html("bk-safety", ui.emergency_html(open_=True)) if signs else None
        return (
            [self.title, self.date] if self.signs is None else [self.title, self.signs, self.date]
        )

    def _rated(self, attr: str, label: str, cls: str, key: tuple[str, str | None]) -> widgets.HBox:
        rating = ui.rating(cls)
        setattr(self, attr, rating)
        return _row(_label(label), rating, ui.html("bk-checkin-last", _last(self.last.get(key))))

    def _build_pain(self) -> widgets.VBox:
        rows = [
            self._rated(
                "pain_average",
                _("Average pain"),
                "bk-checkin-pain-average",
                (outcomes.PAIN_AVERAGE, None),
            ),
            self._rated(
                "pain_worst",
                _("Worst pain"),
                "bk-checkin-pain-worst",
                (outcomes.PAIN_WORST, None),
            ),
        ]
        question = ui.pain_question(
            "bk-checkin-pain-question", _("<b>Your back pain over the last 7 days</b>")
        )
        pain = widgets.VBox([question, *rows])
        pain.add_class("bk-checkin-pain")
        return pain

    def _build_legs(self) -> widgets.VBox:
        leg = self._rated(
            "leg_pain", _("Leg pain (optional)"), "bk-checkin-leg-pain", ("leg_pain", None)
        )
        self.next_morning = ui.choice(
            "bk-checkin-next-morning",
            [(_("Better"), "better"), (_("The same"), "same"), (_("Worse"), "worse")],
        )
        self.legs_advice = ui.html("bk-checkin-legs-advice")
        self.next_morning.observe(self._guard(self._on_legs), names="value")
        # Pain below the knee is asked once, by the warning-sign question about
        # it (here, or answered today): see _build_screening.
        morning = [_row(_label(_(safety.NEXT_MORNING_QUESTION), "300px"), self.next_morning)]
        box = widgets.VBox(
            [
                ui.html(
                    "bk-checkin-legs-question",
                    _(
                        "<b>Leg pain over the last 7 days</b>, if your back pain goes into a leg "
                        "(sciatica); leave it empty if not."
                    )
                    + f"<br>{ui.hint(_(ui.PAIN_SCALE))}",
                ),
                leg,
                *(morning if self.asks_morning else []),
                self.legs_advice,
            ],
            layout=widgets.Layout(margin="10px 0 0 0"),
        )
        box.add_class("bk-checkin-legs")
        return box

    def _build_psfs(self) -> widgets.VBox:
        low, high = outcomes.thresholds()[outcomes.PSFS]["scale"]
        from ..analysis import outcome_facts as facts

        attribution = ui.escape(" ".join(facts()["psfs"]["attribution"].split()))
        scale = _(
            "{low} = unable, {high} = able to do it as well as before your back problem"
        ).format(low=f"{low:g}", high=f"{high:g}")
        self.activity_names: list[widgets.Text] = []
        self.activity_scores: list[widgets.ToggleButtons] = []
        if self.activities:
            intro = (
                _("<b>Activities you find hard</b>: how able are you to do each one today?")
                + f"<br>{ui.hint(scale)}"
            )
            rows = [self._known_activity(name) for name in self.activities]
        else:
            later = _("{scale}. Later check-ins ask about the same activities.").format(scale=scale)
            intro = (
                _(
                    "<b>Activities you find hard</b>: name up to 5 important activities (3 is "
                    "usual) that you are unable to do, or find hard, because of your back; then "
                    "rate how able you are to do each one today."
                )
                + f"<br>{ui.hint(later)}"
            )
            rows = [self._new_activity(k) for k in range(_ROWS)]
        psfs = widgets.VBox(
            [
                ui.html("bk-checkin-psfs-question", intro),
                *rows,
                ui.html("bk-checkin-attribution", f'<span class="bk-small">{attribution}</span>'),
            ],
            layout=widgets.Layout(margin="10px 0 0 0"),
        )
        psfs.add_class("bk-checkin-psfs")
        return psfs

    def _known_activity(self, name: str) -> widgets.HBox:
        last = self.last.get((outcomes.PSFS, name))
        label = ui.html("bk-checkin-activity-name", ui.escape(name), width=_LABEL)
        score = ui.rating("bk-checkin-psfs-score")
        self.activity_scores.append(score)
        return _row(label, score, ui.html("bk-checkin-last", _last(last)))

    def _new_activity(self, k: int) -> widgets.HBox:
        name = widgets.Text(
            placeholder=(_("activity {n} (optional)") if k >= 3 else _("activity {n}")).format(
                n=k + 1
            ),
            layout=widgets.Layout(width=_LABEL),
        )
        name.add_class("bk-checkin-activity")
        score = ui.rating("bk-checkin-psfs-score")
        self.activity_names.append(name)
        self.activity_scores.append(score)
        return _row(name, score)

    def _build_screening(self) -> widgets.VBox:
        self.questions, self.red_flags = questions_box("bk-checkin-screening")
        self.screening_note = ui.html("bk-checkin-screening-note")
        self.rescreen_button = ui.button(
            _("Something has changed: answer them again"),
            "bk-checkin-rescreen",
            _("Show the warning-sign questions again and answer them now"),
            align_self="flex-start",
        )
        self.rescreen_button.on_click(self._guard(lambda _b: self._show_screening(asked=True)))
        self.screening_advice = ui.html("bk-checkin-screening-advice")
        out = widgets.VBox(
            [self.screening_note, self.rescreen_button, self.questions, self.screening_advice],
            layout=widgets.Layout(margin="10px 0 0 0"),
        )
        out.add_class("bk-checkin-warning-signs")
        self.refresh_screening()
        return out

    def _build_custom(self) -> widgets.VBox:
        self.custom_toggle = widgets.Checkbox(
            value=False,
            description=_("Add a clinician-scored measure (e.g. the ODI or RMDQ total score)"),
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.custom_toggle.add_class("bk-checkin-custom-toggle")
        wide = {"description_width": _LABEL}
        self.custom_name = widgets.Combobox(
            options=sorted(self.customs),
            placeholder=_("e.g. ODI total"),
            description=_("Measure"),
            ensure_option=False,
            style=wide,
        )
        self.custom_score = widgets.FloatText(value=0.0, description=_("Total score"), style=wide)
        self.custom_min = widgets.FloatText(value=0.0, description=_("Scale from"), style=wide)
        # Translators: the top of a measure's scale ("Scale from [0] to [100]")
        self.custom_max = widgets.FloatText(value=100.0, description=_("to"), style=wide)
        self.custom_direction = widgets.Dropdown(
            options=[(_("lower is better"), False), (_("higher is better"), True)],
            value=False,
            # Translators: the label of "lower is better" / "higher is better"
            description=_("Better when"),
            style=wide,
        )
        # no default: 10 points is right for the ODI, 5 for the RMDQ (finding 31); 0 is refused
        self.custom_mcid = widgets.FloatText(value=0.0, description=_("MCID (points)"), style=wide)
        fields = {
            "name": self.custom_name,
            "score": self.custom_score,
            "min": self.custom_min,
            "max": self.custom_max,
            "direction": self.custom_direction,
            "mcid": self.custom_mcid,
        }
        for suffix, w in fields.items():
            w.add_class(f"bk-checkin-custom-{suffix}")
        hint = ui.hint(
            _(
                "Enter the total only: backkit does not include licensed questionnaires' items. "
                "The MCID is yours to set; for reference, Ostelo et al. 2008 give 10 points for "
                "the ODI (0-100) and 5 for the RMDQ (0-24)."
            )
        )
        self.custom_box = widgets.VBox(
            [*fields.values(), ui.html("bk-checkin-custom-hint", hint)],
            layout=widgets.Layout(display="none", margin="0 0 0 20px"),
        )
        self.custom_box.add_class("bk-checkin-custom")
        self.custom_toggle.observe(self._guard(self._on_toggle), names="value")
        self.custom_name.observe(self._guard(self._on_custom_name), names="value")
        return widgets.VBox(
            [self.custom_toggle, self.custom_box], layout=widgets.Layout(margin="10px 0 0 0")
        )

    def _build_save(self) -> list[widgets.Widget]:
        self.notes = widgets.Textarea(
            placeholder=_("Notes (optional): anything that affected this week"),
            layout=widgets.Layout(width="100%", height="54px"),
        )
        self.notes.add_class("bk-checkin-notes")
        self.save_button = ui.button(
            _("Save check-in"),
            "bk-checkin-save",
            _("Check and store this check-in"),
            "primary",
            min_width="160px",
            height="38px",
        )
        self.skip_button = ui.button(
            _("Save with skipped answers"),
            "bk-checkin-skip",
            _("Store the answers given; the rest are stored as not answered (never as 0)"),
            display="none",  # offered only when an answer is missing
        )
        self.replace_button = ui.button(
            _("Replace that check-in"),
            "bk-checkin-replace",
            _(
                "Replace the check-in already saved for this day "
                "(the old one is kept in the history)"
            ),
            "warning",
            display="none",  # offered only when this day has a check-in already
        )
        self.save_button.on_click(self._guard(lambda _b: self._save()))
        self.skip_button.on_click(self._guard(lambda _b: self._save(skip=True)))
        self.replace_button.on_click(self._guard(lambda _b: self._save(skip=True, replace=True)))
        buttons = widgets.HBox([self.save_button, self.skip_button, self.replace_button])
        return [self.notes, buttons]

    # -- the warning-sign questions: asked unless answered today ---------------------

    @property
    def asks_screening(self) -> bool:
        """Whether the warning-sign questions are shown (not answered today, or asked again)."""
        return self.questions.layout.display != "none"

    def refresh_screening(self) -> None:
        """Ask the warning-sign questions again unless they were answered today.

        Answers given anywhere count (the app's safety check, a notebook's
        timer). Nothing changes after Save, or once an answer is pressed
        here: a person's answers are never hidden.
        """
        if self.saved is not None or any(w.value is not None for w in self.red_flags.values()):
            return
        self.screened_today = _screened_today(self.session_log)
        self._show_screening(asked=self.screened_today is None)

    def _show_screening(self, *, asked: bool) -> None:
        self.questions.layout.display = "" if asked else "none"
        self.rescreen_button.layout.display = "none" if asked or self.saved is not None else ""
        today = self.screened_today
        self.screening_note.value = "" if today is None else _answered_today_html(today)

    # -- behaviour ------------------------------------------------------------------

    def _on_toggle(self, change: dict[str, Any]) -> None:
        self.custom_box.layout.display = "flex" if change["new"] else "none"

    def on_saved(self, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` after each successful Save (the app refreshes its other views)."""
        self._on_saved.append(callback)

    def _on_legs(self, _change: Any) -> None:
        morning = safety.next_morning_advice(self.next_morning.value)
        self.legs_advice.value = ui.box(ui.escape(morning), "reduce") if morning else ""

    def _on_custom_name(self, change: dict[str, Any]) -> None:
        known = {outcomes.measure_key(n): d for n, d in self.customs.items()}
        definition = known.get(outcomes.measure_key(change["new"] or ""))
        fields = (self.custom_min, self.custom_max, self.custom_direction, self.custom_mcid)
        if definition is not None:
            # a measure keeps its scale, direction and MCID: show them, fixed
            self.custom_min.value = definition["min"]
            self.custom_max.value = definition["max"]
            self.custom_direction.value = definition["higher_is_better"]
            self.custom_mcid.value = definition["mcid"]
        for w in fields:
            w.disabled = definition is not None

    def checkin_values(self) -> dict[str, Any]:
        """The arguments Save passes to :func:`backkit.outcomes.record_checkin`.

        Ratings not given are None (stored as missing); PSFS activities not
        rated are left out. ``below_knee`` is None (not asked here): the
        warning-sign question about it is stored with the screening.
        """
        values: dict[str, Any] = {
            "date": self.date.value,
            "pain_average": self.pain_average.value,
            "pain_worst": self.pain_worst.value,
            "leg_pain": self.leg_pain.value,
            "next_morning": self.next_morning.value if self.asks_morning else None,
            "below_knee": None,
            "notes": self.notes.value or None,
            "baseline": self.first,
        }
        names = self.activities or [box.value.strip() for box in self.activity_names]
        rated = {
            n: r.value
            for n, r in zip(names, self.activity_scores, strict=True)
            if n and r.value is not None
        }
        values["psfs"] = rated or None  # nothing rated: no PSFS this time
        if self.custom_toggle.value:
            values["custom"] = {
                "name": self.custom_name.value,
                "score": self.custom_score.value,
                "min": self.custom_min.value,
                "max": self.custom_max.value,
                "higher_is_better": self.custom_direction.value,
                "mcid": self.custom_mcid.value,
            }
        return values

    def missing(self) -> list[str]:
        """The questions not answered yet (Save asks for them; leg pain is optional)."""
        asked = [(N_("average pain"), self.pain_average), (N_("worst pain"), self.pain_worst)]
        if self.asks_morning:
            asked.append((N_("the morning after"), self.next_morning))
        out = [_(label) for label, w in asked if w.value is None]
        names = self.activities or [box.value.strip() for box in self.activity_names]
        out += [
            _("your rating of {activity}").format(activity=repr(n))
            for n, r in zip(names, self.activity_scores, strict=True)
            if n and r.value is None
        ]
        unanswered = sum(w.value is None for w in self.red_flags.values())
        if unanswered and self.asks_screening:
            out.append(
                ngettext(
                    "{n} warning-sign question", "{n} warning-sign questions", unanswered
                ).format(n=unanswered)
            )
        return out

    def _same_day(self) -> bool:
        import pandas as pd

        day = pd.Timestamp(self.date.value) if self.date.value else None
        return day is not None and bool((self.checkins["date"] == day).any())

    def _save(self, *, skip: bool = False, replace: bool = False) -> None:
        if self.saved is not None:  # saved already (its buttons are disabled): once only
            return
        missing = self.missing()
        if missing and not skip:
            ui.offer(
                self.skip_button,
                self.message,
                _(
                    "Not answered yet: {missing}. Choose an answer, or press "
                    "<b>Save with skipped answers</b>: what you skip is stored as not answered, "
                    "never as 0."
                ).format(missing=ui.escape(", ".join(missing))),
            )
            return
        if self._same_day() and not replace:
            ui.offer(
                self.replace_button,
                self.message,
                _(
                    "You already saved a check-in on {day}. "
                    "Press <b>Replace that check-in</b> to store this one instead (the old one is "
                    "kept in the history), or change the date."
                ).format(day=config.day_text(self.date.value)),
            )
            return
        self._record(replace)

    def _record(self, replace: bool) -> None:
        answers: dict[str, bool] = {}
        if self.asks_screening:
            answers = {k: w.value for k, w in self.red_flags.items() if w.value is not None}
        action = safety.screening_action(answers)
        # A part-answered screening with no yes would count as a whole one for the
        # safety gate: it is not stored. A yes is always stored.
        screen = len(answers) == len(self.red_flags) or any(answers.values())
        try:
            with self.session_log.store.transaction():  # the check-in and its screening, or neither
                saved = outcomes.record_checkin(
                    self.session_log, **self.checkin_values(), replace=replace
                )
                if answers and screen:
                    self.screening = outcomes.record_screening(
                        self.session_log, answers, action=action
                    )
        except ValidationError as err:
            problems = "".join(
                f"<li><b>{ui.escape(p.field)}</b> = {ui.escape(repr(p.value))}: "
                f"{ui.escape(shown(p.message))}</li>"
                for p in err.problems
            )
            self.message.value = ui.box(
                _("<b>Not saved</b> (nothing was written):<ul>{problems}</ul>").format(
                    problems=problems
                ),
                "stop",
            )
            return
        self.saved = saved
        self._load()
        self.summary = outcomes.summary_line(self.history) if not self.history.empty else ""
        day = self.date.value
        unstored = (
            "<br>"
            + _(
                "Your warning-sign answers were not stored: they count only when every "
                "question is answered."
            )
            if answers and not screen
            else ""
        )
        self.message.value = ui.box(
            _("<b>Saved</b> the check-in of {day}.").format(day=config.day_text(day))
            + (f"<br>{ui.escape(self.summary)}" if self.summary else "")
            + unstored,
            "ok",
        )
        self.screening_advice.value = advice_html(action) if screen and action != "none" else ""
        for b in (self.save_button, self.skip_button, self.replace_button, self.rescreen_button):
            b.disabled = True
        self.skip_button.layout.display = self.replace_button.layout.display = "none"
        self.rescreen_button.layout.display = "none"
        self.save_button.description = _("✓ Saved")
        for callback in self._on_saved:
            callback()


def _screened_today(log: SessionLog) -> dict[str, Any] | None:
    """Today's newest screening that answered every question, or None.

    Returns ``answered_at`` (in the kit's zone), ``action`` (the advice it
    was given), ``yes`` (the ids answered yes) and ``cleared`` (whether the
    safety gate is open: any yes was seen by a clinician, as recorded).
    """
    frame = outcomes.screenings_frame(log)
    asked = {q.id for q in safety.screening_questions()}
    today = config.today()
    rows = zip(frame["answered_at"], frame["action"], frame["answers"], frame["yes"], strict=True)
    for when, action, answers, yes in reversed(list(rows)):  # newest first
        if when.date() != today:
            break
        if asked <= set(answers):
            return {
                "answered_at": when.to_pydatetime(),
                "action": str(action),
                "yes": tuple(yes),
                "cleared": gate.check(log).open,
            }
    return None


def _answered_today_html(screening: dict[str, Any]) -> str:
    """What the check-in shows instead of the questions answered today: when, and the outcome."""
    time = f"{screening['answered_at']:%H:%M}"
    if not screening["yes"]:
        return ui.box(
            _(
                "You answered the warning-sign questions today at {time}, "
                "and answered no to each one."
            ).format(time=time),
            "ok",
        )
    asked = {q.id: q.ask for q in safety.screening_questions()}
    items = "".join(f"<li>{ui.escape(asked.get(q, q))}</li>" for q in screening["yes"])
    said = ui.box(
        _(
            "You answered the warning-sign questions today at {time}, "
            "and answered yes to:<ul>{items}</ul>"
        ).format(time=time, items=items),
        "info",
    )
    if screening["cleared"]:
        return said + ui.box(
            _(
                "You have recorded that a doctor or physiotherapist has seen you about this and "
                "said you can exercise."
            ),
            "ok",
        )
    return said + advice_html(screening["action"])
