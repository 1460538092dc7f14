"""Realistic, deterministic sample data: a session log and a plan for demos and tests.

Every notebook needs something to show on a fresh machine, and every chart
needs realistic data to be judged by. :func:`sample_log` simulates a person
doing the seven exercises at home: sessions mostly in the morning or the
evening (local time), per-side exercises as a left and a right bout, the odd
partial bout and skipped exercise, missed days that come in runs, adherence
that drifts down after the first weeks (as it does in real home programmes:
50-70% of people with chronic low back pain do not keep up their home
exercise), and pain scores (0-10) recorded before and after each bout, with
noise. Most stretches give a small immediate relief; the squat sometimes
aggravates.

The numbers that shape the simulation (pain curves, adherence, effects) are
*illustrative*: they make a believable demo, not a clinical claim, so they
live here rather than in the clinical data files.

Every row says ``sample data`` in ``notes`` and every session id starts with
``sample-``, so sample rows are never mistaken for a person's own log.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypedDict, cast

from ._checks import parse_date
from .errors import BackkitError, SampleDataError, did_you_mean
from .exercises import get_exercise
from .i18n import N_
from .i18n import gettext as _
from .plan import STRENGTH_DAYS, WEEKDAYS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .log import SessionLog
    from .plan import Plan

__all__ = [
    "PROFILES",
    "SAMPLE_NOTE",
    "SampleDataError",
    "record_sample_checkins",
    "sample_checkins",
    "sample_log",
    "sample_plan",
]

PROFILES = ("improving", "flare-up", "plateau")
SAMPLE_NOTE = "sample data"
# A Monday; twelve weeks from it span both the US (9 March) and the EU
# (30 March) clock changes, so the sample exercises daylight-saving handling.
DEFAULT_START = dt.date(2025, 2, 17)


class _PlanData(TypedDict):  # the sample plan's fields, as Plan takes them
    name: str
    author: str
    items: list[tuple[str, int | None, int | None, float | None]]  # id, sets, reps, hold
    days_per_week: int
    notes: str


class _ScaleData(TypedDict):  # a custom measure's scale, as sample_checkins adds it
    name: str
    min: float
    max: float
    higher_is_better: bool
    mcid: float


# The sample plan, as data: the seven exercises, doses within the catalogue's
# ranges (None = catalogue default); the stretches daily, strength work
# (``strength: true`` in the catalogue) on STRENGTH_DAYS only.
_PLAN: _PlanData = {
    "name": N_("Sample plan: seven exercises, strength work three days a week"),
    "author": N_("backkit sample data"),
    "items": [
        ("supine-hamstring-stretch", None, None, None),
        ("knee-to-chest", None, 3, None),
        ("double-knee-to-chest", None, 3, None),
        ("bridge", None, None, None),
        ("long-sitting-hamstring-stretch", None, None, None),
        ("standing-hip-flexor-stretch", None, None, None),
        ("squat", None, None, None),
    ],
    "days_per_week": 7,
    "notes": N_("Sample data for demos and tests; not a prescription."),
}

# Immediate effect of one bout on pain (points; negative = relief) and the
# chance that a bout aggravates instead (the squat, for a flexion-tolerant but
# load-sensitive back). Per-side exercises get half per bout (two bouts).
_EFFECT = {
    "supine-hamstring-stretch": (-0.45, 0.0),
    "knee-to-chest": (-0.6, 0.0),
    "double-knee-to-chest": (-0.5, 0.0),
    "bridge": (-0.15, 0.0),
    "long-sitting-hamstring-stretch": (-0.3, 0.0),
    "standing-hip-flexor-stretch": (-0.4, 0.0),
    "squat": (0.1, 0.3),
}
_AGGRAVATION = 1.4  # points added by an aggravating bout
_EFFORT = {  # typical effort (0-10) per exercise
    "supine-hamstring-stretch": 3,
    "knee-to-chest": 2,
    "double-knee-to-chest": 3,
    "bridge": 5,
    "long-sitting-hamstring-stretch": 4,
    "standing-hip-flexor-stretch": 3,
    "squat": 6,
}
_DAY_NOTES = (
    "stiff after sitting all day",
    "back felt easier today",
    "short on time",
    "tight hamstrings",
    "slept badly",
)


def _bad(name: str, value: Any, problem: str, who: str = "sample_log") -> SampleDataError:
    # Translators: {problem} is one of the problems below ("must be ...", "is not ...")
    text = _("argument {name}={value} {problem}")
    return SampleDataError(text.format(name=name, value=repr(value), problem=problem), where=who)


def _check_counts(weeks: Any, seed: Any, who: str) -> None:
    import numpy as np

    if isinstance(weeks, bool) or not isinstance(weeks, (int, np.integer)) or weeks < 1:
        raise _bad("weeks", weeks, _("must be a whole number of weeks, 1 or more"), who)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise _bad("seed", seed, _("must be a whole number, 0 or more"), who)


def _check_profile(profile: Any, who: str) -> str:
    if profile in PROFILES:
        return profile
    hint = did_you_mean(profile, PROFILES)
    # Translators: {hint} is empty or " Did you mean 'x'?"; the profiles are names to type
    problem = _("is not a sample profile.{hint} Profiles: {profiles}").format(
        hint=hint, profiles=", ".join(PROFILES)
    )
    raise _bad("profile", profile, problem, who)


def _check_start(start: Any, who: str) -> dt.date:
    if start is None:
        return DEFAULT_START
    try:
        return parse_date(start)
    except BackkitError:
        problem = _("is not a date (use a datetime.date or 'YYYY-MM-DD')")
        raise _bad("start", start, problem, who) from None


def _check_tz(tz: Any) -> str | dt.tzinfo:
    import zoneinfo

    if tz is None:
        from .config import kit_timezone

        return kit_timezone()
    if isinstance(tz, dt.tzinfo):
        return tz
    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _bad("tz", tz, _("is not an IANA time zone such as 'Europe/London'")) from None
    return str(tz)


def sample_plan(start: dt.date | str | None = None) -> Plan:
    """Return the sample plan: the seven exercises from ``start``, strength work three days a week.

    Parameters
    ----------
    start : date or 'YYYY-MM-DD', optional
        First day of the plan; default the sample log's default start
        (2025-02-17), so ``sample_plan()`` matches ``sample_log()``.

    Returns
    -------
    Plan
        Named ``"Sample plan: seven exercises, strength work three days a
        week"``: the stretches daily, the bridge and the squat on Monday,
        Wednesday and Friday. Its notes say it is sample data, not a prescription.

    Examples
    --------
    >>> import backkit
    >>> plan = backkit.sample_plan()
    >>> len(plan.items), plan.days_per_week
    (7, 7)
    """
    from .plan import Plan, PlanItem

    day = _check_start(start, "sample_plan")
    # Each text is marked N_ where _PLAN writes it; named first here, as older
    # pybabel extract (2.12) would take a key inside _() for a message.
    name, author, notes = (_PLAN[key] for key in ("name", "author", "notes"))
    return Plan(
        name=_(name),
        author=_(author),
        items=tuple(
            PlanItem(
                ex,
                sets=sets,
                reps=reps,
                hold_seconds=hold,
                weekdays=STRENGTH_DAYS if get_exercise(ex).strength else None,
            )
            for ex, sets, reps, hold in _PLAN["items"]
        ),
        start=day,
        end=None,
        days_per_week=_PLAN["days_per_week"],
        weekdays=None,
        notes=_(notes),
    )


def _doses() -> list[tuple[str, str, int, int, float, str, float]]:
    """(id, sides, sets, reps, seconds per rep, kind, rest) for each plan item."""
    from .exercises import get_exercise

    out = []
    for ex_id, sets, reps, hold in _PLAN["items"]:
        ex = get_exercise(ex_id)
        out.append(
            (
                ex_id,
                ex.sides,
                sets or ex.sets,
                reps or ex.reps,
                float(hold or ex.seconds_per_rep),
                ex.kind,
                float(ex.rest_seconds),
            )
        )
    return out


# --------------------------------------------------------------------------
# The simulation


def _pain_level(profile: str, days: np.ndarray, n_days: int) -> np.ndarray:
    """The underlying (noise-free) pain level of each day, 0-10."""
    import numpy as np

    if profile == "improving":
        return 6.4 - 4.0 * (1 - np.exp(-days / 35.0))
    if profile == "plateau":
        return 5.8 - 0.4 * (1 - np.exp(-days / 20.0)) + 0.35 * np.sin(2 * np.pi * days / 30.0)
    # flare-up: improving at first, a spike mid-way that settles over two weeks
    flare = _flare_day(n_days)
    level = 6.0 - 2.2 * (1 - np.exp(-days / 25.0))
    after = days >= flare
    level = level + np.where(after, 4.5 * np.exp(-(days - flare) / 12.0), 0.0)
    return level


def _flare_day(n_days: int) -> int:
    return max(1, int(n_days * 0.5))


def _adherence(profile: str, days: np.ndarray, n_days: int) -> np.ndarray:
    """Probability of exercising on each day (before weekday and run effects)."""
    import numpy as np

    if profile == "plateau":
        return np.clip(0.85 - 0.15 * days / 84.0, 0.6, 1.0)
    # keen for three weeks, then a drift down, as in real home programmes
    p = np.clip(0.98 - 0.38 * np.maximum(days - 21, 0) / 63.0, 0.5, 1.0)
    if profile == "flare-up":
        flare = _flare_day(n_days)
        since = days - flare
        # tried again the next day, then rested through the worst
        p = np.where(since == 1, 1.0, np.where((since >= 2) & (since <= 6), 0.0, p))
        p = np.where((since > 6) & (since <= 20), p * 0.85, p)
    return p


def _simulate_sessions(
    rng: np.random.Generator, profile: str, first: dt.date, n_days: int, adherence: float | None
) -> dict[str, Any]:
    """Which days have sessions, when in the day, and each session's pain level."""
    import numpy as np
    import pandas as pd

    days = np.arange(n_days)
    dates = pd.Timestamp(first) + pd.to_timedelta(days, unit="D")
    weekend = dates.day_of_week.to_numpy() >= 5

    # -- which days, and how many sessions: runs of missed days ------------
    p = _adherence(profile, days, n_days) * np.where(weekend, 0.9, 1.0)
    stickiness = 0.8
    if adherence is not None:
        p, stickiness = np.full(n_days, float(adherence)), 1.0
    draw = rng.random(n_days)
    done = np.zeros(n_days, dtype=bool)
    prev = True
    for i in range(n_days):  # a Markov chain: a missed day makes the next likelier missed
        done[i] = draw[i] < (p[i] if prev else p[i] * stickiness)
        prev = done[i]
    if n_days >= 7:  # the first day always starts the programme
        done[0] = True
    done |= p >= 1.0  # days the story needs (the flare-up's second day)
    twice = done & (rng.random(n_days) < np.where(days < 14, 0.25, 0.06))
    day_idx = np.concatenate([np.flatnonzero(done), np.flatnonzero(twice)])
    evening_forced = np.concatenate([np.zeros(done.sum(), bool), np.ones(twice.sum(), bool)])
    order = np.lexsort((evening_forced, day_idx))
    day_idx, evening_forced = day_idx[order], evening_forced[order]
    n_sess = len(day_idx)

    # -- when: mornings or evenings, local wall-clock time -------------------
    sess_weekend = weekend[day_idx]
    has_twin = np.zeros(n_sess, bool)
    has_twin[:-1] = day_idx[1:] == day_idx[:-1]
    morning = np.where(evening_forced, False, np.where(has_twin, True, rng.random(n_sess) < 0.6))
    minutes = np.where(
        morning,
        np.clip(rng.normal(7.25 * 60, 35, n_sess) + sess_weekend * 60, 6 * 60, 10.5 * 60),
        np.clip(rng.normal(19.75 * 60, 50, n_sess), 17.5 * 60, 22.5 * 60),
    )
    sess_start = dates[day_idx] + pd.to_timedelta(np.round(minutes * 60), unit="s")

    # -- the pain level of each session --------------------------------------
    level = _pain_level(profile, days.astype(float), n_days)
    wobble = np.empty(n_days)  # day-to-day noise that persists a little (AR(1))
    eps = rng.normal(0, 0.4, n_days)
    wobble[0] = eps[0]
    for i in range(1, n_days):
        wobble[i] = 0.5 * wobble[i - 1] + eps[i]
    sess_pain = level[day_idx] + wobble[day_idx] + rng.normal(0, 0.3, n_sess)
    sess_pain += np.where(morning, 0.3, 0.0)  # mornings are stiffer

    return {
        "days": days,
        "day_idx": day_idx,
        "morning": morning,
        "sess_start": sess_start,
        "sess_pain": sess_pain,
        "n_sess": n_sess,
    }


def _simulate_bouts(
    rng: np.random.Generator, profile: str, sess: dict[str, Any], n_days: int
) -> dict[str, Any]:
    """The bouts of each session (every plan item, per side twice, some skipped) and doses."""
    import numpy as np

    days, day_idx, n_sess = sess["days"], sess["day_idx"], sess["n_sess"]
    # -- the bouts: every plan item, per side twice, some skipped -----------
    doses = _doses()
    ids = [d[0] for d in doses]
    squat = ids.index("squat")
    fatigue = days[day_idx] / max(n_days - 1, 1)
    skip_p = np.full((n_sess, len(doses)), 0.03) + 0.04 * fatigue[:, None]
    skip_p[:, squat] += 0.12 + 0.1 * fatigue
    keep = rng.random((n_sess, len(doses))) >= skip_p
    keep[np.arange(n_sess), rng.integers(0, len(doses), n_sess)] = True  # never an empty session
    # strength work only on its days, as the sample plan says (the stretches never all skip)
    weekday = sess["sess_start"].day_of_week
    off_day = ~np.isin(weekday, [WEEKDAYS.index(d) for d in STRENGTH_DAYS])
    strength = np.array([get_exercise(i).strength for i in ids])
    keep[np.ix_(off_day, strength)] = False
    keep[off_day & ~keep.any(axis=1), ids.index("supine-hamstring-stretch")] = True
    if profile == "flare-up":  # the day after the flare: stopped after three exercises
        keep[days[day_idx] == _flare_day(n_days) + 1, 3:] = False
    sess_of, item_of = np.nonzero(keep)
    sides_n = np.array([2 if d[1] == "per-side" else 1 for d in doses])
    reps_per = np.repeat(np.arange(len(sess_of)), sides_n[item_of])
    b_sess, b_item = sess_of[reps_per], item_of[reps_per]
    n_b = len(b_sess)
    first_of_pair = np.r_[True, reps_per[1:] != reps_per[:-1]]
    per_side = sides_n[b_item] == 2
    side = np.where(per_side, np.where(first_of_pair, "left", "right"), "both")

    sets_p = np.array([d[2] for d in doses])[b_item]
    reps_p = np.array([d[3] for d in doses])[b_item]
    hold_p = np.array([d[4] for d in doses])[b_item]
    rest = np.array([d[6] for d in doses])[b_item]
    paced = np.array([d[5] == "paced" for d in doses])[b_item]

    partial = rng.random(n_b) < 0.06 + 0.05 * fatigue[b_sess]
    sets_d = sets_p.copy()
    reps_d = reps_p.copy()
    hold_d = hold_p.copy()
    multi = partial & (sets_p > 1)
    sets_d[multi] = sets_p[multi] - rng.integers(1, sets_p[multi])
    single = partial & ~multi
    reps_d[single] = np.maximum(1, reps_p[single] - rng.integers(1, 3, single.sum()))
    short = partial & ~paced & (rng.random(n_b) < 0.5)
    hold_d[short] = np.round(hold_p[short] * rng.uniform(0.55, 0.9, short.sum()))
    status = np.where(
        (sets_d < sets_p) | (reps_d < reps_p) | (hold_d < hold_p), "partial", "completed"
    )

    return {
        "ids": ids,
        "b_sess": b_sess,
        "b_item": b_item,
        "n_b": n_b,
        "side": side,
        "per_side": per_side,
        "sets_p": sets_p,
        "reps_p": reps_p,
        "hold_p": hold_p,
        "sets_d": sets_d,
        "reps_d": reps_d,
        "hold_d": hold_d,
        "rest": rest,
        "status": status,
        "fatigue": fatigue,
    }


def _simulate_timing_and_pain(
    rng: np.random.Generator, sess: dict[str, Any], b: dict[str, Any]
) -> dict[str, Any]:
    """When each bout starts and ends, and the pain and effort around it."""
    import numpy as np
    import pandas as pd

    ids, b_sess, b_item, n_b = b["ids"], b["b_sess"], b["b_item"], b["n_b"]
    sets_d, reps_d, hold_d, rest = b["sets_d"], b["reps_d"], b["hold_d"], b["rest"]
    per_side, status = b["per_side"], b["status"]
    sess_start, sess_pain = sess["sess_start"], sess["sess_pain"]
    # -- timing within a session: bouts back to back, with a short change-over
    from .exercises import get_exercise

    set_rest = np.array([get_exercise(i).set_rest_seconds for i in ids], float)[b_item]
    duration = sets_d * reps_d * (hold_d + rest) + (sets_d - 1) * set_rest
    gap = rng.uniform(15, 60, n_b)
    start_new = np.r_[True, b_sess[1:] != b_sess[:-1]]
    # index of each bout's session's first bout: per-session cumulative sums
    first_bout = np.maximum.accumulate(np.where(start_new, np.arange(n_b), 0))
    offset = np.cumsum(duration + gap) - (duration + gap)
    offset -= offset[first_bout]
    started = sess_start[b_sess] + pd.to_timedelta(np.round(offset), unit="s")
    ended = started + pd.to_timedelta(np.round(duration), unit="s")

    # -- pain through the session: each bout moves it a little --------------
    base_eff = np.array([_EFFECT[i][0] for i in ids])[b_item]
    aggr_p = np.array([_EFFECT[i][1] for i in ids])[b_item]
    eff = base_eff + np.where(rng.random(n_b) < aggr_p, _AGGRAVATION, 0.0)
    eff = eff / np.where(per_side, 2.0, 1.0) + rng.normal(0, 0.35, n_b)
    eff = np.where(status == "partial", eff * 0.5, eff)
    cum = np.cumsum(eff)
    sess_cum_before = cum - eff
    sess_cum_before -= sess_cum_before[first_bout]
    latent_before = sess_pain[b_sess] + sess_cum_before
    latent_after = latent_before + eff
    pain_b = np.clip(np.round(latent_before), 0, 10)
    pain_a = np.clip(np.round(latent_after), 0, 10)
    miss_b = rng.random(n_b) < 0.04
    miss_a = rng.random(n_b) < 0.04
    effort = np.clip(
        np.round(
            np.array([_EFFORT[i] for i in ids])[b_item]
            + 0.3 * (latent_before - 4)
            + rng.normal(0, 0.8, n_b)
        ),
        0,
        10,
    )
    miss_e = rng.random(n_b) < 0.1

    return {
        "start_new": start_new,
        "started": started,
        "ended": ended,
        "pain_b": np.where(miss_b, np.nan, pain_b),
        "pain_a": np.where(miss_a, np.nan, pain_a),
        "effort": np.where(miss_e, np.nan, effort),
    }


def _label(rng: np.random.Generator, sess: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    """Session ids, notes and sources; the bouts as a frame of the log's columns."""
    import numpy as np
    import pandas as pd

    n_sess, sess_start = sess["n_sess"], sess["sess_start"]
    b_sess, start_new = b["b_sess"], b["start_new"]
    # -- labels ---------------------------------------------------------------
    sess_local = pd.DatetimeIndex(sess_start)
    sess_ids = np.array(
        [f"sample-{t:%Y%m%d-%H%M}" for t in sess_local.to_pydatetime()], dtype=object
    )
    manual = rng.random(n_sess) < 0.12
    day_note = np.where(
        rng.random(n_sess) < 0.08,
        rng.integers(0, len(_DAY_NOTES), n_sess),
        -1,
    )
    notes = np.array([SAMPLE_NOTE] + [f"{SAMPLE_NOTE}: {n}" for n in _DAY_NOTES], dtype=object)[
        day_note[b_sess] + 1
    ]
    # a note belongs to the session: keep it on its first bout only
    notes = np.where(start_new, notes, SAMPLE_NOTE)

    data = {
        "session_id": sess_ids[b_sess],
        "started_at": b["started"],
        "ended_at": b["ended"],
        "exercise_id": np.array(b["ids"], dtype=object)[b["b_item"]],
        "side": b["side"],
        "sets_planned": b["sets_p"],
        "sets_done": b["sets_d"],
        "reps_planned": b["reps_p"],
        "reps_done": b["reps_d"],
        "hold_s_planned": b["hold_p"],
        "hold_s_done": b["hold_d"],
        "status": b["status"],
        "pain_before": b["pain_b"],
        "pain_after": b["pain_a"],
        "effort": b["effort"],
        "notes": notes,
        "plan_id": sample_plan().id,
        "source": np.where(manual[b_sess], "manual", "timer"),
    }
    return pd.DataFrame(data)


def sample_log(
    weeks: int = 12,
    seed: int = 0,
    profile: str = "improving",
    *,
    start: dt.date | str | None = None,
    tz: str | None = None,
    adherence: float | None = None,
) -> pd.DataFrame:
    """Simulate a realistic session log (one row per exercise bout), deterministically.

    Parameters
    ----------
    weeks : int, default 12
        Length of the log in weeks (1 or more).
    seed : int, default 0
        Random seed: the same arguments always give the same log.
    profile : {'improving', 'flare-up', 'plateau'}
        The story the data tells. ``'improving'``: pain falls by about 3
        points (past the minimal clinically important change) while adherence
        drifts down after three keen weeks. ``'flare-up'``: improving at first,
        then mid-way a spike in pain with a week of missed days, settling over
        two weeks. ``'plateau'``: pain stays about the same.
    start : date or 'YYYY-MM-DD', optional
        First day; default 2025-02-17 (a Monday; the default twelve weeks
        cross both the US and the EU daylight-saving change).
    tz : str, optional
        IANA time zone of the timestamps; default the kit's zone
        (``backkit.config.kit_timezone()``: ``$BACKKIT_TZ`` or the system zone).
        Sessions are simulated in local wall-clock time, so the clock times
        are the same in every zone.
    adherence : float, optional
        Chance (0-1) of exercising on any day, overriding the profile's
        drifting adherence (``adherence=1`` gives a session every day, as the
        benchmarks use).

    Returns
    -------
    DataFrame
        The columns and dtypes of ``SessionLog.frame()``, sorted by
        ``started_at``; ``notes`` says ``sample data`` on every row and
        session ids start with ``sample-``.

    Examples
    --------
    >>> import backkit
    >>> log = backkit.sample_log(weeks=4, seed=1, profile="plateau")
    >>> log["exercise_id"].nunique(), bool(log["notes"].str.startswith("sample data").all())
    (7, True)
    """
    import numpy as np

    _check_counts(weeks, seed, "sample_log")
    profile = _check_profile(profile, "sample_log")
    first = _check_start(start, "sample_log")
    zone = _check_tz(tz)
    if adherence is not None and (
        isinstance(adherence, bool)
        or not isinstance(adherence, (int, float, np.number))
        or not 0 <= adherence <= 1
    ):
        raise _bad("adherence", adherence, _("must be a chance from 0 to 1"))
    rng = np.random.default_rng([int(seed), PROFILES.index(profile)])
    # The draws happen in a fixed order (sessions, bouts, timing and pain,
    # labels), so the same arguments always give the same log.
    n_days = int(weeks) * 7
    sess = _simulate_sessions(rng, profile, first, n_days, adherence)
    bouts = _simulate_bouts(rng, profile, sess, n_days)
    bouts.update(_simulate_timing_and_pain(rng, sess, bouts))
    frame = _label(rng, sess, bouts)
    frame["started_at"] = _localize(frame["started_at"], zone)
    frame["ended_at"] = _localize(frame["ended_at"], zone)
    return _typed(frame.sort_values("started_at", kind="stable").reset_index(drop=True), zone)


def _localize(naive: pd.Series, zone: str | dt.tzinfo) -> pd.Series:
    # Simulated wall-clock times never fall in the 01:00-03:00 change-over
    # hours, but a custom zone might shift differently: keep every row valid.
    return naive.dt.tz_localize(zone, ambiguous=False, nonexistent="shift_forward").dt.as_unit("ns")


def _typed(frame: pd.DataFrame, zone: str | dt.tzinfo) -> pd.DataFrame:
    """Cast to the session-log contract's columns and dtypes (``backkit.log.conform``)."""
    from .log import conform

    return conform(frame, tz=zone)


# --------------------------------------------------------------------------
# Weekly check-ins (outcome measures) to go with the sample log

# The sample person's PSFS activities and their baseline ratings (0 = unable,
# 10 = as before the problem), and how many PSFS points each gains per point
# of pain lost: illustrative, like the rest of the simulation.
# The activities are a fictional person's own words, in the kit's language.
_ACTIVITIES = (
    (N_("sitting through a film"), 4, 1.1),
    (N_("putting on socks"), 3, 1.3),
    (N_("carrying shopping"), 2, 1.0),
    (N_("walking 30 minutes"), 5, 1.2),
)
# A clinician scores the ODI total (0-100, lower is better) at baseline,
# mid-way and at the end; MCID 10 points (Ostelo 2008). Only the total is
# simulated: the questionnaire's items are licensed and never part of backkit.
_ODI: _ScaleData = {
    "name": "ODI total",
    "min": 0.0,
    "max": 100.0,
    "higher_is_better": False,
    "mcid": 10.0,
}


def sample_checkins(
    weeks: int = 12,
    seed: int = 0,
    profile: str = "improving",
    *,
    start: dt.date | str | None = None,
    custom: bool = True,
) -> pd.DataFrame:
    """Weekly outcome check-ins that go with :func:`sample_log` (same profile, same weeks).

    One check-in a week on the sample log's weekday, the first (the baseline)
    on its first day. Pain is drawn from the same underlying pain curve as
    the sample log's session pain: average pain is the mean of the last 7
    days' level, worst pain their highest plus the usual peaks. The PSFS
    rates four activities; each rises as pain falls. ``'improving'``: the PSFS
    mean rises past its minimal detectable change (2 points) and pain falls
    past its minimal important change (2 points and 30%); ``'flare-up'``: a dip in the
    PSFS and a jump in pain the week after the flare, then recovery;
    ``'plateau'``: flat. With ``custom=True`` an ODI *total* (a licensed
    questionnaire's score, entered by a clinician as a custom measure) is
    added at baseline, mid-way and at the end.

    Parameters
    ----------
    weeks, seed, profile, start
        As for :func:`sample_log`.
    custom : bool, default True
        Add the clinician-scored ODI total.

    Returns
    -------
    DataFrame
        The columns and dtypes of :func:`backkit.outcomes.outcomes_frame`;
        ``notes`` says ``sample data`` and check-in ids start with ``sample-``.

    Examples
    --------
    >>> from backkit.sample import sample_checkins
    >>> df = sample_checkins(weeks=12, profile="improving")
    >>> df["date"].nunique(), sorted(df["measure"].unique())
    (12, ['ODI total', 'pain_average', 'pain_worst', 'psfs'])
    """
    import numpy as np
    import pandas as pd

    from .outcomes import OUTCOME_COLUMNS, PAIN_AVERAGE, PAIN_WORST, PSFS, conform_outcomes

    _check_counts(weeks, seed, "sample_checkins")
    profile = _check_profile(profile, "sample_checkins")
    first = _check_start(start, "sample_checkins")
    rng = np.random.default_rng([int(seed), PROFILES.index(profile), 7])

    n_days = int(weeks) * 7
    level = _pain_level(profile, np.arange(n_days, dtype=float), n_days)
    days = np.arange(0, n_days, 7)
    # the last 7 days (only day 0 for the baseline, taken before the first session)
    window = [level[max(0, d - 6) : d + 1] for d in days]
    mean = np.array([w.mean() for w in window]) + 0.15  # mornings are stiffer
    peak = np.array([w.max() for w in window])
    average = np.clip(np.round(mean + rng.normal(0, 0.35, len(days))), 0, 10)
    worst = np.clip(np.round(peak + 1.6 + np.abs(rng.normal(0, 0.5, len(days)))), 0, 10)
    worst = np.maximum(worst, average)
    relief = mean[0] - mean  # pain points lost since baseline

    rows: list[dict[str, Any]] = []

    def add(k: int, kind: str, measure: str, item: Any, score: float, **scale: Any) -> None:
        rows.append(
            {
                "checkin_id": f"sample-checkin-{first + dt.timedelta(days=int(days[k])):%Y%m%d}",
                "date": pd.Timestamp(first) + pd.Timedelta(days=int(days[k])),
                "baseline": k == scale.pop("first", 0),
                "kind": kind,
                "measure": measure,
                "item": item,
                "score": float(score),
                "scale_min": scale.get("min", 0.0),
                "scale_max": scale.get("max", 10.0),
                "higher_is_better": scale.get("higher_is_better", measure == PSFS),
                "mcid": scale.get("mcid"),
                "notes": SAMPLE_NOTE,
            }
        )

    odi_at = sorted({0, len(days) // 2, len(days) - 1}) if custom else []
    for k in range(len(days)):
        add(k, "pain", PAIN_AVERAGE, None, average[k])
        add(k, "pain", PAIN_WORST, None, worst[k])
        for name, base, gain in _ACTIVITIES:
            score = base + gain * relief[k] + (rng.normal(0, 0.45) if k else 0.0)
            add(k, "psfs", PSFS, _(name), np.clip(np.round(score), 0, 10))
        if k in odi_at:
            odi = np.clip(np.round(12 + 4.5 * mean[k] + rng.normal(0, 1.5)), 0, 100)
            add(k, "custom", _ODI["name"], None, odi, **{**_ODI, "first": odi_at[0]})
    return conform_outcomes({name: [r[name] for r in rows] for name in OUTCOME_COLUMNS})


def record_sample_checkins(
    log: SessionLog, *, weeks: int = 12, seed: int = 0, profile: str = "improving"
) -> int:
    """Store the check-ins of :func:`sample_checkins` in ``log``, one check-in a week.

    Used by ``backkit demo`` so the sample log file holds check-ins like a
    person's. Returns the number of check-ins stored.

    Examples
    --------
    >>> import backkit
    >>> from backkit.sample import record_sample_checkins
    >>> log = backkit.SessionLog(":memory:")
    >>> record_sample_checkins(log, weeks=3)
    3
    """
    from .outcomes import PAIN_AVERAGE, PAIN_WORST, PSFS, record_checkin

    checkins = sample_checkins(weeks=weeks, seed=seed, profile=profile)
    stored = 0
    for day, rows in checkins.groupby("date", sort=True):
        by = {m: rows[rows["measure"] == m] for m in rows["measure"].unique()}
        custom = [
            {
                "name": name,
                "score": float(r["score"].iloc[0]),
                "min": float(r["scale_min"].iloc[0]),
                "max": float(r["scale_max"].iloc[0]),
                "higher_is_better": bool(r["higher_is_better"].iloc[0]),
                "mcid": float(r["mcid"].iloc[0]),
            }
            for name, r in by.items()
            if name not in (PAIN_AVERAGE, PAIN_WORST, PSFS)
        ]
        record_checkin(
            log,
            cast("pd.Timestamp", day).date(),  # the "date" column holds Timestamps
            pain_average=int(by[PAIN_AVERAGE]["score"].iloc[0]),
            pain_worst=int(by[PAIN_WORST]["score"].iloc[0]),
            psfs={str(r.item): int(r.score) for r in by[PSFS].itertuples()},
            custom=custom or None,
            notes="sample data",
        )
        stored += 1
    return stored
