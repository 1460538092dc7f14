"""The timer's face: an anywidget that keeps the time in the browser, and the forms around it.

:class:`TimerFace` is an ``anywidget.AnyWidget``: Python sends the whole
routine once (:func:`face_payload`: phases, durations, names, sides, what is
said at each step, theme-following pose drawings: one still pose per phase,
and while getting ready the start pose fading into the end pose, or with
reduced motion asked for, both at once, the end one faint) and the ES module
``timer.js`` beside this file counts down against deadlines on the page's own
clock, speaks the cues (``speechSynthesis``, beeps made with Web Audio when
there is no voice), holds a screen wake lock while the session runs, offers a
full-screen floor view with keyboard control, and appends what the person
does (start, pause, resume, skip, stop) and what happens (each phase entered,
the end) to the synced, append-only ``events`` list. A busy kernel therefore
never freezes the countdown, and a reloaded page replays ``events`` to show
the running session where it is. The page also keeps a copy of ``events`` in
the browser's storage while the session is unsaved: after a new kernel or a
closed tab, a timer of the same log, plan and routine offers "Resume" (where
it stopped, paused) or "Save what you did", and leaving the page while a
session runs asks first.

The voice never cuts an exercise's instruction short: the get-ready that
opens an exercise lasts long enough to hear it
(:func:`backkit.routine.instruction_seconds`), and the page holds every
other cue until the voice has finished it (a cue whose moment has passed is
dropped).

:class:`TimerView` puts the face between the questions asked before and after
a session (pain ratings that start "not rated", notes, Save). It keeps no
time and saves nothing: :class:`backkit.widgets.timer.SessionTimer` replays
the events into an :class:`~backkit.routine.Engine` and writes the log.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import anywidget
import ipywidgets as widgets
import traitlets

from .. import safety
from ..exercises import get_exercise
from ..i18n import N_, locale_name, ngettext
from ..i18n import gettext as _
from ..routine import (
    MIN_REP_FRACTION,
    Phase,
    Routine,
    Status,
    counts_down,
    exercise_heading,
    format_seconds,
    hold_marks,
    opens_exercise,
    side_words,
    spoken_cues,
)
from . import sound, ui

if TYPE_CHECKING:
    from ..safety import PainAdvice

__all__ = [
    "ACTIONS",
    "PHASE_COLOURS",
    "SOUND_MODES",
    "Press",
    "TimerFace",
    "TimerView",
    "counters",
    "face_payload",
    "face_words",
    "next_text",
    "phase_text",
    "pose_svg",
    "session_text",
]

#: What a person can press on the face (and ``save`` below it).
ACTIONS = ("start", "pause", "skip", "back", "stop", "save")
#: Phase colours (ColorBrewer, dark enough for white text: >= 4.5:1), for the
#: phase badge and the bars; the text itself uses the theme's colours.
PHASE_COLOURS = {
    "prepare": "#a84f05",
    "hold": "#1a7335",
    "move": "#1a7335",
    "rest": "#2166ac",
    "set-rest": "#2166ac",
    "switch": "#762a83",
    "done": "#4d4d4d",
}
#: The face's sound settings: spoken cues, beeps only, or silence.
SOUND_MODES = ("voice", "beeps", "off")
_HERE = Path(__file__).parent
#: The words heading the advice after a session, by its level (backkit.safety.PainAdvice).
_LEVELS = {
    # Translators: heads the advice after a session whose pain went above the limit
    "stop": N_("Stop"),
    # Translators: heads the advice after a session whose pain rose within the limit
    "reduce": N_("Reduce"),
}

# The pose drawing's colours become theme variables (see timer.css), so the
# figure follows the light and dark themes on a transparent background.
_POSE_VARS = {
    "#333333": "var(--bk-pose-near)",
    "#b3b3b3": "var(--bk-pose-far)",
    "#555555": "var(--bk-pose-floor)",
    "#efefef": "var(--bk-pose-ground)",
    "#c5d9e8": "var(--bk-pose-mat)",
    "#ffffff": "var(--bk-pose-edge)",
    "#e4e4e4": "var(--bk-pose-ghost)",
}


# --------------------------------------------------------------------------
# Words shown for a status (pure; the browser shows the same words)


def phase_text(s: Status) -> str:
    """The line naming what to do now.

    Examples
    --------
    >>> from backkit.routine import Engine, build_routine
    >>> from backkit.widgets.timer_view import phase_text
    >>> phase_text(Engine(build_routine("bridge", sets=1)).status())
    'Press Start when you are ready'
    """
    p = s.phase
    if s.state == "ready":
        return _("Press Start when you are ready")
    if s.state == "finished":
        if not s.completed:
            return _("Stopped during: {step}").format(step=p.label)
        return finished_text(s.reps_done, s.reps_total)
    if s.state == "paused":
        return _("{step} (paused)").format(step=p.label)
    return p.label


def finished_text(done: int, total: int) -> str:
    """The end of a session run to its end: praise only when every repetition was done.

    Examples
    --------
    >>> from backkit.widgets.timer_view import finished_text
    >>> finished_text(6, 6), finished_text(4, 6), finished_text(0, 6)
    ('Done - well done!', 'Finished: 4 of 6 repetitions done', 'Finished: nothing was done')
    """
    if done >= total:
        return _("Done - well done!")
    if done == 0:
        return _("Finished: nothing was done")
    return _("Finished: {done} of {total} repetitions done").format(done=done, total=total)


def _next_label(nxt: Phase | None) -> str:
    if nxt is None:
        return ""
    if nxt.kind == "done":
        # Translators: what comes next: the end of the session
        return _("Next: done")
    # Translators: {duration} is m:ss
    return _("Next: {step} ({duration})").format(
        step=nxt.label, duration=format_seconds(nxt.seconds)
    )


def next_text(s: Status) -> str:
    """The line saying what comes next."""
    if s.state == "ready":
        # Translators: the first step, before starting; {duration} is m:ss
        return _("First: {step} ({duration})").format(
            step=s.phase.label, duration=format_seconds(s.phase.seconds)
        )
    if s.state == "finished":
        return _("Next: tell us how your back feels, then save")
    return _next_label(s.next_phase)


def session_text(s: Status, total: float) -> str:
    """Where the session is: time done (rounded down) and left (rounded up) add up.

    Examples
    --------
    >>> from backkit.routine import Engine, build_routine
    >>> from backkit.widgets.timer_view import session_text
    >>> r = build_routine("bridge", sets=1, reps=2, hold_seconds=5, prepare_seconds=1)
    >>> t = [0.0]
    >>> e = Engine(r, clock=lambda: t[0])
    >>> _ = e.start(); t[0] = 2.5
    >>> session_text(e.status(), r.total_seconds)
    'Session 0:02 of 0:14 - 0:12 left'
    >>> _ = e.stop()
    >>> session_text(e.status(), r.total_seconds)
    'Stopped after 0:02 of 0:14'
    """
    done = int(s.session_elapsed + 1e-9)
    if s.state == "finished":
        if s.completed:
            # Translators: {total} is the session's length, m:ss
            return _("Session done: {total}").format(total=format_seconds(total))
        return _("Stopped after {done} of {total}").format(
            done=format_seconds(done), total=format_seconds(total)
        )
    # Translators: times in m:ss
    return _("Session {done} of {total} - {left} left").format(
        done=format_seconds(done), total=format_seconds(total), left=format_seconds(total - done)
    )


def counters(routine: Routine, p: Phase) -> list[list[str]]:
    """Set, rep and side of phase ``p``: three ``[name, value]`` pairs."""
    if p.kind == "done" and p.index > 0:
        # The end: show the last set and side as finished.
        p = routine.phases[p.index - 1]
        done = p.reps
    elif p.rep is not None:
        done = p.rep
    else:
        # Between reps: how many of this side's reps in this set are behind.
        done = sum(
            1 for q in routine.phases[: p.index] if q.is_rep and q.bout == p.bout and q.set == p.set
        )
    # the counter names the leg itself: "leg back" would not fit its box
    side = side_words(p.side)
    # Translators: a counter's value, e.g. "2 of 3" (sets, reps)
    of = _("{n} of {total}")
    return [
        # Translators: a counter's name: which set of the exercise this is
        [_("Set"), of.format(n=p.set, total=p.sets)],
        # Translators: a counter's name: which repetition of the set this is
        [_("Rep"), of.format(n=done, total=p.reps)],
        # Translators: a counter's name: which side of the body is worked
        [_("Side"), side],
    ]


def _dose_line(routine: Routine) -> str:
    if len(routine.exercise_ids) == 1:
        # One exercise: its name is the title already.
        return routine.describe(names=False)
    n = len(routine.exercise_ids)
    # Translators: {n} is 2 or more; {duration} is m:ss
    return _("{n} exercises, one after another - about {duration}").format(
        n=n, duration=format_seconds(routine.total_seconds)
    )


# --------------------------------------------------------------------------
# The face's own words (timer.js)


@functools.lru_cache(maxsize=1)
def _face_messages() -> tuple[tuple[str, str | None], ...]:
    """The messages ``timer.js`` marks (``_("...")``, ``ngettext(...)``): (singular, plural).

    Read from the script itself, with the extractor ``pybabel extract`` uses
    for it (``babel.cfg``), so the words sent are exactly the script's.
    """
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_javascript

    keywords = {k: DEFAULT_KEYWORDS[k] for k in ("_", "gettext", "ngettext")}
    found: dict[tuple[str, str | None], None] = {}
    with open(_HERE / "timer.js", "rb") as f:
        for _line, _func, message, _comments in extract_javascript(f, keywords, (), {}):
            if isinstance(message, str):
                found[(message, None)] = None
            else:  # ngettext: (singular, plural, None for the count)
                singular, plural = str(message[0]), str(message[1])
                found[(singular, plural)] = None
    return tuple(found)


def face_words() -> dict[str, str | list[str]]:
    """The words of ``timer.js`` in the kit's language, for the face (``TimerFace.words``).

    Each message the script marks maps to its translation; a plural message
    maps to its two forms (one, more), as the catalogue's rule for English and
    Portuguese is ``n != 1``. English sends nothing: the script's own words are
    English.

    Examples
    --------
    >>> from backkit.widgets.timer_view import face_words
    >>> face_words()
    {}
    """
    words: dict[str, str | list[str]] = {}
    for singular, plural in _face_messages():
        if plural is None:
            said = _(singular)
            if said != singular:
                words[singular] = said
        else:
            forms = [ngettext(singular, plural, 1), ngettext(singular, plural, 2)]
            if forms != [singular, plural]:
                words[singular] = forms
    return words


# --------------------------------------------------------------------------
# Pose drawings that follow the theme


@functools.lru_cache(maxsize=64)
def pose_svg(exercise_id: str, pose: str) -> str:
    """A key pose as inline SVG on a transparent background, coloured by theme variables.

    Examples
    --------
    >>> from backkit.widgets.timer_view import pose_svg
    >>> svg = pose_svg("bridge", "end")
    >>> svg.startswith("<svg") and "var(--bk-pose-near)" in svg and "#333333" not in svg
    True
    """
    from matplotlib.figure import Figure

    from ..poses import draw, lookup

    ex, ps = lookup.exercise_poses(exercise_id)
    x0, x1, y0, y1 = draw.frame_bounds(ps)
    fig = Figure(figsize=(x1 - x0, y1 - y0))
    draw.draw_pose(ex, pose, ax=fig.add_axes((0, 0, 1, 1)))
    buf = io.StringIO()
    fig.savefig(buf, format="svg", transparent=True, metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'width="[^"]*pt" height="[^"]*pt"', 'class="bk-pose-svg"', svg, count=1)
    for colour, var in _POSE_VARS.items():
        svg = svg.replace(colour, var)
    return svg


def _pose_key(p: Phase) -> str | None:
    from .. import poses

    ex = get_exercise(p.exercise_id) if p.exercise_id else None
    if ex is None or not isinstance(ex.poses, poses.PoseSet):
        return None
    return f"{ex.id}/{poses.phase_pose(ex, p.kind)}"


def _demo_keys(p: Phase) -> list[str] | None:
    """The two poses shown moving during get-ready phase ``p`` (None otherwise).

    The page fades between the two drawings, so a person on the floor sees
    what they are about to do; holds, reps and rests keep one still pose. The
    demo is the first movement: the start pose and the one after it. For most
    exercises that is the end pose; where the catalogue teaches a step between
    (one knee, then the other), a fade from start to end would show both at
    once, which is not what is taught.
    """
    from .. import poses

    if p.kind != "prepare":
        return None
    ex = get_exercise(p.exercise_id) if p.exercise_id else None
    if ex is None or not isinstance(ex.poses, poses.PoseSet):
        return None
    names = poses.pose_names(ex)
    if len(names) < 2 or poses.phase_pose(ex, "prepare") != names[0]:
        return None
    return [f"{ex.id}/{names[0]}", f"{ex.id}/{names[1]}"]


def cautions_payload(routine: Routine, conditions: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Each exercise's cautions and common mistakes, as the face shows them beside the timer.

    The one place the timer's cautions are chosen: ``mine`` holds the
    cautions that apply to the person's personal-check ``conditions``
    (:mod:`backkit.conditions`), shown first and highlighted; ``everyone``
    the cautions for everyone, shown under them; ``others`` the cautions for
    conditions the person did not report, and ``mistakes`` the common
    mistakes, folded.

    Examples
    --------
    >>> from backkit.routine import build_routine
    >>> from backkit.widgets.timer_view import cautions_payload
    >>> r = build_routine("knee-to-chest")
    >>> shown = cautions_payload(r)["knee-to-chest"]
    >>> shown["mine"], shown["everyone"], len(shown["others"]) > 1, shown["name"]
    ([], ['Stop if leg symptoms get worse.'], True, 'Single knee to chest')
    >>> [c[:26] for c in cautions_payload(r, frozenset({"osteoporosis"}))["knee-to-chest"]["mine"]]
    ['Avoid with osteoporosis (r']
    """
    out: dict[str, Any] = {}
    for ex_id in dict.fromkeys(routine.exercise_ids):
        ex = get_exercise(ex_id)
        mine = set(ex.cautions_for(conditions))
        tagged = zip(ex.cautions, ex.caution_conditions, strict=True)
        for_all = {c for c, tags in tagged if not tags}
        out[ex_id] = {
            "name": ex.name,
            "mine": [c for c in ex.cautions if c in mine],
            "everyone": [c for c in ex.cautions if c in for_all],
            "others": [c for c in ex.cautions if c not in mine and c not in for_all],
            "mistakes": list(ex.mistakes),
            # the one thing to check while doing it, shown big in the floor view
            "feel": ex.feel,
        }
    return out


def journal_key(log_path: str | Path | None, plan_id: str | None, routine: Routine) -> str:
    """The browser-storage key prefix of a session's copy: log, plan and routine, hashed.

    Only a page showing the same routine for the same log and plan finds the
    copy; nothing in the key says who the person is or what the log holds.
    Empty for a log kept in memory (nothing to come back to).

    Examples
    --------
    >>> from backkit.routine import build_routine
    >>> from backkit.widgets.timer_view import journal_key
    >>> r = build_routine("bridge")
    >>> key = journal_key("/tmp/log.sqlite", "plan-1", r)
    >>> key.startswith("backkit.session/"), key == journal_key("/tmp/log.sqlite", "plan-1", r)
    (True, True)
    >>> key == journal_key("/tmp/other.sqlite", "plan-1", r), journal_key(":memory:", None, r)
    (False, '')
    """
    import hashlib
    import json

    if log_path is None or str(log_path) == ":memory:":
        return ""
    where = str(Path(log_path).expanduser().resolve())
    steps = [[p.kind, p.seconds, p.exercise_id, p.side] for p in routine.phases]
    # the log and plan, then the routine: a page can also find a session of
    # another routine of the same log and plan (the app then shows that routine)
    mine = hashlib.sha256(json.dumps([where, plan_id]).encode()).hexdigest()
    what = hashlib.sha256(json.dumps(steps).encode()).hexdigest()
    return f"backkit.session/{mine[:20]}/{what[:16]}"


def face_payload(routine: Routine, conditions: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Everything the browser needs to run ``routine``, sent once.

    ``conditions`` are the person's personal-check tags: the cautions that
    apply to them are shown first (:func:`cautions_payload`).

    Examples
    --------
    >>> from backkit.routine import build_routine
    >>> from backkit.widgets.timer_view import face_payload
    >>> data = face_payload(build_routine("bridge", sets=1, reps=1, hold_seconds=5))
    >>> [p["kind"] for p in data["phases"]], data["phases"][1]["say"], data["total"]
    (['prepare', 'hold', 'done'], 'Hold', 17.0)
    >>> sorted(data["poses"])
    ['bridge/end', 'bridge/start']
    >>> [p["demo"] for p in data["phases"]]
    [['bridge/start', 'bridge/end'], None, None]
    """
    said = spoken_cues(routine)
    phases, poses = [], {}
    for p in routine.phases:
        key, demo = _pose_key(p), _demo_keys(p)
        # each drawing is sent once; phases name theirs by key
        for k in [key] if demo is None else [key, *demo]:
            if k is not None and k not in poses:
                ex_id, pose = k.split("/")
                poses[k] = pose_svg(ex_id, pose)
        nxt = routine.phases[p.index + 1] if p.index + 1 < len(routine.phases) else None
        phases.append(
            {
                "kind": p.kind,
                "seconds": p.seconds,
                "offset": p.offset,
                "label": p.label,
                "heading": exercise_heading(routine, p),
                "say": said[p.index],
                "countdown": counts_down(p),
                "next": _next_label(nxt),
                "counters": counters(routine, p),
                "colour": PHASE_COLOURS.get(p.kind, "#4d4d4d"),
                "pose": key,
                # get-ready only: [start, end] pose keys, shown fading one into the other
                "demo": demo,
                "exercise": p.exercise_id,
                "rep": p.is_rep,
                # said during a long hold: "Halfway", "10 seconds left" (routine.hold_marks)
                "marks": [[text, at] for text, at in hold_marks(p).items()],
                # the exercise's instruction: the face lets nothing cut it short
                "instruction": opens_exercise(routine, p),
            }
        )
    emergency = safety.rules()["emergency"]
    return {
        "title": routine.title,
        "dose": _dose_line(routine),
        "total": routine.total_seconds,
        "phases": phases,
        "poses": poses,
        "tones": {k: list(v) for k, v in sound.TONES.items()},
        "count_tone": sound.COUNT_TONE,
        "emergency": {"title": emergency["title"], "signs": list(emergency["signs"])},
        "cautions": cautions_payload(routine, conditions),
        "min_rep": MIN_REP_FRACTION,
    }


# --------------------------------------------------------------------------
# The face (anywidget)


class TimerFace(anywidget.AnyWidget):
    """The countdown, cues, wake lock and floor view, running in the browser.

    Traits
    ------
    routine : dict
        :func:`face_payload` of the routine (sent once).
    events : list of dict
        Append-only: ``{"n", "action", "at"}`` with ``action`` one of start,
        pause, resume, skip, back, stop (what the person did), phase, end
        (what the browser saw) or save (the person asked to save a session a
        closed page left, see ``journal``), ``at`` in seconds since the
        epoch. The browser and Python only ever append; the whole list is the
        session's state.
    sound : str
        One of :data:`SOUND_MODES`; the browser remembers the choice
        (``localStorage``) for the next session.
    journal : dict
        ``{"key": ...}``: where the page keeps a copy of ``events`` in the
        browser's storage while a session is unsaved (:func:`journal_key`:
        the log, the plan and the routine, never a name or a rating). A new
        page of the same log, plan and routine offers to resume it or save
        what was done. Empty: no copy (a log in memory).
        ``journal["choice"]``, when given, is kept with the copy: what the page
        around the timer chose to show (the app's "Do now" value).
        ``journal["copy"]``: Python's copy of an unsaved session of this key
        (:mod:`backkit.journal`), offered beside the browser's own (the newer
        wins); ``journal["other"]``: Python's last one of another routine of
        this log and plan (as ``elsewhere``). The page sets
        ``journal["dropped"]`` to a session's start time when the person
        discards it, and Python removes its copy too.
    settled : bool
        True once the session is saved or thrown away: the page drops its copy.
    elsewhere : dict
        Set by the page when it finds no copy of this routine but one of
        another routine of the same log and plan: ``{"choice", "title"}``
        (the app then shows that choice, whose timer offers it).
    words : dict
        The face's own words (those ``timer.js`` marks) in the kit's
        language (:func:`face_words`); empty in English.
    lang : str
        The kit's language tag (``en-GB``, ``pt-BR``, ``pt-PT``): the voice
        that speaks the cues must speak it, else the face beeps.
    """

    _esm = _HERE / "timer.js"
    _css = _HERE / "timer.css"
    routine = traitlets.Dict().tag(sync=True)
    events: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    sound = traitlets.Unicode("voice").tag(sync=True)
    journal = traitlets.Dict().tag(sync=True)
    settled = traitlets.Bool(False).tag(sync=True)
    elsewhere = traitlets.Dict().tag(sync=True)
    words = traitlets.Dict().tag(sync=True)
    lang = traitlets.Unicode("en-GB").tag(sync=True)

    @traitlets.validate("sound")
    def _check_sound(self, proposal: dict[str, Any]) -> str:
        return proposal["value"] if proposal["value"] in SOUND_MODES else "voice"

    def append(self, action: str, at: float, **extra: Any) -> None:
        """Append one event (as the browser does); observers of ``events`` run."""
        event = {"n": len(self.events), "action": action, "at": at, **extra}
        self.events = [*self.events, event]


class Press:
    """A button of the face, pressed from Python: ``view.start_button.click()``.

    The face's buttons live in the browser; this stands in for one in
    headless use and tests, and reads as the browser's button does.
    """

    _WORDS: ClassVar[dict[str, str]] = {
        "start": N_("▶ Start"),
        "pause": N_("❚❚ Pause"),
        "skip": N_("» Skip"),
        "back": N_("« Back"),
        "stop": N_("■ Stop"),
    }

    def __init__(self, view: TimerView, action: str):
        self._view = view
        self.action = action

    @property
    def disabled(self) -> bool:
        """Whether it is greyed out: Start once started, the others unless running or paused."""
        state = self._view.state
        return state != "ready" if self.action == "start" else state not in ("running", "paused")

    @property
    def description(self) -> str:
        """The button's words (Pause reads "Resume" while paused)."""
        if self.action == "pause" and self._view.state == "paused":
            return _("▶ Resume")
        return _(self._WORDS[self.action])

    def click(self) -> None:
        """Press the button (nothing happens while it is disabled, as in the page)."""
        if not self.disabled:
            self._view.fire(self.action)


# --------------------------------------------------------------------------
# The view


class TimerView(widgets.VBox):
    """The face with the questions before and after a session.

    Parameters
    ----------
    routine : Routine
    sound : str, default "voice"
        The face's starting sound setting (the browser's remembered choice wins).
    first_session : bool, default False
        Open the emergency signs before the session (shown folded otherwise).
    conditions : frozenset of str, optional
        The person's personal-check tags (:mod:`backkit.conditions`): the
        cautions that apply to them are shown first, highlighted.
    signs : bool, default True
        Show the emergency signs above the face (False on a page that shows them).

    Examples
    --------
    >>> from backkit.routine import Engine, build_routine
    >>> from backkit.widgets.timer_view import TimerView
    >>> r = build_routine("bridge", sets=1, reps=1, hold_seconds=5)
    >>> view = TimerView(r)
    >>> view.draw(Engine(r).status())
    >>> view.phase_text, view.countdown_text, view.start_button.disabled
    ('Press Start when you are ready', '0:12', False)
    >>> view.pain_before.value is None
    True
    """

    def __init__(
        self,
        routine: Routine,
        *,
        sound: str = "voice",
        first_session: bool = False,
        conditions: frozenset[str] = frozenset(),
        signs: bool = True,
    ):
        self.routine = routine
        self.state = "ready"
        self.phase_text = ""
        self.countdown_text = ""
        self._listeners: dict[str, list[Callable[[], Any]]] = {a: [] for a in ACTIONS}
        self.face = TimerFace(
            routine=face_payload(routine, conditions),
            sound=sound,
            words=face_words(),
            lang=locale_name().replace("_", "-"),
        )
        self.face.add_class("bk-face-widget")
        self.start_button, self.pause_button = Press(self, "start"), Press(self, "pause")
        self.skip_button, self.stop_button = Press(self, "skip"), Press(self, "stop")
        self.back_button = Press(self, "back")
        self.output = widgets.Output()
        self.output.add_class("bk-errors")
        self.title = ui.html(
            "bk-title",
            f'<div class="bk-timer-title">{ui.escape(routine.title)}</div>'
            f'<div class="bk-timer-dose">{ui.escape(_dose_line(routine))}</div>',
        )
        self.safety_box = ui.html("bk-safety", ui.emergency_html(open_=first_session))
        super().__init__(
            [
                ui.style(),
                self.title,
                *([self.safety_box] if signs else []),
                self._build_before(),
                self.face,
                self._build_after(),
                self.message,
                self.output,
            ],
            layout=widgets.Layout(max_width="640px", overflow="visible"),
        )
        self.add_class("bk-root")
        self.add_class("bk-timer")

    def personalise(self, conditions: frozenset[str]) -> None:
        """Show first the cautions that apply to ``conditions`` (answered after the view)."""
        payload = dict(self.face.routine)
        payload["cautions"] = cautions_payload(self.routine, conditions)
        ui.set_if_changed(self.face, "routine", payload)

    @property
    def cautions(self) -> dict[str, Any]:
        """What the face shows beside each exercise (:func:`cautions_payload`)."""
        return dict(self.face.routine["cautions"])

    def _build_before(self) -> widgets.VBox:
        self.pain_before = ui.rating("bk-pain-before")
        self.rate_each = widgets.Checkbox(
            value=False, description=_("Rate each exercise afterwards"), indent=False
        )
        self.rate_each.add_class("bk-rate-each")
        self.before_box = widgets.VBox(
            [
                ui.pain_question(
                    "bk-pain-before-question",
                    _("<b>Before you start:</b> how much does your back hurt right now?"),
                ),
                self.pain_before,
                self.rate_each,
            ],
            layout=widgets.Layout(margin="4px 0 8px 0", overflow="visible"),
        )
        self.before_box.add_class("bk-before")
        return self.before_box

    def _build_after(self) -> widgets.VBox:
        self.pain_after = ui.rating("bk-pain-after")
        self.exercise_pain = {
            ex_id: ui.rating("bk-pain-exercise") for ex_id in self.routine.exercise_ids
        }
        rows = []
        for ex_id, w in self.exercise_pain.items():
            rows.append(ui.html("bk-pain-exercise-question", ui.escape(get_exercise(ex_id).name)))
            rows.append(w)
        self.exercise_box = widgets.VBox(
            [
                ui.html(
                    "bk-pain-each",
                    _("<b>How much did your back hurt straight after each exercise?</b>"),
                ),
                *rows,
            ],
            layout=widgets.Layout(display="none", overflow="visible"),
        )
        self.notes = widgets.Textarea(
            placeholder=_("Notes (optional): how it went, what you felt"),
            layout=widgets.Layout(width="100%", height="60px"),
        )
        self.notes.add_class("bk-notes")
        self.save_button = ui.button(_("Save to log"), "bk-save", _("Save this session"), "primary")
        self.skip_rating_button = ui.button(
            _("Save without rating"), "bk-save-unrated",
            _("Save with the missing ratings stored as not rated (never as 0)"),
        )  # fmt: skip
        self.skip_rating_button.layout.display = "none"
        self.message = ui.html("bk-message")
        self.after_box = widgets.VBox(
            [
                ui.pain_question(
                    "bk-pain-after-question", _("<b>How much does your back hurt now?</b>")
                ),
                self.pain_after,
                self.exercise_box,
                self.notes,
                widgets.HBox([self.save_button, self.skip_rating_button]),
            ],
            layout=widgets.Layout(margin="10px 0 0 0", display="none", overflow="visible"),
        )
        self.after_box.add_class("bk-after")
        return self.after_box

    # -- what a person does -----------------------------------------------------

    @property
    def sound(self) -> str:
        """The face's sound setting: 'voice', 'beeps' or 'off'."""
        return self.face.sound

    def on(self, action: str, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` when the person presses ``action`` (one of :data:`ACTIONS`).

        An error in the callback is shown in the view, not lost.
        """
        guarded = ui.guard(self.output)(lambda *_: callback())
        if action == "save":
            self.save_button.on_click(guarded)
        else:
            self._listeners[action].append(guarded)

    def fire(self, action: str) -> None:
        """Run the listeners of ``action`` (what a press of the face's button does)."""
        for callback in self._listeners[action]:
            callback()

    # -- drawing ------------------------------------------------------------------

    def draw(self, s: Status) -> None:
        """Note status ``s`` (the face draws itself) and show the questions that fit it."""
        set_ = ui.set_if_changed
        self.state = s.state
        self.phase_text = phase_text(s)
        self.countdown_text = format_seconds(0.0 if s.state == "finished" else s.remaining)
        set_(self.before_box.layout, "display", "" if s.state == "ready" else "none")
        set_(self.safety_box.layout, "display", "" if s.state == "ready" else "none")
        set_(self.after_box.layout, "display", "" if s.state == "finished" else "none")
        each = s.state == "finished" and self.rate_each.value
        set_(self.exercise_box.layout, "display", "" if each else "none")

    def ask_ratings(self, missing: list[str]) -> None:
        """Ask for the missing ratings, offering to save them as not rated."""
        ui.offer(
            self.skip_rating_button,
            self.message,
            _(
                "Not rated yet: {missing}. Choose a number from 0 (no pain) to 10, or press "
                "<b>Save without rating</b>: the missing ratings are stored as not rated, "
                "never as 0."
            ).format(missing=ui.escape(", ".join(missing))),
        )

    def show_saved(self, text: str, advice: PainAdvice | None = None) -> None:
        """Say the session was saved (``text``), with the kit's pain advice when there is some."""
        for b in (self.save_button, self.skip_rating_button):
            b.disabled = True
        self.save_button.description = _("✓ Saved")
        self.skip_rating_button.layout.display = "none"
        html = ui.box(ui.escape(text), "ok")
        if advice is not None:
            level = _(_LEVELS[advice.level]) if advice.level in _LEVELS else advice.level.title()
            html += ui.box(
                _("<b>{level}:</b> {advice}").format(
                    level=ui.escape(level), advice=ui.escape(advice.message)
                ),
                advice.level,
            )
        self.message.value = html

    def reopen_save(self) -> None:
        """Make Save work again (the saved session was undone): the ratings can be corrected."""
        self.save_button.disabled = False
        self.save_button.description = _("Save to log")
        self.skip_rating_button.disabled = False
        self.message.value = ui.box(
            _(
                "Undone: nothing of this session is in your log now. Correct the answers above "
                "if you like, and press Save to log again."
            ),
            "info",
        )

    def show_refused(self, reason: str) -> None:
        """Say the session was not saved and why; Save stays enabled."""
        self.message.value = ui.box(
            _("Not saved: {reason}").format(reason=ui.escape(reason)), "stop"
        )

    def show_error(self, err: BaseException) -> None:
        """Show an unexpected error's traceback."""
        ui.show_error(self.output, err)
