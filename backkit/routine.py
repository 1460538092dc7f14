"""The guided routine: the ordered phases of a session and a clock-driven engine.

Nothing here displays anything. :func:`build_routine` turns an exercise (its
catalogue dose, or overrides) into a :class:`Routine`: a tuple of
:class:`Phase` objects (get ready, hold or paced rep, rest between reps, switch
side, rest between sets, done) whose total duration is known before starting.
:meth:`Routine.chain` joins several routines into one session.

:class:`Engine` runs a routine against an injectable monotonic clock. It is a
small state machine (ready, running, paused, finished) that computes the
current phase, the time left and the progress, handles pause, resume, skip and
stop, and reports what was actually done per exercise and side, so that a
session stopped early is logged as partial instead of being lost. The widget in
:mod:`backkit.widgets.timer` only asks the engine what to show.

:func:`for_plan` is the one way a plan's day becomes a routine (for
:meth:`backkit.SessionTimer.for_plan` and the app alike).

Examples
--------
>>> from backkit.routine import Engine, build_routine
>>> r = build_routine("knee-to-chest", reps=2, hold_seconds=15, prepare_seconds=10)
>>> [p.label for p in r.phases[:3]]
['Get ready - left leg', 'Hold - left leg - rep 1 of 2', 'Rest - left leg']
>>> r.total_seconds
100.0
>>> t = [0.0]
>>> e = Engine(r, clock=lambda: t[0])
>>> _ = e.start()
>>> t[0] = 12.5
>>> s = e.status()
>>> s.phase.label, s.remaining
('Hold - left leg - rep 1 of 2', 12.5)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import config
from ._checks import LIMITS
from .errors import RoutineError, did_you_mean
from .exercises import BODY_SIDES, Exercise, get_exercise
from .i18n import gettext as _
from .i18n import ngettext

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from .plan import Plan, PlanItem

__all__ = [
    "MIN_REP_FRACTION",
    "PHASE_KINDS",
    "BoutPlan",
    "BoutResult",
    "Engine",
    "Phase",
    "Routine",
    "RoutineError",
    "Status",
    "build_routine",
    "counts_down",
    "exercise_heading",
    "exercise_numbers",
    "for_plan",
    "for_plan_item",
    "format_seconds",
    "hold_marks",
    "instruction_seconds",
    "opens_exercise",
    "session_title",
    "side_words",
    "spoken_cues",
]

#: Phase kinds, in the words the engine uses.
PHASE_KINDS = ("prepare", "hold", "move", "rest", "switch", "set-rest", "done")
#: Kinds during which a repetition is done (counted in the log).
REP_KINDS = ("hold", "move")
#: Kinds whose last three seconds are counted aloud (when the phase lasts long enough).
COUNTDOWN_KINDS = ("prepare", "hold")
#: A phase shorter than this is not counted down aloud (a count would fill it).
COUNTDOWN_MIN_SECONDS = 5
#: A hold at least this long also says "10 seconds left" (a mark a person can
#: follow without looking).
TEN_LEFT_MIN_SECONDS = 20
#: A hold at least this long also says "Halfway". From 20 s the two marks never
#: meet: halfway comes at least 10 s in, and at 20 s exactly, where halfway would
#: be "10 seconds left", only "10 seconds left" is said (:func:`hold_marks`).
HALFWAY_MIN_SECONDS = 20
#: Words a second a voice says the instructions at (the face asks for 0.95 of a
#: voice's normal rate of about 2.7): the get-ready that opens an exercise lasts
#: long enough to hear its instruction, then a beat, then "3, 2, 1".
SPEECH_WORDS_PER_SECOND = 2.5
#: The longest a get-ready is stretched for its instruction (seconds).
MAX_INSTRUCTION_SECONDS = 30
#: A repetition cut short by skip or stop still counts when at least this
#: fraction of it was done; a rep skipped at once does not.
MIN_REP_FRACTION = 0.5
#: Time to get into the start position before the first rep (seconds).
DEFAULT_PREPARE_SECONDS = 10
#: Shortest time given to change sides when the exercise has no rest.
MIN_SWITCH_SECONDS = 5

_OVERRIDES = (
    "sets",
    "reps",
    "hold_seconds",
    "rep_seconds",
    "rest_seconds",
    "set_rest_seconds",
    "prepare_seconds",
    "switch_seconds",
    "side_order",
)
# Words people reach for that fuzzy matching does not connect to an override.
_OVERRIDE_HINTS = {"per_side": "side_order", "side": "side_order", "sides": "side_order"}


# --------------------------------------------------------------------------
# The plan of a session


@dataclass(frozen=True)
class BoutPlan:
    """What one exercise on one side is planned to be (one row of the log)."""

    exercise_id: str
    exercise_name: str
    side: str  # 'left', 'right' or 'both'
    sets: int
    reps: int  # per set
    seconds_per_rep: float
    kind: str = "hold"  # 'hold' or 'move' (a paced rep)


@dataclass(frozen=True)
class Phase:
    """One step of a routine.

    ``set``/``rep`` are 1-based; ``rep`` is None outside repetitions.
    ``offset`` is the planned start in seconds from the start of the routine,
    and ``bout`` indexes :attr:`Routine.bouts` (None for phases between
    exercises and for ``done``).
    """

    kind: str
    seconds: float
    label: str
    exercise_id: str
    exercise_name: str
    side: str
    set: int
    sets: int
    rep: int | None
    reps: int
    bout: int | None
    offset: float = 0.0
    index: int = 0
    #: The words after "left" or "right" that name the side (the exercise's
    #: ``side_leg`` in the kit's language: "leg", "leg back"); "" for "both".
    leg: str = ""

    @property
    def is_rep(self) -> bool:
        """True for a hold or a paced repetition."""
        return self.kind in REP_KINDS

    @property
    def end(self) -> float:
        """Planned end in seconds from the start of the routine."""
        return self.offset + self.seconds


@dataclass(frozen=True)
class Routine:
    """An ordered, immutable list of phases with the bouts they belong to.

    Examples
    --------
    >>> from backkit.routine import build_routine
    >>> r = build_routine("bridge")
    >>> r.total_seconds, len(r.bouts), r.phases[-1].kind
    (363.0, 1, 'done')
    """

    phases: tuple[Phase, ...]
    bouts: tuple[BoutPlan, ...]
    title: str

    @property
    def total_seconds(self) -> float:
        """Planned duration of the whole routine in seconds."""
        return self.phases[-1].offset if self.phases else 0.0

    @property
    def exercise_ids(self) -> tuple[str, ...]:
        """The exercises of the routine, in order, each once."""
        return tuple(dict.fromkeys(b.exercise_id for b in self.bouts))

    def describe(self, *, names: bool = True) -> str:
        """The routine in one line of words (without the exercises' names: ``names=False``).

        Examples
        --------
        >>> from backkit.routine import build_routine
        >>> build_routine("knee-to-chest").describe()
        'Single knee to chest: 1 set x 2 reps per side, hold 15 s - about 1:44'
        >>> build_routine("knee-to-chest").describe(names=False)
        '1 set x 2 reps per side, hold 15 s - about 1:44'
        """
        parts = []
        for ex_id in self.exercise_ids:
            b = next(b for b in self.bouts if b.exercise_id == ex_id)
            sets = ngettext("{n} set", "{n} sets", b.sets).format(n=b.sets)
            reps = ngettext("{n} rep", "{n} reps", b.reps).format(n=b.reps)
            n = _num(b.seconds_per_rep)
            each = (
                _("hold {seconds} s") if b.kind == "hold" else _("about {seconds} s each")
            ).format(seconds=n)
            if b.side != "both":
                # Translators: a dose, e.g. "1 set x 2 reps per side, hold 15 s"
                dose = _("{sets} x {reps} per side, {each}")
            else:
                # Translators: a dose, e.g. "3 sets x 10 reps, about 3 s each"
                dose = _("{sets} x {reps}, {each}")
            dose = dose.format(sets=sets, reps=reps, each=each)
            parts.append(
                _("{exercise}: {dose}").format(exercise=b.exercise_name, dose=dose)
                if names
                else dose
            )
        # Translators: a routine's doses, then its length (m:ss)
        return _("{doses} - about {duration}").format(
            doses="; ".join(parts), duration=format_seconds(self.total_seconds)
        )

    @classmethod
    def chain(
        cls, routines: Sequence[Routine], *, rest_seconds: float = 30.0, title: str | None = None
    ) -> Routine:
        """Join routines into one session, with at least ``rest_seconds`` between them.

        The get-ready phase of each following exercise is stretched to
        ``rest_seconds`` when it is shorter, and only the last ``done`` is kept.
        The title is ``title`` when given, else :func:`session_title` of the
        exercises' names (short: never every name joined).

        Examples
        --------
        >>> from backkit.routine import Routine, build_routine
        >>> r = Routine.chain([build_routine("bridge"), build_routine("squat")])
        >>> r.exercise_ids, r.bouts[1].exercise_id, r.title
        (('bridge', 'squat'), 'squat', 'Bridge and Bodyweight squat')
        """
        if not routines:
            raise RoutineError(_("Routine.chain: 'routines' is empty; give at least one routine"))
        rest = _number("rest_seconds", rest_seconds, 0, LIMITS["rest_seconds"].hi, "chain")
        phases: list[Phase] = []
        bouts: list[BoutPlan] = []
        for n, r in enumerate(routines):
            first = r.phases[0]
            if n > 0 and rest > 0 and first.kind != "prepare":
                label = _("Get ready") + _where(first.side, first.leg)
                phases.append(
                    replace(
                        first, kind="prepare", seconds=rest, label=label, rep=None, bout=len(bouts)
                    )
                )
            for p in r.phases:
                if p.kind == "done" and n < len(routines) - 1:
                    continue
                if p.kind == "prepare" and n > 0 and p.seconds < rest:
                    p = replace(p, seconds=float(rest))
                bout = None if p.bout is None else p.bout + len(bouts)
                phases.append(replace(p, bout=bout))
            bouts.extend(r.bouts)
        names = list(dict.fromkeys(r.title for r in routines))
        # the heading ("Exercise 2 of 5: ...") lengthens each instruction: fit again
        return _fit_instructions(
            cls(_number_phases(phases), tuple(bouts), title or session_title(names))
        )


def build_routine(exercise_or_id: str | Exercise, **overrides: Any) -> Routine:
    """Build the phases of one exercise from its catalogue dose and overrides.

    Parameters
    ----------
    exercise_or_id : str or Exercise
        A catalogue id such as ``"bridge"``, or an :class:`~backkit.exercises.Exercise`.
    **overrides
        Any of ``sets``, ``reps`` (per set and side), ``hold_seconds`` (for a
        paced exercise: the length of one rep), ``rep_seconds``,
        ``rest_seconds`` (between reps), ``set_rest_seconds``,
        ``prepare_seconds``, ``switch_seconds`` and ``side_order``
        (``"left"``/``"right"`` for the first side, or a sequence such as
        ``("right", "left")``, or ``("left",)`` for one side only). None means
        the catalogue default. Whether an exercise is done per side comes from
        the catalogue only, as the session log checks sides against it.

    Returns
    -------
    Routine
        Get ready, then for each set and side the reps with rests between
        them, a switch between sides, a rest between sets, and ``done``.

    Raises
    ------
    RoutineError
        For an unknown override or a value out of range; KeyError (with a
        did-you-mean) for an unknown exercise id.

    Examples
    --------
    >>> from backkit.routine import build_routine
    >>> r = build_routine("supine-hamstring-stretch", side_order="right", hold_seconds=30)
    >>> [p.kind for p in r.phases]
    ['prepare', 'hold', 'rest', 'hold', 'switch', 'hold', 'rest', 'hold', 'done']
    >>> r.phases[1].label
    'Hold - right leg - rep 1 of 2'
    """
    ex = get_exercise(exercise_or_id)
    where = f"build_routine({ex.id!r})"
    unknown = [k for k in overrides if k not in _OVERRIDES]
    if unknown:
        name = unknown[0]
        hint = did_you_mean(name, _OVERRIDES)
        if not hint and name in _OVERRIDE_HINTS:
            hint = " " + _("Did you mean {name}?").format(name=repr(_OVERRIDE_HINTS[name]))
        raise RoutineError(
            # Translators: {hint} is empty or " Did you mean 'x'?"; the overrides are code
            _("unknown override {name}.{hint} Valid overrides: {valid}").format(
                name=repr(name), hint=hint, valid=", ".join(_OVERRIDES)
            ),
            where=where,
        )
    o = {k: v for k, v in overrides.items() if v is not None}

    def whole(name: str, default: int, lo: int, hi: int) -> int:
        value = o.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise RoutineError(
                _(
                    "{where}: override {name}: {value} must be a whole number from {lo} to {hi}"
                ).format(where=where, name=repr(name), value=repr(value), lo=lo, hi=hi)
            )
        return value

    sets = whole("sets", ex.sets, 1, int(LIMITS["sets"].hi))
    reps = whole("reps", ex.reps, 1, int(LIMITS["reps"].hi))
    if ex.kind == "hold":
        default_rep = o.get("rep_seconds", ex.hold_seconds)
        rep_s = _number(
            "hold_seconds", o.get("hold_seconds", default_rep), 0, None, where, lo_ok=False
        )
    else:
        default_rep = o.get("hold_seconds", ex.rep_seconds)
        rep_s = _number(
            "rep_seconds", o.get("rep_seconds", default_rep), 0, None, where, lo_ok=False
        )
    if rep_s > LIMITS["hold_seconds"].hi:
        raise RoutineError(
            _(
                "{where}: override 'hold_seconds': {value} is longer than the {most} s "
                "a rep may last"
            ).format(where=where, value=repr(rep_s), most=f"{LIMITS['hold_seconds'].hi:g}")
        )
    hi = LIMITS["rest_seconds"].hi
    rest = _number("rest_seconds", o.get("rest_seconds", ex.rest_seconds), 0, hi, where)
    set_rest = _number(
        "set_rest_seconds", o.get("set_rest_seconds", ex.set_rest_seconds), 0, hi, where
    )
    prepare = _number(
        "prepare_seconds", o.get("prepare_seconds", DEFAULT_PREPARE_SECONDS), 0, hi, where
    )
    switch = _number(
        "switch_seconds",
        o.get("switch_seconds", max(ex.rest_seconds, MIN_SWITCH_SECONDS)),
        0,
        hi,
        where,
    )
    sides: tuple[str, ...] = ("both",)
    if ex.per_side:
        sides = _side_order(o.get("side_order", "left"), where)
    elif "side_order" in o:
        raise RoutineError(
            _(
                "{where}: override 'side_order': {value} needs a per-side exercise; "
                "{exercise} works both sides at once"
            ).format(where=where, value=repr(o["side_order"]), exercise=ex.name)
        )
    routine = _assemble(ex, sets, reps, rep_s, rest, set_rest, prepare, switch, sides)
    # A get-ready asked for by its length is kept; the default lasts as long as the
    # instruction said in it (a session made by Routine.chain fits every exercise's).
    return routine if "prepare_seconds" in o else _fit_instructions(routine)


def _assemble(
    ex: Exercise,
    sets: int,
    reps: int,
    rep_s: float,
    rest: float,
    set_rest: float,
    prepare: float,
    switch: float,
    sides: tuple[str, ...],
) -> Routine:
    kind = "hold" if ex.kind == "hold" else "move"
    bouts = tuple(BoutPlan(ex.id, ex.name, s, sets, reps, float(rep_s), kind) for s in sides)
    phases: list[Phase] = []
    leg = _leg_words(ex)

    def add(
        kind: str,
        seconds: float,
        label: str,
        side: str,
        set_: int,
        rep: int | None,
        bout: int | None,
    ) -> None:
        if seconds > 0 or kind == "done":
            on = "" if side == "both" else leg
            phases.append(
                Phase(
                    kind, float(seconds), label, ex.id, ex.name, side, set_, sets, rep, reps, bout,
                    leg=on,
                )
            )  # fmt: skip

    def where(side: str, set_: int, rep: int | None = None) -> str:
        return _where(side, leg, rep=rep, reps=reps, set_=set_, sets=sets)

    verb = _("Hold") if kind == "hold" else _("Move")
    add("prepare", prepare, _("Get ready") + where(sides[0], 1), sides[0], 1, None, 0)
    for set_ in range(1, sets + 1):
        for n, side in enumerate(sides):
            if n > 0:
                add("switch", switch, _switch_words(side, leg, ex.side_leg), side, set_, None, n)
            for rep in range(1, reps + 1):
                add(kind, rep_s, verb + where(side, set_, rep), side, set_, rep, n)
                if rep < reps:
                    add("rest", rest, _("Rest") + where(side, set_), side, set_, None, n)
        if set_ < sets:
            # Translators: a step's label, between sets
            nxt = _("Rest between sets - next: set {set} of {sets}").format(set=set_ + 1, sets=sets)
            add("set-rest", set_rest, nxt, sides[0], set_ + 1, None, 0)
    # Translators: the last step's label: the session is over
    add("done", 0, _("Done"), sides[-1], sets, None, None)
    return Routine(_number_phases(phases), bouts, ex.name)


def _leg_words(ex: Exercise) -> str:
    """The words that name ``ex``'s side after "left"/"right", in the kit's language."""
    # The catalogue's default "leg" is written in the code, not in the data file:
    # its word is the backkit catalogue's; a side_leg of the data file comes translated.
    return _("leg") if ex.side_leg == "leg" else ex.side_leg


def side_words(side: str, leg: str = "") -> str:
    """A side named in words: ``"left leg"``, ``"right leg back"`` (``leg`` defaults to "leg").

    Examples
    --------
    >>> from backkit.routine import side_words
    >>> side_words("left"), side_words("right", "leg back"), side_words("both")
    ('left leg', 'right leg back', 'both')
    """
    leg = leg or _("leg")
    if side == "left":
        # Translators: a side, e.g. "left leg"; {leg} is the exercise's word for it
        return _("left {leg}").format(leg=leg)
    if side == "right":
        # Translators: a side, e.g. "right leg"; {leg} is the exercise's word for it
        return _("right {leg}").format(leg=leg)
    # Translators: an exercise done with both sides at once
    return _("both")


def _where(
    side: str, leg: str, *, rep: int | None = None, reps: int = 1, set_: int = 1, sets: int = 1
) -> str:
    """The parts of a step's label after its verb: " - left leg - rep 1 of 2 - set 1 of 3"."""
    bits = [] if side == "both" else [side_words(side, leg)]
    if rep is not None:
        # Translators: part of a step's label ("Hold - left leg - rep 1 of 2")
        bits.append(_("rep {rep} of {reps}").format(rep=rep, reps=reps))
    if sets > 1:
        # Translators: part of a step's label ("Rest - left leg - set 1 of 3")
        bits.append(_("set {set} of {sets}").format(set=set_, sets=sets))
    return "".join(f" - {b}" for b in bits)


def _switch_words(side: str, leg: str, side_leg: str) -> str:
    """The switch step: "Switch to the right leg", or "Switch sides: right leg back".

    Where both legs are in use (a catalogue ``side_leg`` other than "leg"),
    the catalogue says which one the side is.
    """
    # the default "leg" may reach here translated (backkit.exercises gives it in the kit's language)
    if side_leg not in ("leg", _("leg")):
        return _("Switch sides: {side}").format(side=side_words(side, leg))
    if side == "left":
        # Translators: {leg} is the exercise's word for the side ("leg")
        return _("Switch to the left {leg}").format(leg=leg)
    # Translators: {leg} is the exercise's word for the side ("leg")
    return _("Switch to the right {leg}").format(leg=leg)


def _fit_instructions(routine: Routine) -> Routine:
    """Stretch each get-ready that opens an exercise to the time its instruction takes."""
    said = spoken_cues(routine)
    openers = set(_instruction_phases(routine))
    phases = [
        replace(p, seconds=max(p.seconds, instruction_seconds(said[p.index])))
        if p.index in openers
        else p
        for p in routine.phases
    ]
    return replace(routine, phases=_number_phases(phases))


def _number_phases(phases: Iterable[Phase]) -> tuple[Phase, ...]:
    out, t = [], 0.0
    for i, p in enumerate(phases):
        out.append(replace(p, offset=t, index=i))
        t += p.seconds
    return tuple(out)


def _number(
    name: str, value: Any, lo: float, hi: float | None, where: str, *, lo_ok: bool = True
) -> float:
    bad = isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value)
    if not bad:
        bad = value < lo or (value == lo and not lo_ok) or (hi is not None and value > hi)
    if bad:
        if lo_ok and hi is not None:
            text = _(
                "{where}: override {name}: {value} must be a number of seconds from {lo} to {hi}"
            )
        elif lo_ok:
            text = _("{where}: override {name}: {value} must be a number of seconds from {lo}")
        elif hi is not None:
            text = _(
                "{where}: override {name}: {value} must be a number of seconds above {lo} to {hi}"
            )
        else:
            text = _("{where}: override {name}: {value} must be a number of seconds above {lo}")
        raise RoutineError(
            text.format(where=where, name=repr(name), value=repr(value), lo=lo, hi=hi)
        )
    return float(value)


def _side_order(value: Any, where: str) -> tuple[str, ...]:
    order = (value, *(s for s in BODY_SIDES if s != value)) if isinstance(value, str) else value
    ok = (
        isinstance(order, (tuple, list))
        and 1 <= len(order) <= 2
        and all(s in BODY_SIDES for s in order)
        and len(set(order)) == len(order)
    )
    if not ok:
        raise RoutineError(
            # Translators: 'left', 'right' and ('right', 'left') are code: keep them as they are
            _(
                "{where}: override 'side_order': {value} must be 'left', 'right' or a sequence "
                "of distinct sides such as ('right', 'left')"
            ).format(where=where, value=repr(value))
        )
    return tuple(order)


# --------------------------------------------------------------------------
# Words for a routine: titles, headings and what the timer says aloud


def session_title(names: Sequence[str]) -> str:
    """A short title for a session of the exercises ``names``.

    Examples
    --------
    >>> from backkit.routine import session_title
    >>> session_title(["Bridge"]), session_title(["Bridge", "Bodyweight squat"])
    ('Bridge', 'Bridge and Bodyweight squat')
    >>> session_title(["A", "B", "C", "D", "E", "F", "G"])
    'Session of 7 exercises'
    """
    if len(names) == 2:
        # Translators: a session's title: two exercises' names
        return _("{first} and {second}").format(first=names[0], second=names[1])
    if len(names) < 2:
        return "".join(names)
    # Translators: a session's title; {n} is 3 or more
    return _("Session of {n} exercises").format(n=len(names))


def _exercise_numbers(routine: Routine) -> list[int]:
    """For each phase, the 1-based number of the exercise it belongs to in the session."""
    numbers, block, last = [], 0, None
    for p in routine.phases:
        bout = p.bout if p.bout is not None else len(routine.bouts) - 1
        plan = routine.bouts[bout] if routine.bouts else None
        key = None if plan is None else plan.exercise_id
        # A new exercise starts where the bout's exercise changes (sides share one).
        if key != last:
            block += 1
            last = key
        numbers.append(block)
    return numbers


def exercise_heading(routine: Routine, phase: Phase) -> str:
    """Which exercise ``phase`` belongs to, as the timer names it.

    Examples
    --------
    >>> from backkit.routine import Routine, build_routine, exercise_heading
    >>> r = Routine.chain([build_routine("bridge"), build_routine("knee-to-chest")])
    >>> exercise_heading(r, r.phases[-2])
    'Exercise 2 of 2: Single knee to chest'
    >>> one = build_routine("bridge")
    >>> exercise_heading(one, one.phases[0])
    'Bridge'
    """
    count = len(dict.fromkeys(b.exercise_id for b in routine.bouts))
    if count <= 1:
        return phase.exercise_name
    number = _exercise_numbers(routine)[phase.index]
    return _("Exercise {number} of {count}: {exercise}").format(
        number=number, count=count, exercise=phase.exercise_name
    )


def _hold_cue(phase: Phase) -> str:
    """The hold's cue: "Hold", with the side and the rep when there is more than one."""
    sided, counted = phase.side != "both", phase.reps > 1
    side = side_words(phase.side, phase.leg) if sided else ""
    if sided and counted:
        # Translators: said aloud, e.g. "Hold, left leg, 2 of 3"
        text = _("Hold, {side}, {rep} of {reps}")
    elif sided:
        # Translators: said aloud, e.g. "Hold, left leg"
        text = _("Hold, {side}")
    elif counted:
        # Translators: said aloud, e.g. "Hold, 2 of 3"
        text = _("Hold, {rep} of {reps}")
    else:
        text = _("Hold")
    return text.format(side=side, rep=phase.rep, reps=phase.reps)


def _first_side(phase: Phase) -> str:
    """The sentence that says which side comes first: "Left leg first."."""
    if phase.side == "left":
        # Translators: said aloud; {leg} is the exercise's word for the side ("leg")
        return _("Left {leg} first.").format(leg=phase.leg or _("leg"))
    # Translators: said aloud; {leg} is the exercise's word for the side ("leg")
    return _("Right {leg} first.").format(leg=phase.leg or _("leg"))


def counts_down(phase: Phase) -> bool:
    """Whether the last three seconds of ``phase`` are counted aloud ("3", "2", "1")."""
    return phase.kind in COUNTDOWN_KINDS and phase.seconds >= COUNTDOWN_MIN_SECONDS


def instruction_seconds(text: str) -> float:
    """How long a get-ready must last to hear ``text``, a beat, and "3, 2, 1".

    Estimated from the number of words at :data:`SPEECH_WORDS_PER_SECOND`,
    at most :data:`MAX_INSTRUCTION_SECONDS`. The face also waits for the voice
    to finish before it counts, so a slower voice is never cut off.

    Examples
    --------
    >>> from backkit.routine import instruction_seconds
    >>> instruction_seconds("Get ready"), instruction_seconds(" ".join(["word"] * 27))
    (5.0, 15.0)
    """
    words = len(text.split())
    count = 3  # the "3, 2, 1" at the end of the get-ready
    return float(min(math.ceil(words / SPEECH_WORDS_PER_SECOND) + 1 + count,
                     MAX_INSTRUCTION_SECONDS))  # fmt: skip


def hold_marks(phase: Phase) -> dict[str, float]:
    """The marks said during a hold, as seconds into it: "Halfway" and "10 seconds left".

    Holds shorter than :data:`HALFWAY_MIN_SECONDS` and
    :data:`TEN_LEFT_MIN_SECONDS` have none; two marks never fall on the same second.

    Examples
    --------
    >>> from backkit.routine import build_routine, hold_marks
    >>> [hold_marks(build_routine("bridge", hold_seconds=s).phases[1]) for s in (15, 20, 30)]
    [{}, {'10 seconds left': 10.0}, {'Halfway': 15.0, '10 seconds left': 20.0}]
    """
    if phase.kind != "hold":
        return {}
    marks: dict[str, float] = {}
    left = phase.seconds - 10
    if phase.seconds >= HALFWAY_MIN_SECONDS and abs(phase.seconds / 2 - left) >= 1:
        # Translators: said aloud halfway through a hold
        marks[_("Halfway")] = phase.seconds / 2
    if phase.seconds >= TEN_LEFT_MIN_SECONDS:
        # Translators: said aloud 10 seconds before a hold ends
        marks[_("10 seconds left")] = left
    return marks


def _instruction_phases(routine: Routine) -> list[int]:
    """The get-ready phases that open an exercise: where its instruction is said."""
    numbers = _exercise_numbers(routine)
    return [
        p.index
        for p in routine.phases
        if p.kind == "prepare" and (p.index == 0 or numbers[p.index] != numbers[p.index - 1])
    ]


def opens_exercise(routine: Routine, phase: Phase) -> bool:
    """Whether ``phase`` is the get-ready where an exercise's instruction is said.

    Examples
    --------
    >>> from backkit.routine import Routine, build_routine, opens_exercise
    >>> r = Routine.chain([build_routine("bridge", sets=2), build_routine("squat")])
    >>> [p.index for p in r.phases if opens_exercise(r, p)], r.phases[0].kind
    ([0, 40], 'prepare')
    """
    return phase.index in _instruction_phases(routine)


def exercise_numbers(routine: Routine) -> dict[str, int]:
    """Each exercise's number in the session, as the timer says it ("Exercise 2 of 5").

    The one numbering of a session: the list of today's exercises uses it too.

    Examples
    --------
    >>> from backkit.routine import Routine, build_routine, exercise_numbers
    >>> exercise_numbers(Routine.chain([build_routine("squat"), build_routine("bridge")]))
    {'squat': 1, 'bridge': 2}
    """
    out: dict[str, int] = {}
    for p, n in zip(routine.phases, _exercise_numbers(routine), strict=True):
        if p.kind != "done":
            out.setdefault(p.exercise_id, n)
    return out


def spoken_cues(routine: Routine) -> tuple[str, ...]:
    """What the timer says when each phase begins, one text per phase.

    The first get-ready of an exercise names it and its start position (from
    the catalogue); then "Hold" with the side and the rep ("Hold, left leg,
    2 of 3"; the rep's number for a paced exercise),
    "Rest", "Switch to the right leg", the set number when a new set begins,
    and "Well done" at the end.

    Examples
    --------
    >>> from backkit.routine import Routine, build_routine, spoken_cues
    >>> r = Routine.chain([build_routine("bridge", sets=2, reps=1),
    ...                    build_routine("knee-to-chest", reps=1)])
    >>> cues = spoken_cues(r)
    >>> cues[0]
    'Exercise 1 of 2: Bridge. Lie on your back, knees bent, feet flat on the floor hip-width apart, arms by your sides.'
    >>> cues[1:4]
    ('Hold', 'Rest. Next: set 2 of 2', 'Set 2 of 2. Hold')
    >>> cues[4].split(".")[0], cues[5:]
    ('Exercise 2 of 2: Single knee to chest', ('Hold, left leg', 'Switch to the right leg', 'Hold, right leg', 'Well done'))
    """  # noqa: E501
    numbers = _exercise_numbers(routine)
    said: list[str] = []
    previous: Phase | None = None
    for p in routine.phases:
        new_exercise = previous is None or numbers[p.index] != numbers[previous.index]
        if p.kind == "prepare" and new_exercise:
            start = get_exercise(p.exercise_id).start_position
            # Translators: said aloud: the exercise's heading, then its start position
            text = _("{heading}. {start_position}").format(
                heading=exercise_heading(routine, p), start_position=start
            )
            said.append(text if p.side == "both" else f"{text} {_first_side(p)}")
        elif p.kind == "prepare":
            said.append(_("Get ready"))
        elif p.is_rep:
            # Translators: said aloud at the first repetition of a paced exercise
            paced = _("Rep {rep}").format(rep=p.rep) if p.rep == 1 else f"{p.rep}"
            word = _hold_cue(p) if p.kind == "hold" else paced
            new_set = (
                p.rep == 1
                and p.set > 1
                and previous is not None
                and (previous.kind == "set-rest" or previous.set != p.set)
            )
            # Translators: said aloud as a new set begins; {cue} is e.g. "Hold"
            text = _("Set {set} of {sets}. {cue}").format(set=p.set, sets=p.sets, cue=word)
            said.append(text if new_set else word)
        elif p.kind == "rest":
            said.append(_("Rest"))
        elif p.kind == "set-rest":
            # Translators: said aloud as the rest between sets begins
            said.append(_("Rest. Next: set {set} of {sets}").format(set=p.set, sets=p.sets))
        elif p.kind == "switch":
            said.append(p.label)
        else:
            # Translators: said aloud at the end of a session
            said.append(_("Well done"))
        previous = p
    return tuple(said)


# --------------------------------------------------------------------------
# A plan's routines


def for_plan_item(item: PlanItem, overrides: Mapping[str, Any] | None = None) -> Routine:
    """Build the routine of one plan item: the plan's dose, the catalogue's for what it leaves out.

    Parameters
    ----------
    item : PlanItem
        An exercise of a plan (``sets``, ``reps``, ``hold_seconds``; None means
        the catalogue's value).
    overrides : mapping, optional
        Overrides for :func:`build_routine`; they win over the plan's dose
        (the app's quick try shortens every exercise this way).

    Examples
    --------
    >>> from backkit.plan import PlanItem
    >>> from backkit.routine import for_plan_item
    >>> r = for_plan_item(PlanItem("squat", reps=12))
    >>> r.bouts[0].sets, r.bouts[0].reps
    (3, 12)
    """
    dose = {"sets": item.sets, "reps": item.reps, "hold_seconds": item.hold_seconds}
    return build_routine(item.exercise_id, **{**dose, **(overrides or {})})


def for_plan(
    plan: Plan,
    day: date,
    *,
    rest_seconds: float = 30.0,
    overrides: Mapping[str, Any] | None = None,
) -> Routine | None:
    """Build the session a plan prescribes for ``day``: its exercises one after another.

    The one path from a plan to a routine, used by
    :meth:`backkit.SessionTimer.for_plan` and the app.

    Parameters
    ----------
    plan : Plan
    day : date
    rest_seconds : float, default 30
        At least this long between exercises (see :meth:`Routine.chain`).
    overrides : mapping, optional
        Overrides applied to every exercise (see :func:`for_plan_item`).

    Returns
    -------
    Routine or None
        None when the plan prescribes nothing on ``day`` (a rest day, or a
        day outside the plan).

    Examples
    --------
    >>> import datetime as dt
    >>> from backkit.plan import Plan
    >>> from backkit.routine import for_plan
    >>> plan = Plan("Two", items=["bridge", "squat"], weekdays=["mon"], start=dt.date(2024, 5, 6))
    >>> for_plan(plan, dt.date(2024, 5, 6)).exercise_ids
    ('bridge', 'squat')
    >>> for_plan(plan, dt.date(2024, 5, 7)) is None
    True
    """
    items = plan.due_on(day)
    if not items:
        return None
    routines = [for_plan_item(item, overrides) for item in items]
    return Routine.chain(routines, rest_seconds=rest_seconds)


# --------------------------------------------------------------------------
# The engine


@dataclass(frozen=True)
class Status:
    """What the engine shows at one instant (all times in seconds)."""

    state: str  # 'ready', 'running', 'paused' or 'finished'
    phase: Phase
    next_phase: Phase | None
    remaining: float  # time left in the phase
    phase_elapsed: float
    phase_progress: float  # 0-1
    session_elapsed: float  # planned position in the routine (skips jump ahead)
    session_remaining: float
    session_progress: float  # 0-1
    active_seconds: float  # time run so far, pauses excluded
    completed: bool  # finished by reaching the end, not by stop
    reps_done: int = 0  # repetitions that count as done so far (MIN_REP_FRACTION)
    reps_total: int = 0  # repetitions in the routine

    @property
    def all_done(self) -> bool:
        """Finished at the end with every repetition done: the only end that earns praise."""
        return self.completed and self.reps_done == self.reps_total


@dataclass(frozen=True)
class BoutResult:
    """What was actually done of one planned bout, ready for the session log."""

    plan: BoutPlan
    reps_done_total: int
    reps_planned_total: int
    sets_done: int
    reps_done: int  # per set: reps done / sets done, rounded down
    hold_s_done: float | None  # mean actually held over the counted reps
    started_at: datetime | None
    ended_at: datetime | None
    started: bool = True  # False: an exercise the session never reached (stopped early)

    @property
    def status(self) -> str:
        """'completed' when every planned rep was done, else 'partial'."""
        return "completed" if self.reps_done_total >= self.reps_planned_total else "partial"


@dataclass
class _Run:
    start: float  # clock time the phase began (not shifted by pauses)
    end: float | None = None
    active: float = 0.0  # seconds run, pauses excluded
    skipped: bool = False


def _utcnow() -> datetime:
    return config.now()


@dataclass
class Engine:
    """Runs a :class:`Routine` against a monotonic clock; no threads, no sleeping.

    Call :meth:`update` (or :meth:`status`, which updates) whenever the
    display should refresh: the engine catches up on every phase whose
    planned end has passed, starting each next phase at the planned end of the
    one before, so late updates never make the session drift.

    Parameters
    ----------
    routine : Routine
    clock : callable, default ``time.monotonic``
        Seconds, monotonic. Tests pass a fake clock.
    wallclock : callable
        Returns the tz-aware time at :meth:`start`; used only for the log.

    Examples
    --------
    >>> from backkit.routine import Engine, build_routine
    >>> t = [100.0]
    >>> e = Engine(build_routine("bridge", sets=1, reps=2, prepare_seconds=10), clock=lambda: t[0])
    >>> [p.kind for p in e.start()]
    ['prepare']
    >>> t[0] += 10 + 5 + 1
    >>> [p.kind for p in e.update()]
    ['hold', 'rest']
    >>> e.pause(); t[0] += 60; e.resume()
    True
    True
    >>> round(e.status().remaining, 3)
    2.0
    """

    routine: Routine
    clock: Callable[[], float] = time.monotonic
    wallclock: Callable[[], datetime] = _utcnow
    state: str = field(default="ready", init=False)
    index: int = field(default=0, init=False)
    stopped_early: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self._runs: dict[int, _Run] = {}
        self._phase_start = 0.0  # shifted forward by pauses: now - this = active time
        self._paused_at: float | None = None
        self._t0: float | None = None
        self._wall0: datetime | None = None
        self._ended: float | None = None
        self._paused_total = 0.0

    # -- queries ---------------------------------------------------------

    @property
    def phase(self) -> Phase:
        """The current phase (the first one before start)."""
        return self.routine.phases[self.index]

    @property
    def start_time(self) -> float | None:
        """Clock reading at :meth:`start`, None before."""
        return self._t0

    @property
    def started_at(self) -> datetime | None:
        """Wall-clock time of :meth:`start` (tz-aware), None before."""
        return self._wall0

    @property
    def finished(self) -> bool:
        """True once the session is over: run to its end, or stopped early."""
        return self.state == "finished"

    def next_change_at(self) -> float | None:
        """Clock time the current phase ends, or None when not running."""
        if self.state != "running":
            return None
        return self._phase_start + self.phase.seconds

    def status(self, now: float | None = None) -> Status:
        """Bring the engine up to ``now`` and describe what to show."""
        now = self._now(now)
        self.update(now)
        p = self.phase
        if self.state == "ready":
            elapsed = 0.0
        elif self.state == "finished":
            run = self._runs.get(self.index)
            elapsed = p.seconds if run is None else min(run.active, p.seconds)
        else:
            until = (
                self._paused_at if self.state == "paused" and self._paused_at is not None else now
            )
            elapsed = min(max(until - self._phase_start, 0.0), p.seconds)
        total = self.routine.total_seconds
        position = (
            total if (self.state == "finished" and not self.stopped_early) else (p.offset + elapsed)
        )
        phases = self.routine.phases
        return Status(
            state=self.state,
            phase=p,
            next_phase=phases[self.index + 1] if self.index + 1 < len(phases) else None,
            remaining=p.seconds - elapsed,
            phase_elapsed=elapsed,
            phase_progress=1.0 if p.seconds == 0 else elapsed / p.seconds,
            session_elapsed=position,
            session_remaining=total - position,
            session_progress=1.0 if total == 0 else position / total,
            active_seconds=self._active(now),
            completed=self.state == "finished" and not self.stopped_early,
            reps_done=sum(
                1 for i, run in self._runs.items()
                if phases[i].is_rep and self.rep_counts(run, phases[i])
            ),
            reps_total=sum(1 for q in phases if q.is_rep),
        )  # fmt: skip

    def _active(self, now: float) -> float:
        if self._t0 is None:
            return 0.0
        end = self._ended if self._ended is not None else now
        paused = self._paused_total
        if self._paused_at is not None and self._ended is None:
            paused += now - self._paused_at
        return end - self._t0 - paused

    # -- commands ----------------------------------------------------------

    def start(self, now: float | None = None) -> list[Phase]:
        """Start the routine; returns the phases entered (for cues)."""
        if self.state != "ready":
            return []
        now = self._now(now)
        self._t0 = now
        self._wall0 = self.wallclock()
        self.state = "running"
        return self._enter(0, now)

    def pause(self, now: float | None = None) -> bool:
        """Freeze the countdown; False when there is nothing to pause."""
        now = self._now(now)
        self.update(now)
        if self.state != "running":
            return False
        self._paused_at = now
        self.state = "paused"
        return True

    def resume(self, now: float | None = None) -> bool:
        """Continue after :meth:`pause`; the paused time is added to every later deadline."""
        if self.state != "paused" or self._paused_at is None:
            return False
        now = self._now(now)
        gap = now - self._paused_at
        self._phase_start += gap
        self._paused_total += gap
        self._paused_at = None
        self.state = "running"
        return True

    def toggle(self, now: float | None = None) -> bool:
        """Pause when running, resume when paused."""
        return self.resume(now) if self.state == "paused" else self.pause(now)

    def skip(self, now: float | None = None) -> list[Phase]:
        """End the current phase now and start the next one (paused stays paused)."""
        return self._jump(+1, now)

    def back(self, now: float | None = None) -> list[Phase]:
        """Go back to the start of the previous step (paused stays paused).

        For a step pressed past by mistake: the step is done again from its
        start, and only that new run counts in :meth:`results`. At the first
        step it starts that step again.

        Examples
        --------
        >>> from backkit.routine import Engine, build_routine
        >>> t = [0.0]
        >>> e = Engine(build_routine("bridge", sets=1, reps=2), clock=lambda: t[0])
        >>> _ = e.start(); t[0] = 12; _ = e.skip()  # the first hold skipped by mistake
        >>> e.phase.kind, [p.kind for p in e.back()], e.status().remaining
        ('rest', ['hold'], 5.0)
        """
        return self._jump(-1, now)

    def _jump(self, step: int, now: float | None) -> list[Phase]:
        """End the current phase now and enter the one ``step`` away (paused stays paused)."""
        now = self._now(now)
        self.update(now)
        if self.state not in ("running", "paused"):
            return []
        paused = self.state == "paused"
        at = self._paused_at if paused and self._paused_at is not None else now
        self._close(at, skipped=True)
        if paused:
            # The next phase starts paused at zero; the time paused so far stays paused time.
            self._paused_total += now - at
            self._paused_at = now
        entered = self._enter(max(self.index + step, 0), now)
        if self.state == "finished":
            self._paused_at = None
        return entered

    def stop(self, now: float | None = None) -> bool:
        """End the session early; what was done so far stays in :meth:`results`."""
        now = self._now(now)
        self.update(now)
        if self.state not in ("running", "paused"):
            return False
        if self.state == "paused":
            self.resume(now)
        self._close(now, skipped=True)
        self.stopped_early = True
        self.state = "finished"
        self._ended = now
        return True

    def update(self, now: float | None = None) -> list[Phase]:
        """Advance through every phase whose planned end has passed; return the phases entered."""
        if self.state != "running":
            return []
        now = self._now(now)
        entered: list[Phase] = []
        while self.state == "running" and now >= self._phase_start + self.phase.seconds:
            end = self._phase_start + self.phase.seconds
            self._close(end, skipped=False)
            entered += self._enter(self.index + 1, end)
        return entered

    def _now(self, now: float | None) -> float:
        return self.clock() if now is None else now

    def _close(self, at: float, *, skipped: bool) -> None:
        run = self._runs[self.index]
        run.end = at
        run.active = min(max(at - self._phase_start, 0.0), self.phase.seconds)
        run.skipped = skipped and run.active < self.phase.seconds

    def _enter(self, index: int, at: float) -> list[Phase]:
        self.index = index
        self._phase_start = at
        self._runs[index] = _Run(start=at)
        if self.phase.kind == "done":
            self._runs[index].end = at
            self.state = "finished"
            self._ended = at
        return [self.phase]

    # -- what was done -------------------------------------------------------

    def rep_counts(self, run: _Run, phase: Phase) -> bool:
        """Whether a run of a repetition counts as done (see :data:`MIN_REP_FRACTION`)."""
        return run.end is not None and run.active >= MIN_REP_FRACTION * phase.seconds - 1e-9

    def to_wall(self, t: float) -> datetime:
        """Convert a clock time of this engine to the wall-clock time (tz-aware)."""
        if self._t0 is None or self._wall0 is None:
            raise RoutineError(_("the engine has not started"), where="Engine.to_wall")
        return self._wall0 + timedelta(seconds=t - self._t0)

    def results(self) -> list[BoutResult]:
        """What was done: one :class:`BoutResult` per bout of every exercise reached.

        Once an exercise has begun (past its get-ready phase), all its bouts
        are reported, those with nothing done too (partial, zero reps), so a
        session stopped early is logged with what was and was not done instead
        of being lost. A session stopped while getting ready for its first
        exercise logs that exercise as attempted. When the session was stopped
        early, the exercises of a chain it never reached are reported too, as
        not started (``started`` False, nothing done), so the log says they
        were skipped. Before :meth:`start` the list is empty.
        """
        if self._t0 is None:
            return []
        self.update()
        # Getting ready for the next exercise of a chain is not starting it,
        # but a session stopped before its first rep still logs the attempt.
        phases = self.routine.phases
        reached = {phases[i].bout for i in self._runs if phases[i].kind != "prepare"} - {None}
        reached = reached or {0}
        blocks = _exercise_blocks(self.routine.bouts)
        out = []
        for b in range(len(self.routine.bouts)):
            if reached & blocks[b]:
                out.append(self._result(b))
            elif self.stopped_early:
                out.append(replace(self._result(b), started=False))
        return out

    def _result(self, b: int) -> BoutResult:
        plan = self.routine.bouts[b]
        reps = [p for p in self.routine.phases if p.bout == b and p.is_rep]
        done = [(p, self._runs[p.index]) for p in reps if p.index in self._runs]
        counted = [(p, r) for p, r in done if self.rep_counts(r, p)]
        sets_done = len({p.set for p, _ in counted})
        entered = [
            self._runs[p.index]
            for p in self.routine.phases
            if p.bout == b and p.index in self._runs
        ]
        # A side never reached starts and ends when the session ended.
        fallback = self._ended if self._ended is not None else self.clock()
        started = done[0][1].start if done else (entered[0].start if entered else fallback)
        ends = [r.end for _, r in done if r.end is not None]
        ended = max(ends) if ends else (self._ended if self._ended is not None else started)
        return BoutResult(
            plan=plan,
            reps_done_total=len(counted),
            reps_planned_total=len(reps),
            sets_done=sets_done,
            reps_done=len(counted) // sets_done if sets_done else 0,
            hold_s_done=sum(r.active for _, r in counted) / len(counted) if counted else None,
            started_at=self.to_wall(started),
            ended_at=self.to_wall(ended),
        )

    def log_rows(
        self,
        *,
        pain_before: int | None = None,
        pain_after: int | None = None,
        effort: int | None = None,
        notes: str | None = None,
        session_id: str | None = None,
        plan_id: str | None = None,
        source: str = "timer",
        exercise_pain: Mapping[str, int | None] | None = None,
    ) -> list[dict[str, Any]]:
        """Rows for the session log (see the log contract), one per bout done.

        A bout that was not fully done gets status 'partial' and a note of
        exactly how many reps were done (``reps_done`` is per set, rounded down).
        ``exercise_pain`` maps an exercise id to the pain rated for that
        exercise: it becomes ``pain_after`` of that exercise's bouts. A bout
        never started gets no pain values at all (nothing is invented).
        """
        rows = []
        for r in self.results():
            before, after = pain_before, pain_after
            if exercise_pain is not None:
                after = exercise_pain.get(r.plan.exercise_id)
            if not r.started:
                before = after = None
            note = notes.strip() if notes and notes.strip() else None
            if not r.started:
                extra = "[timer: not started; the session was stopped early]"
                note = f"{note} {extra}" if note else extra
            elif r.status == "partial":
                how = "stopped early" if self.stopped_early else "reps skipped"
                extra = f"[timer: {how}; {r.reps_done_total} of {r.reps_planned_total} reps done]"
                note = f"{note} {extra}" if note else extra
            rows.append(
                {
                    "session_id": session_id,
                    "started_at": r.started_at,
                    "ended_at": r.ended_at,
                    "exercise_id": r.plan.exercise_id,
                    "side": r.plan.side,
                    "sets_planned": r.plan.sets,
                    "sets_done": r.sets_done,
                    "reps_planned": r.plan.reps,
                    "reps_done": r.reps_done,
                    "hold_s_planned": r.plan.seconds_per_rep,
                    "hold_s_done": None if r.hold_s_done is None else round(r.hold_s_done, 2),
                    "status": r.status,
                    "pain_before": before,
                    "pain_after": after,
                    "effort": effort,
                    "notes": note,
                    "plan_id": plan_id,
                    "source": source,
                }
            )
        return rows


def done_summary(results: Sequence[BoutResult], *, stopped: bool = False) -> str:
    """What a session did, in words: exercises done in full, repetitions, and what was not done.

    Examples
    --------
    >>> from backkit.routine import Engine, Routine, build_routine, done_summary
    >>> r = Routine.chain([build_routine("bridge", sets=1, reps=2), build_routine("squat", sets=1)])
    >>> t = [0.0]
    >>> e = Engine(r, clock=lambda: t[0])
    >>> _ = e.start(); t[0] = 10_000
    >>> done_summary(e.results())
    'All 2 exercises done: 12 of 12 repetitions.'
    >>> e = Engine(r, clock=lambda: t[0]); t[0] = 0; _ = e.start()
    >>> while not e.finished:
    ...     _ = e.skip()
    >>> done_summary(e.results())
    'Nothing was done: 0 of 12 repetitions (every step was skipped).'
    """
    started = [r for r in results if r.started]
    done = sum(r.reps_done_total for r in results)
    planned = sum(r.reps_planned_total for r in results)
    if done == 0:
        if stopped:
            return _(
                "Nothing was done: 0 of {planned} repetitions (stopped before one was done)."
            ).format(planned=planned)
        return _("Nothing was done: 0 of {planned} repetitions (every step was skipped).").format(
            planned=planned
        )
    names: dict[str, list[BoutResult]] = {}
    for r in results:
        names.setdefault(r.plan.exercise_name, []).append(r)
    full = [n for n, bouts in names.items() if all(b.status == "completed" for b in bouts)]
    none = [n for n, bouts in names.items() if not any(b.reps_done_total for b in bouts)]
    # Translators: part of a sentence, e.g. "Bridge done: 12 of 12 repetitions."
    reps = _("{done} of {planned} repetitions").format(done=done, planned=planned)
    # Translators: added after a summary of what a session did
    early = " " + _("Stopped early.") if stopped else ""
    if len(names) == 1:
        (name,) = names
        if full:
            return _("{exercise} done: {repetitions}.").format(exercise=name, repetitions=reps)
        return _("{exercise}: {repetitions} done.").format(exercise=name, repetitions=reps) + early
    if len(full) == len(names) and len(started) == len(results):
        return _("All {n} exercises done: {repetitions}.").format(n=len(names), repetitions=reps)
    if none:
        text = _("{full} of {n} exercises done in full, {repetitions}; not done: {names}.").format(
            full=len(full), n=len(names), repetitions=reps, names=", ".join(none)
        )
    else:
        text = _("{full} of {n} exercises done in full, {repetitions}.").format(
            full=len(full), n=len(names), repetitions=reps
        )
    return text + early


def _exercise_blocks(bouts: Sequence[BoutPlan]) -> list[set[int]]:
    """For each bout, the bouts of the same exercise block (its sides, in a chain)."""
    blocks: list[set[int]] = []
    for b, plan in enumerate(bouts):
        if b and bouts[b - 1].exercise_id == plan.exercise_id:
            blocks[-1].add(b)
            blocks.append(blocks[-1])
        else:
            blocks.append({b})
    return blocks


def format_seconds(seconds: float) -> str:
    """Format seconds as ``m:ss`` (rounded up, as a countdown shows them).

    Examples
    --------
    >>> from backkit.routine import format_seconds
    >>> format_seconds(0), format_seconds(4.2), format_seconds(65), format_seconds(3600)
    ('0:00', '0:05', '1:05', '60:00')
    """
    s = max(0, math.ceil(seconds - 1e-9))
    return f"{s // 60}:{s % 60:02d}"


def _num(x: float) -> str:
    return f"{x:g}"
