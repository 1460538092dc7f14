"""Exercise plans: a clinician's prescription, saved as a small YAML file.

A :class:`Plan` says which exercises to do, at what dose (sets, reps and hold,
each defaulting to the catalogue's), how often (a number of days a week, or
named weekdays) and from when to when. ``plan.save("my_plan.yaml")`` writes a
short, commented file a clinician can send to a patient;
``Plan.load("my_plan.yaml")`` reads it back and validates every field, naming
the file, the field and the value when something is wrong.

Examples
--------
>>> import datetime as dt
>>> from backkit.plan import Plan, PlanItem
>>> plan = Plan("Back basics", author="J. Physio", start=dt.date(2024, 5, 6),
...             items=[PlanItem("bridge", reps=8), "knee-to-chest"], weekdays=("mon", "thu"))
>>> plan.id, [item.exercise_id for item in plan.due_on(dt.date(2024, 5, 9))]
('back-basics', ['bridge', 'knee-to-chest'])
>>> plan.dose("bridge")
(3, 8, 5)
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import exercises as _exercises
from ._checks import EARLIEST, LIMITS, one_line, parse_date, slug
from ._yaml import read_yaml
from .config import today
from .errors import BackkitError, PlanError, UnknownExerciseError, did_you_mean, shown
from .i18n import N_, ngettext
from .i18n import gettext as _
from .store import write_atomically

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["STRENGTH_DAYS", "WEEKDAYS", "Plan", "PlanError", "PlanItem", "strength_days"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Where the kit puts strength work (``strength: true`` in the catalogue) when
#: a plan does not fix non-consecutive days for it: 3 days, each a day apart.
STRENGTH_DAYS = ("mon", "wed", "fri")
_FULL_NAMES = {
    name: short
    for short, name in zip(
        WEEKDAYS,
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        strict=True,
    )
}
# The catalogue's typo-catching limits apply to prescriptions too.
_MAX_SETS = int(LIMITS["sets"].hi)
_MAX_REPS = int(LIMITS["reps"].hi)
_MAX_HOLD = LIMITS["hold_seconds"].hi
_MAX_REP_SECONDS = LIMITS["rep_seconds"].hi
_MAX_TEXT = int(LIMITS["text"].hi)
_FIRST_DAY = EARLIEST.date()
_LAST_DAY = dt.date(2199, 12, 31)
#: The name of :meth:`Plan.default`, translated where the plan is made.
DEFAULT_NAME = N_("The article's seven exercises")
_FILE_KEYS = ("name", "author", "start", "end", "days_per_week", "weekdays", "notes", "exercises")
_ITEM_KEYS = ("id", "sets", "reps", "hold_seconds", "weekdays")


def _fail(where: str, name: str, value: Any, problem: str) -> PlanError:
    # Translators: {problem} is one of the plan's problems below ("must be ...", "is ...")
    text = _("field {name}: {value} {problem}")
    return PlanError(text.format(name=repr(name), value=repr(value), problem=problem), where=where)


def _whole(where: str, name: str, value: Any, lo: int, hi: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _fail(where, name, value, _("must be a whole number from {lo} to {hi}").format(
            lo=lo, hi=hi))  # fmt: skip
    return value


def _day(where: str, name: str, value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        day = parse_date(value)
    except BackkitError as err:
        raise _fail(where, name, value, shown(err.problem)) from None
    # pandas counts days only up to 2262; earlier than 2000 is a mistyped year
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise _fail(
            where,
            name,
            str(value),
            _("is not between {first} and {last}; check the year").format(
                first=_FIRST_DAY, last=_LAST_DAY
            ),
        )
    return day


@dataclass(frozen=True)
class PlanItem:
    """One exercise of a plan and its dose; ``None`` means the catalogue's default.

    ``hold_seconds`` is the hold of a hold exercise, or the length of one
    paced repetition (the squat), as in the log's ``hold_s_planned``.
    ``weekdays`` gives the exercise days of its own (strength work on 2-3
    non-consecutive days while stretches are daily); ``None`` follows the
    plan's days.

    Examples
    --------
    >>> from backkit.plan import PlanItem
    >>> PlanItem("bridge", sets=2)
    PlanItem(exercise_id='bridge', sets=2, reps=None, hold_seconds=None, weekdays=None)
    >>> PlanItem("squat", weekdays=["Friday", "mon"]).weekdays
    ('mon', 'fri')
    """

    exercise_id: str
    sets: int | None = None
    reps: int | None = None
    hold_seconds: float | None = None
    weekdays: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        where = f"PlanItem({self.exercise_id!r})"
        ids = _exercises.exercise_ids()
        if not isinstance(self.exercise_id, str) or self.exercise_id.strip() not in ids:
            unknown = UnknownExerciseError(self.exercise_id, ids)
            raise PlanError(
                _("field {name}: {problem}").format(
                    name="'exercise_id'", problem=shown(unknown.problem)
                ),
                where=where,
            )
        object.__setattr__(self, "exercise_id", self.exercise_id.strip())
        _whole(where, "sets", self.sets, 1, _MAX_SETS)
        _whole(where, "reps", self.reps, 1, _MAX_REPS)
        if self.hold_seconds is not None:
            paced = _exercises.get_exercise(self.exercise_id).kind == "paced"
            hi = _MAX_REP_SECONDS if paced else _MAX_HOLD
            value = self.hold_seconds
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not 0 < value <= hi
            ):
                problem = (
                    _("must be seconds per repetition above 0, at most {most}")
                    if paced
                    else _("must be seconds above 0, at most {most}")
                )
                raise _fail(where, "hold_seconds", value, problem.format(most=hi))
        if self.weekdays is not None:
            object.__setattr__(self, "weekdays", _weekdays(where, self.weekdays))

    def on(self, day: dt.date) -> bool:
        """Whether this item's own days include ``day`` (always, with no days of its own)."""
        return self.weekdays is None or WEEKDAYS[day.weekday()] in self.weekdays


def _kit_items(ids: Iterable[str]) -> tuple[PlanItem, ...]:
    """Items of a plan the kit writes: strength work on :data:`STRENGTH_DAYS`, the rest daily."""
    return tuple(
        PlanItem(i, weekdays=STRENGTH_DAYS if _exercises.get_exercise(i).strength else None)
        for i in ids
    )


@dataclass(frozen=True)
class Plan:
    """A prescription: which exercises, at what dose, how often, from when to when.

    Parameters
    ----------
    name : str
        A short title; the plan's ``id`` is its slug (``"Back basics"`` ->
        ``"back-basics"``), stored in the log's ``plan_id``.
    author : str
        Who prescribed it.
    items : sequence of PlanItem, exercise ids or mappings
        The exercises, in the order to do them; each at most once.
    start, end : date or 'YYYY-MM-DD'
        First and last day (both included). ``start`` defaults to today,
        ``end`` to open-ended.
    days_per_week : int, optional
        How many days a week (1-7), on any days. Give this or ``weekdays``;
        with neither the plan is daily.
    weekdays : sequence of str, optional
        The days to exercise, e.g. ``("mon", "wed", "fri")``.
    notes : str
        Instructions for the patient.

    Raises
    ------
    PlanError
        For any invalid field, naming it and its value.

    Examples
    --------
    >>> import datetime as dt
    >>> from backkit.plan import Plan
    >>> plan = Plan("Stretch three times a week", items=["supine-hamstring-stretch"],
    ...             days_per_week=3, start=dt.date(2024, 5, 6))
    >>> plan.prescribed(dt.date(2024, 5, 6), dt.date(2024, 5, 19))["prescribed"].tolist()
    [3.0, 3.0]
    """

    name: str
    author: str = ""
    items: tuple[PlanItem, ...] = ()
    start: dt.date = None  # type: ignore[assignment]  # None -> today, set in __post_init__
    end: dt.date | None = None
    days_per_week: int | None = None
    weekdays: tuple[str, ...] | None = None
    notes: str = ""
    id: str = field(init=False)

    def __post_init__(self) -> None:
        self._check("Plan")

    def _check(self, where: str) -> None:
        put = object.__setattr__
        for name, limit in (("name", 100), ("author", 200), ("notes", _MAX_TEXT)):
            value = getattr(self, name)
            value = "" if value is None and name != "name" else value
            if not isinstance(value, str) or len(value.strip()) > limit:
                raise _fail(where, name, value, _("must be text of at most {limit} characters")
                            .format(limit=limit))  # fmt: skip
            problem = one_line(value.strip()) if name != "notes" else None
            if problem:
                raise _fail(where, name, value, problem)
            put(self, name, value.strip())
        if not slug(self.name):
            raise _fail(where, "name", self.name, _("must contain letters or digits"))
        put(self, "id", slug(self.name))

        raw_items: Any = self.items  # as given: a sequence, or one item, id or mapping
        if isinstance(raw_items, (str, PlanItem, Mapping)) or not isinstance(raw_items, Iterable):
            raw_items = [raw_items]
        items = tuple(_to_item(raw, where, i) for i, raw in enumerate(raw_items))
        if not items:
            raise _fail(where, "items", list(items), _("must list at least one exercise"))
        ids = [item.exercise_id for item in items]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise _fail(where, "items", twice, _("appear more than once; list each exercise once"))
        put(self, "items", items)
        self._check_item_days(where)

        start = _day(where, "start", self.start) or today()
        end = _day(where, "end", self.end)
        if end is not None and end < start:
            raise _fail(
                where,
                "end",
                end.isoformat(),
                _("is before start ({start})").format(start=start.isoformat()),
            )
        put(self, "start", start)
        put(self, "end", end)

        if self.days_per_week is not None and self.weekdays is not None:
            raise _fail(
                where,
                "weekdays",
                self.weekdays,
                _("and days_per_week ({days}) are both given; give one of them").format(
                    days=self.days_per_week
                ),
            )
        put(self, "days_per_week", _whole(where, "days_per_week", self.days_per_week, 1, 7))
        if self.weekdays is not None:
            put(self, "weekdays", _weekdays(where, self.weekdays))
        elif self.days_per_week is None:
            put(self, "days_per_week", 7)

    def _check_item_days(self, where: str) -> None:
        """An item's own days must be days the plan has (with plan weekdays)."""
        plan_days = self.weekdays
        if plan_days is None:
            return
        plan_days = _weekdays(where, plan_days)
        for item in self.items:
            extra = [d for d in item.weekdays or () if d not in plan_days]
            if extra:
                raise _fail(
                    where,
                    f"{item.exercise_id}.weekdays",
                    list(item.weekdays or ()),
                    _("include {extra}, not among the plan's weekdays ({days})").format(
                        extra=", ".join(extra), days=", ".join(plan_days)
                    ),
                )

    # -- what the plan asks for ---------------------------------------------

    def due_on(self, day: dt.date | str) -> tuple[PlanItem, ...]:
        """Return the items to do on ``day``: empty outside the plan or on a rest day.

        With ``days_per_week`` and no weekdays, every day of the plan is a
        possible day, so every day returns the items. An item with days of its
        own (``PlanItem.weekdays``) is due on those days only.

        Examples
        --------
        >>> import datetime as dt
        >>> from backkit.plan import Plan
        >>> plan = Plan("Bridges", items=["bridge"], weekdays=["mon"], start=dt.date(2024, 5, 6))
        >>> len(plan.due_on("2024-05-13")), len(plan.due_on("2024-05-14"))
        (1, 0)
        """
        when = _day("due_on", "day", day)
        assert when is not None
        if when < self.start or (self.end is not None and when > self.end):
            return ()
        if self.weekdays is not None and WEEKDAYS[when.weekday()] not in self.weekdays:
            return ()
        return tuple(item for item in self.items if item.on(when))

    def dose(self, exercise_id: str) -> tuple[int, int, float]:
        """Return ``(sets, reps, hold_seconds)`` for an exercise of the plan.

        Values the plan leaves out come from the catalogue; for a paced
        exercise ``hold_seconds`` is the length of one repetition.

        Raises
        ------
        PlanError
            When the exercise is not in the plan.

        Examples
        --------
        >>> from backkit.plan import Plan, PlanItem
        >>> Plan("Squats", items=[PlanItem("squat", reps=12)]).dose("squat")
        (3, 12, 4)
        """
        for item in self.items:
            if item.exercise_id == exercise_id:
                ex = _exercises.get_exercise(exercise_id)
                return (
                    item.sets if item.sets is not None else ex.sets,
                    item.reps if item.reps is not None else ex.reps,
                    item.hold_seconds if item.hold_seconds is not None else ex.seconds_per_rep,
                )
        raise PlanError(
            _("exercise {exercise} is not in this plan; its exercises: {exercises}").format(
                exercise=repr(exercise_id),
                exercises=", ".join(item.exercise_id for item in self.items),
            ),
            where=_("plan {name}").format(name=repr(self.name)),
        )

    def dose_text(self, exercise_id: str) -> str:
        """The dose of an exercise of the plan in words, as the calendar and FHIR give it.

        Examples
        --------
        >>> from backkit.plan import Plan, PlanItem
        >>> plan = Plan("P", items=[PlanItem("bridge", sets=1), PlanItem("squat")])
        >>> plan.dose_text("bridge"), plan.dose_text("squat")
        ('1 set of 10, hold 5 s', '3 sets of 10, 4 s per repetition')
        """
        ex = _exercises.get_exercise(exercise_id)
        sets, reps, seconds = self.dose(exercise_id)
        if ex.kind == "hold" and ex.per_side:
            words = ngettext(
                "{sets} set of {reps}, hold {seconds} s, each side",
                "{sets} sets of {reps}, hold {seconds} s, each side",
                sets,
            )
        elif ex.kind == "hold":
            words = ngettext(
                "{sets} set of {reps}, hold {seconds} s",
                "{sets} sets of {reps}, hold {seconds} s",
                sets,
            )
        elif ex.per_side:
            words = ngettext(
                "{sets} set of {reps}, {seconds} s per repetition, each side",
                "{sets} sets of {reps}, {seconds} s per repetition, each side",
                sets,
            )
        else:
            words = ngettext(
                "{sets} set of {reps}, {seconds} s per repetition",
                "{sets} sets of {reps}, {seconds} s per repetition",
                sets,
            )
        return words.format(sets=sets, reps=reps, seconds=seconds_text(seconds))

    def prescribed(
        self,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        freq: str = "W",
    ) -> pd.DataFrame:
        """Return the sessions prescribed per period and exercise between two days.

        A *session* of an exercise is one day on which it is done at the
        plan's dose. With weekdays, each planned day in the period is one
        session. With ``days_per_week`` = k, a period prescribes k sessions
        per seven days of the plan it covers (k / 7 per day), so a full week
        gives exactly k and a week the plan starts on a Thursday gives 4k / 7.
        An item with days of its own (``PlanItem.weekdays``) prescribes one
        session on each of them. Only days within both ``[start, end]`` and
        the plan's own dates count.

        Parameters
        ----------
        start, end : date or 'YYYY-MM-DD', optional
            The days to cover, both included; default the plan's start, and
            its end (or today for an open-ended plan).
        freq : str
            A pandas period frequency: ``"D"`` (days), ``"W"`` (weeks, Monday
            to Sunday), ``"M"`` (calendar months).

        Returns
        -------
        DataFrame
            One row per period and plan exercise, periods in order and
            exercises in plan order: ``period`` (pandas Period), ``exercise_id``
            (categorical over the catalogue ids), ``prescribed`` (float:
            sessions), ``sets``, ``reps``, ``hold_seconds`` (the dose).

        Examples
        --------
        >>> import datetime as dt
        >>> from backkit.plan import Plan
        >>> plan = Plan("MWF", items=["bridge", "squat"], weekdays=["mon", "wed", "fri"],
        ...             start=dt.date(2024, 5, 1))
        >>> t = plan.prescribed("2024-05-01", "2024-05-12")
        >>> t[["exercise_id", "prescribed"]].assign(period=t["period"].astype(str))
          exercise_id  prescribed                 period
        0      bridge         2.0  2024-04-29/2024-05-05
        1       squat         2.0  2024-04-29/2024-05-05
        2      bridge         3.0  2024-05-06/2024-05-12
        3       squat         3.0  2024-05-06/2024-05-12
        """
        import numpy as np
        import pandas as pd

        first = _day("prescribed", "start", start) or self.start
        last = _day("prescribed", "end", end) or self.end or today()
        if last < first:
            raise _fail(
                "prescribed", "end", last.isoformat(), _("is before start ({start})").format(
                    start=first)
            )  # fmt: skip
        days = pd.date_range(first, last, freq="D")
        try:
            periods = days.to_period(freq)
        except (ValueError, TypeError):
            raise _fail(
                "prescribed", "freq", freq, _("is not a period frequency; use 'D', 'W' or 'M'")
            ) from None
        in_plan = days >= pd.Timestamp(self.start)
        if self.end is not None:
            in_plan &= days <= pd.Timestamp(self.end)

        def sessions(weekdays: tuple[str, ...] | None, scale: float) -> pd.Series:
            due = in_plan
            if weekdays is not None:
                due = in_plan & np.isin(days.day_of_week, [WEEKDAYS.index(w) for w in weekdays])
            # Sum whole days first, then scale, so a full week gives exactly k.
            per_day = pd.Series(due.astype(float), index=periods)
            return per_day.groupby(level=0, sort=True).sum() * scale

        # without weekdays, the check has set days_per_week (1-7)
        k = (
            1.0
            if self.weekdays is not None or self.days_per_week is None
            else self.days_per_week / 7
        )
        columns = [
            sessions(item.weekdays, 1.0) if item.weekdays else sessions(self.weekdays, k)
            for item in self.items
        ]
        per_period = columns[0]
        n_items = len(self.items)
        doses = [self.dose(item.exercise_id) for item in self.items]
        ids = _exercises.exercise_ids()
        counts = np.column_stack([c.to_numpy(dtype=float) for c in columns]).ravel()
        table = pd.DataFrame(
            {
                "period": np.repeat(per_period.index.to_numpy(), n_items),
                "exercise_id": pd.Categorical(
                    [item.exercise_id for item in self.items] * len(per_period), categories=ids
                ),
                "prescribed": counts,
                "sets": [d[0] for d in doses] * len(per_period),
                "reps": [d[1] for d in doses] * len(per_period),
                "hold_seconds": [float(d[2]) for d in doses] * len(per_period),
            }
        )
        table["period"] = pd.PeriodIndex(table["period"], freq=periods.freq)
        return table

    # -- files --------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the plan as plain data, in the layout of the YAML file."""
        items = []
        for item in self.items:
            entry: dict[str, Any] = {"id": item.exercise_id}
            for key in ("sets", "reps", "hold_seconds"):
                if getattr(item, key) is not None:
                    entry[key] = getattr(item, key)
            if item.weekdays is not None:
                entry["weekdays"] = list(item.weekdays)
            items.append(entry)
        return {
            "name": self.name,
            "author": self.author,
            "start": self.start,
            "end": self.end,
            "days_per_week": self.days_per_week if self.weekdays is None else None,
            "weekdays": list(self.weekdays) if self.weekdays is not None else None,
            "notes": self.notes,
            "exercises": items,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "plan") -> Plan:
        """Build a plan from plain data (the YAML layout), validating every field."""
        if not isinstance(data, Mapping):
            raise PlanError(_("must be a mapping of fields (name, exercises, ...)"), where=where)
        for key in data:
            if key not in _FILE_KEYS:
                hint = did_you_mean(key, _FILE_KEYS)
                raise _fail(
                    where,
                    str(key),
                    data[key],
                    # Translators: {hint} is empty or " Did you mean 'x'?"
                    _("is not a plan field.{hint} ({fields})").format(
                        hint=hint, fields=", ".join(_FILE_KEYS)
                    ),
                )
        if not data.get("name"):
            raise PlanError(_("missing required field 'name'"), where=where)
        if not data.get("exercises"):
            raise PlanError(
                _("missing required field 'exercises' (a list of exercises)"), where=where
            )
        raw_items = data["exercises"]
        if not isinstance(raw_items, list):
            raise _fail(where, "exercises", raw_items, _("must be a list of exercises"))
        items = tuple(_to_item(raw, where, i, key="exercises") for i, raw in enumerate(raw_items))
        try:
            return cls(
                name=data["name"],
                author=data.get("author") or "",
                items=items,
                start=_day(where, "start", data.get("start")),  # type: ignore[arg-type]
                end=_day(where, "end", data.get("end")),
                days_per_week=data.get("days_per_week"),
                weekdays=data.get("weekdays"),
                notes=data.get("notes") or "",
            )
        except PlanError as err:
            if err.where == "Plan":  # said of the Plan object: say it of the file instead
                raise err.at(where) from None
            raise

    def save(self, path: str | Path) -> Path:
        """Write the plan as a commented, human-readable YAML file; return its path.

        The file is written under a temporary name and renamed, so it is never
        left half-written.

        Examples
        --------
        >>> import datetime as dt, tempfile, pathlib
        >>> from backkit.plan import Plan
        >>> plan = Plan("Bridges", items=["bridge"], start=dt.date(2024, 5, 6))
        >>> path = plan.save(pathlib.Path(tempfile.mkdtemp()) / "plan.yaml")
        >>> Plan.load(path) == plan
        True
        """
        return write_atomically(path, lambda tmp: tmp.write_text(self.to_yaml(), encoding="utf-8"))

    def to_yaml(self) -> str:
        """Return the text :meth:`save` writes."""
        import yaml

        class Dumper(yaml.SafeDumper):
            pass

        def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
            style = "|" if "\n" in value else None
            return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

        Dumper.add_representer(str, text)
        data = self.to_dict()
        if data["weekdays"] is None:
            del data["weekdays"]
        else:
            del data["days_per_week"]
        body = yaml.dump(
            data,
            Dumper=Dumper,
            sort_keys=False,
            default_flow_style=None,  # flow style only for lists of plain values
            allow_unicode=True,
            width=88,
        )
        # every id of the catalogue, so the list never misses one
        ids = textwrap.fill(
            ", ".join(_exercises.exercise_ids()) + ".",
            width=80,
            initial_indent="#     ",
            subsequent_indent="#     ",
            break_on_hyphens=False,
        )
        return _(_YAML_HEADER).format(ids=ids) + body

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        """Read and validate a plan file written by :meth:`save` (or by hand).

        Raises
        ------
        PlanError
            Naming the file, the field and the value of the first problem.
        """
        path = Path(path).expanduser()
        return cls.from_dict(read_yaml(path, PlanError, "plan"), where=str(path))

    @classmethod
    def default(cls, start: dt.date | str | None = None) -> Plan:
        """The article's seven exercises at their catalogue doses, from ``start`` (today).

        Five of the seven are stretches; :meth:`starter` is the shorter plan
        weighted to strength.

        The stretches are daily; the strength exercises (the bridge and the
        squat) are on Monday, Wednesday and Friday, 3 non-consecutive days a
        week, as strength work is prescribed on 2-3 days a week or every other
        day (see the bridge's and the squat's sources in the catalogue: MSD,
        ACSM). Additions to the catalogue that are not from the article, such
        as the standing back extension, are not in it.

        Examples
        --------
        >>> from backkit.plan import Plan
        >>> plan = Plan.default("2024-05-06")
        >>> len(plan.items), plan.days_per_week, plan.dose("bridge")
        (7, 7, (3, 10, 5))
        >>> [i.exercise_id for i in plan.items if i.weekdays]
        ['bridge', 'squat']
        >>> [len(plan.due_on(f"2024-05-{d:02}")) for d in range(6, 13)]  # Mon to Sun
        [7, 5, 7, 5, 7, 5, 5]
        """
        return cls(
            name=_(DEFAULT_NAME),
            author="backkit",
            items=_kit_items(_exercises.article_ids()),
            start=_day("Plan.default", "start", start),  # type: ignore[arg-type]
            days_per_week=7,
            notes=_(
                "The catalogue's starting doses: the stretches every day, the bridge and the "
                "squat (strength work) on Monday, Wednesday and Friday. Keep walking and doing "
                "your normal activities too. Not a personal prescription."
            ),
        )

    #: The exercises of :meth:`starter`: two strength exercises and two gentle
    #: movements, one bending the back forwards and one backwards.
    STARTER = ("knee-to-chest", "bridge", "squat", "standing-back-extension")

    @classmethod
    def starter(cls, start: dt.date | str | None = None) -> Plan:
        """A short starter plan of four exercises, weighted to strength, from ``start`` (today).

        The alternative to :meth:`default` (the article's seven, five of them
        stretches): prescribing 2-4 exercises helps people keep them up
        (Bachmann C, Oesch P, Bachmann S. Recommendations for improving
        adherence to home-based exercise: a systematic review. Phys Med Rehab
        Kurortmed 2018;28(1):20-31), and stretching alone did no better than no
        treatment in a network meta-analysis for low back pain (Owen PJ et
        al. Br J Sports Med 2020;54(21):1279-1287). So: the bridge and the
        squat (strength work) on Monday, Wednesday and Friday
        (:data:`STRENGTH_DAYS`, a day's rest between: ACSM), and two gentle
        movements every day, one bending the back forwards (single knee to
        chest) and one backwards (standing back extension), of which the
        person keeps the one that feels easier or no worse. Walking, which
        NHS inform and NICE NG59 advise for everyone, is not in the exercise
        catalogue: the notes advise it, but the kit does not time or log it.

        Examples
        --------
        >>> from backkit.plan import STRENGTH_DAYS, Plan, strength_days
        >>> plan = Plan.starter("2024-05-06")
        >>> [i.exercise_id for i in plan.items]
        ['knee-to-chest', 'bridge', 'squat', 'standing-back-extension']
        >>> strength_days(plan, "bridge") == strength_days(plan, "squat") == STRENGTH_DAYS
        True
        >>> [len(plan.due_on(f"2024-05-{d:02}")) for d in range(6, 13)]  # Mon to Sun
        [4, 2, 4, 2, 4, 2, 2]
        """
        return cls(
            name=_("Starter plan: four exercises"),
            author="backkit",
            items=_kit_items(cls.STARTER),
            start=_day("Plan.starter", "start", start),  # type: ignore[arg-type]
            days_per_week=7,
            notes=_(
                "A short plan to start with, at the catalogue's starting doses: the bridge and "
                "the squat (strength work) on Monday, Wednesday and Friday, and two gentle "
                "movements every day, one bending your back forwards (single knee to chest) "
                "and one bending it backwards (standing back extension). Some people's back "
                "eases more with one than the other: keep the one that feels easier or no "
                "worse. Walk every day as well, building up gently, and keep up your normal "
                "activities; walking is not in the exercise list, so the kit does not time or "
                "log it. Not a personal prescription."
            ),
        )

    @classmethod
    def active(cls) -> Plan:
        """The person's active plan: the file at ``config.active_plan_path()``, else the default.

        A clinician's plan becomes active when the patient saves it there
        (``plan.save(backkit.config.active_plan_path())``) or sets ``$BACKKIT_PLAN``.

        Examples
        --------
        >>> from backkit.plan import Plan
        >>> Plan.active().name  # no plan saved in this test home
        "The article's seven exercises"
        """
        from .config import active_plan_path

        path = active_plan_path()
        return cls.load(path) if path.is_file() else cls.default()

    def activate(self) -> Path:
        """Save this plan as the person's active plan; return the file written."""
        from .config import active_plan_path

        return self.save(active_plan_path())

    def _repr_markdown_(self) -> str:
        n = self.days_per_week or 7
        when = (
            _days_text(self.weekdays)
            if self.weekdays is not None
            else (
                _("every day")
                if n == 7
                else ngettext("{n} day a week", "{n} days a week", n).format(n=n)
            )
        )
        title = (
            _("**{name}** (by {author})").format(name=self.name, author=self.author)
            if self.author
            else f"**{self.name}**"
        )
        dates = (
            _("From {start} to {end}, {days}.").format(start=self.start, end=self.end, days=when)
            if self.end
            else _("From {start}, {days}.").format(start=self.start, days=when)
        )
        # Translators: the headings of a plan's table of exercises and their doses
        heads = [_("exercise"), _("sets"), _("reps"), _("seconds")]
        own_days = any(item.weekdays for item in self.items)
        if own_days:  # a days column only when some exercise has days of its own
            # Translators: the heading of the column of an exercise's weekdays
            heads.append(_("days"))
        lines = [
            title,
            "",
            dates,
            "",
            "| " + " | ".join(heads) + " |",
            "|" + "---|" * len(heads),
        ]
        for item in self.items:
            sets, reps, hold = self.dose(item.exercise_id)
            name = _exercises.get_exercise(item.exercise_id).name
            days = f" {_days_text(item.weekdays) if item.weekdays else when} |" if own_days else ""
            lines.append(f"| {name} | {sets} | {reps} | {seconds_text(hold)} |{days}")
        if self.notes:
            lines += ["", self.notes]
        return "\n".join(lines)


def _to_item(raw: Any, where: str, index: int, *, key: str = "items") -> PlanItem:
    here = f"{where}, {key}[{index}]"
    if isinstance(raw, PlanItem):
        return raw
    try:
        if isinstance(raw, str):
            return PlanItem(raw)
        if isinstance(raw, Mapping):
            for k in raw:
                if k not in (*_ITEM_KEYS, "exercise_id"):
                    hint = did_you_mean(k, _ITEM_KEYS)
                    raise _fail(here, str(k), raw[k], _("is not an exercise field.{hint}").format(
                        hint=hint))  # fmt: skip
            exercise_id = raw.get("id", raw.get("exercise_id"))
            if exercise_id is None:
                raise PlanError(_("missing required field 'id' (the exercise id)"), where=here)
            return PlanItem(
                exercise_id,
                raw.get("sets"),
                raw.get("reps"),
                raw.get("hold_seconds"),
                raw.get("weekdays"),
            )
    except PlanError as err:
        if str(err.where).startswith("PlanItem("):  # say it of the file's entry instead
            raise err.at(here) from None
        raise
    raise _fail(here, "exercise", raw, _("must be an exercise id or a mapping with an 'id'"))


def _weekdays(where: str, value: Any) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else value
    if isinstance(names, Mapping) or not isinstance(names, Iterable) or not names:
        raise _fail(where, "weekdays", value, _("must be a list of days such as [mon, wed, fri]"))
    out = []
    for name in names:
        text: str | None = None
        if isinstance(name, str):
            text = name.strip().lower()
            text = _FULL_NAMES.get(text, text)
        if text not in WEEKDAYS:
            raise _fail(where, "weekdays", name, _("is not a day; use {days}").format(
                days=", ".join(WEEKDAYS)))  # fmt: skip
        if text in out:
            raise _fail(where, "weekdays", name, _("is listed twice"))
        out.append(text)
    return tuple(sorted(out, key=WEEKDAYS.index))


# Translators: comments at the top of a plan file; keep "# " at the start of each line
# and the field names, {ids} and Plan.load("this-file.yaml") as they are.
_YAML_HEADER = N_("""\
# A backkit exercise plan. Open it in backkit with Plan.load("this-file.yaml").
#
# name, author, notes: free text.  start, end: YYYY-MM-DD (end may be null).
# days_per_week: 1-7, on any days; or weekdays: [mon, tue, wed, thu, fri, sat, sun].
# exercises: one line per exercise, in order; sets, reps (per set and side) and
#   hold_seconds (a hold, or one squat's length) override the catalogue's dose.
#   Exercise ids:
{ids}
""")


def _days_text(days: Iterable[str]) -> str:
    """Weekdays for people: the plan file's codes in English, the language's short names else."""
    from .config import language, weekday_text

    if language() == "en":
        return ", ".join(days)
    # without the abbreviation's full stop ("seg." -> "seg"): the list ends a sentence
    return ", ".join(weekday_text(WEEKDAYS.index(d)).rstrip(".") for d in days)


def seconds_text(value: float) -> str:
    """A dose's seconds as ``:g`` writes them, with the language's decimal mark.

    Examples
    --------
    >>> from backkit.plan import seconds_text
    >>> seconds_text(5.0), seconds_text(7.25)
    ('5', '7.25')
    """
    from .config import language, number_text

    text = f"{float(value):g}"
    if language() == "en" or "." not in text or "e" in text:
        return text
    return number_text(float(value), len(text.split(".")[1]))


def strength_days(plan: Plan, exercise_id: str) -> tuple[str, ...] | None:
    """The fixed, non-consecutive days of a strength exercise in ``plan``, or None.

    None means the plan does not keep it off consecutive days: it has no fixed
    days (daily, or a number of days a week on any days), or two of its days
    follow each other (Sunday and Monday included). Strength work needs a day
    of recovery between sessions (ACSM; MSD: every other day).

    Examples
    --------
    >>> from backkit.plan import Plan, PlanItem, strength_days
    >>> plan = Plan("p", items=[PlanItem("squat", weekdays=["mon", "thu"]), "bridge"],
    ...             start="2024-05-06")
    >>> strength_days(plan, "squat"), strength_days(plan, "bridge")
    (('mon', 'thu'), None)
    >>> strength_days(Plan("p", items=["bridge"], weekdays=["sat", "sun"]), "bridge") is None
    True
    """
    item = next(i for i in plan.items if i.exercise_id == exercise_id)
    days = item.weekdays or plan.weekdays
    if not days:
        return None
    index = sorted(WEEKDAYS.index(d) for d in days)
    gaps = [(b - a) % 7 for a, b in zip(index, index[1:] + index[:1], strict=True)]
    return tuple(days) if len(index) == 1 or min(gaps) > 1 else None
