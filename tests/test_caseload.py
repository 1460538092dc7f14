"""The caseload view: a folder of 30 sample patients and a corrupt file, as a clinician sees it."""

from __future__ import annotations

import datetime as dt
import html
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd
import pytest

import backkit
from backkit import analysis, caseload, patientfile, sample
from backkit.adherence import adherence
from backkit.logfiles import write_csv

AS_OF = dt.date(2025, 5, 11)  # the last day of a 12-week sample log from 2025-02-17
N = 30


def _frame(i: int) -> pd.DataFrame:
    profile = sample.PROFILES[i % 3]
    if i % 10 == 4:  # a few days only
        frame = sample.sample_log(weeks=1, seed=i, profile=profile, start="2025-05-05")
        return frame[frame["started_at"] < frame["started_at"].min() + pd.Timedelta(days=3)]
    weeks = 12 - (i * 7) % 9  # some stopped weeks ago
    return sample.sample_log(weeks=weeks, seed=i, profile=profile)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("patients")
    plan = sample.sample_plan()
    for i in range(N):
        frame = _frame(i)
        name = f"P{i + 1:03d}"
        if i % 10 == 7:  # a log file, with its check-ins
            with backkit.SessionLog(root / f"{name}.sqlite") as log:
                log.record_many(frame.astype(object).where(frame.notna(), None).to_dict("records"))
        else:
            write_csv(frame, root / f"{name}.csv")
        if i % 5 == 0:  # a plan of their own: bridges and squats on three days
            backkit.Plan("Strength", items=["bridge", "squat"], weekdays=["mon", "wed", "fri"],
                         start=plan.start).save(root / f"{name}.yaml")  # fmt: skip
    (root / "P999.csv").write_bytes(b"\x00\x01 this is not a log \xff\n")
    return root


@pytest.fixture(scope="module")
def view(folder) -> caseload.Caseload:
    return caseload.load_caseload(folder, plan=sample.sample_plan(), as_of=AS_OF)


class TestTable:
    def test_one_row_per_readable_patient(self, view):
        table = view.table()
        assert len(table) == N
        assert sorted(table["Patient"]) == [f"P{i + 1:03d}" for i in range(N)]
        assert list(table.columns) == [
            "Patient", "Weeks logged", "Adherence this week", "Adherence overall",
            "Pain change", "Change vs baseline", "Last session", "Flags",
        ]  # fmt: skip

    def test_the_corrupt_file_is_named_and_skipped_in_one_line(self, view):
        assert len(view.skipped) == 1
        assert view.skipped[0].startswith("P999.csv: ")
        assert "\n" not in view.skipped[0]

    def test_sorted_by_the_attention_rule(self, view):
        rows = view.patients
        stopped = [(AS_OF - p.last_session).days if p.last_session else math.inf for p in rows]
        stopped = [d if d >= caseload.GAP_DAYS else 0 for d in stopped]
        keys = [
            (
                -gap,
                -len([f for f in p.flags if not f.startswith(("no session", "stale data"))]),
                -p.pain_flags,
                math.inf if math.isnan(p.week_adherence) else p.week_adherence,
                math.inf if math.isnan(p.pain_change) else -p.pain_change,
                p.patient,
            )
            for p, gap in zip(rows, stopped, strict=True)
        ]
        assert keys == sorted(keys)
        assert stopped[0] == max(stopped) > 28 and 0 in stopped  # a spread to sort
        assert len({len(p.flags) for p in rows}) > 1

    def test_the_patients_who_stopped_come_first_longest_gap_first(self, view):
        gaps = [p.days_without for p in view.patients]
        stopped = [g for g in gaps if g >= caseload.GAP_DAYS]
        assert gaps[: len(stopped)] == sorted(stopped, reverse=True)
        # those still exercising follow, pain flags first
        still = view.patients[len(stopped) :]
        assert still and still[0].pain_flags == max(p.pain_flags for p in still) > 0

    def test_the_flags_are_shown_in_full_one_a_line_with_no_index_column(self, view):
        page = view._repr_html_()
        assert page.startswith("<p><strong>Caseload on 11 May 2025: 30 patients</strong></p>")
        head = re.search(r"<thead><tr>(.*?)</tr></thead>", page)[1]
        assert re.findall(r">([^<]+)</th>", head) == list(view.table().columns)  # no index
        rows = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>")[1])
        assert len(rows) == N
        for row, p in zip(rows, view.patients, strict=True):
            shown = html.unescape(re.findall(r"<td[^>]*>(.*?)</td>", row)[-1]).split("<br>")
            assert shown == list(p.flags or ("none",))  # every flag, whole, one a line
        assert "…" not in page and "..." not in page

    def test_the_text_table_wraps_long_flags_instead_of_cutting_them(self, view):
        lines = view.to_text(width=110).splitlines()
        flags_at = lines[1].index("Flags")
        assert lines[2][:flags_at].split() == ["logged", "this", "week", "overall", "change",
                                               "baseline", "session"]  # fmt: skip
        column = [line[flags_at:] for line in lines[3 : 3 + 200] if len(line) > flags_at]
        said = " ".join(" ".join(column).split())
        for p in view.patients:
            for flag in p.flags:
                assert flag in said, flag
        assert all(len(line) <= 110 for line in lines if not line.startswith("skipped"))

    def test_nothing_a_person_reads_is_nan_or_a_repr(self, view):
        text = view.to_text()
        for bad in ("nan", "NaN", "<NA>", "None", "()", "NaT"):
            assert bad not in text
        assert "Sorted: warning-sign answers first" in text

    def test_a_few_days_of_logging_is_too_early_to_judge(self, view):
        few = next(p for p in view.patients if p.patient == "P005")
        assert few.weeks == 1
        assert few.verdict == "too early (under 2 weeks)"

    def test_no_file_is_written_beside_the_logs(self, folder):
        before = sorted(p.name for p in folder.iterdir())
        caseload.load_caseload(folder, as_of=AS_OF)
        assert sorted(p.name for p in folder.iterdir()) == before


class TestNumbersAgreeWithTheAnalysis:
    """Computed for all patients at once, the numbers are those of the per-patient functions."""

    @pytest.mark.slow  # over 2.5 s: make check leaves it to make test

    def test_every_patient(self, folder, view):
        default = sample.sample_plan()
        by_id = {p.patient: p for p in view.patients}
        for path in patientfile.listing(folder).files:
            if path.stem == "P999":
                continue
            frame = patientfile.read(path).frame
            frame = frame[analysis.local_day(frame) <= pd.Timestamp(AS_OF)]
            plan_file = path.with_suffix(".yaml")
            plan = backkit.Plan.load(plan_file) if plan_file.exists() else default
            got = by_id[path.stem]
            table = adherence(frame, plan, "W", end=AS_OF)
            assert got.overall_adherence == pytest.approx(table.attrs["overall"]), path.name
            _, weeks = analysis.weekly_adherence(frame, plan, end=AS_OF)
            monday = pd.Timestamp(AS_OF - dt.timedelta(days=AS_OF.weekday()))
            assert got.week_adherence * 100 == pytest.approx(weeks["percent"][monday]), path.name
            change = analysis.pain_change_by_week(frame)
            assert got.baseline == pytest.approx(change.attrs["baseline"])
            assert got.pain_change == pytest.approx(change["change"].iloc[-1])
            if got.weeks >= 2:
                assert (got.verdict == "meaningful improvement") == bool(change["mcid"].iloc[-1])
            flags = analysis.pain_flags(frame)
            flags = flags[flags["day"] >= pd.Timestamp(AS_OF - dt.timedelta(days=13))]
            recent, sessions = len(flags), flags["session_id"].nunique()
            said = f"pain flags: {recent} in {sessions} session{'s' if sessions != 1 else ''}"
            assert (f"{said} (last 14 days)" in got.flags) == (recent > 0), path.name
            flares = analysis.flare_ups(frame)
            flared = bool((flares.index >= pd.Timestamp(AS_OF - dt.timedelta(days=13))).any())
            assert ("flare-up in 14 days" in got.flags) == flared, path.name
            assert got.last_session == analysis.local_day(frame).max().date()


class TestPseudonyms:
    def test_patients_are_numbered_and_no_file_name_shows(self, folder):
        view = caseload.load_caseload(folder, as_of=AS_OF, pseudonymise=True)
        names = set(view.table()["Patient"])
        assert names == {f"Patient {i}" for i in range(1, N + 2) if i != N + 1}
        fig = caseload.plot_caseload(view)
        texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
        titles = " ".join(ax.get_title(loc="left") for ax in fig.axes)
        assert "P0" not in view.table().to_string() + texts + titles
        key = caseload.pseudonym_key(view)
        assert dict(zip(key["patient"], key["file"], strict=True))["Patient 1"] == "P001.csv"


class TestChart:
    def test_one_panel_per_patient_with_bars_and_a_pain_line(self, view):
        fig = caseload.plot_caseload(view)
        panels = [ax for ax in fig.axes if ax.get_label().startswith("patient: ")]
        assert len(panels) == N
        assert [ax.get_title(loc="left") for ax in panels] == [p.patient for p in view.patients]
        pain = {ax.get_label()[len("pain: "):]: ax for ax in fig.axes
                if ax.get_label().startswith("pain: ")}  # fmt: skip
        for ax, p in zip(panels, view.patients, strict=True):
            assert len(ax.patches) == len(p.weekly_adherence)
            lines = pain[p.patient].get_lines()
            assert len(lines) == 1 and len(lines[0].get_ydata()) == len(p.weekly_pain)
            assert ax.get_ylim() == (0, 100) and pain[p.patient].get_ylim() == (0, 10)

    def test_every_panel_has_the_same_dated_weeks(self, view):
        fig = caseload.plot_caseload(view)
        fig.canvas.draw()
        panels = [ax for ax in fig.axes if ax.get_label().startswith("patient: ")]
        first = min(w for p in view.patients for w in p.weekly_pain.index)
        monday = pd.Timestamp(AS_OF) - pd.Timedelta(days=AS_OF.weekday())
        left, right = (mdates.num2date(x).replace(tzinfo=None) for x in panels[0].get_xlim())
        assert pd.Timestamp(left).ceil("D") == first  # from the first week logged
        assert pd.Timestamp(right).floor("D") == monday + pd.Timedelta(days=6)  # to the view's
        for ax in panels:
            assert ax.get_xlim() == panels[0].get_xlim()
            labels = [t.get_text() for t in ax.get_xticklabels()]
            assert len(labels) >= 3 and all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}(\n\d{4})?", t)
                                            for t in labels), labels  # fmt: skip
            ticks = [mdates.num2date(x) for x in ax.get_xticks()]
            assert {t.weekday() for t in ticks} == {0}  # the weeks' Mondays
        # a bar stands in the middle of its week
        p, ax = view.patients[-1], panels[-1]
        middles = [pd.Timestamp(mdates.num2date(b.get_x() + b.get_width() / 2)).tz_localize(None)
                   for b in ax.patches]  # fmt: skip
        assert middles == list(p.weekly_adherence.index + pd.Timedelta(days=3.5))

    @pytest.mark.parametrize("count", [1, 2])
    def test_a_few_patients_keep_the_whole_title(self, view, count):
        fig = caseload.plot_caseload(caseload.Caseload(view.patients[:count], (), AS_OF))
        fig.canvas.draw()
        title = fig.get_suptitle()
        assert title == "Weekly adherence (bars, %) and pain before exercise (line, 0-10)"
        box = fig._suptitle.get_window_extent()
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height


class TestCommand:
    def run(self, *args: str, home: Path) -> subprocess.CompletedProcess:
        env = dict(os.environ, BACKKIT_HOME=str(home), MPLBACKEND="Agg")
        return subprocess.run([sys.executable, "-m", "backkit", *args], capture_output=True,
                              text=True, env=env, cwd=home, timeout=300)  # fmt: skip

    @pytest.mark.slow  # over 2.5 s: make check leaves it to make test

    def test_prints_the_table_and_names_the_skipped_file(self, folder, tmp_path):
        plan = tmp_path / "plan.yaml"
        sample.sample_plan().save(plan)
        options = ["--plan", str(plan), "--as-of", str(AS_OF), "--pseudonymise"]
        options += ["--key", "key.csv", "--chart", "c.png"]
        out = self.run("caseload", str(folder), *options, home=tmp_path)
        assert out.returncode == 0, out.stderr
        assert "Patient 30" in out.stdout and "P001" not in out.stdout
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("backkit caseload: skipped P999.csv: ")
        for name in ("key.csv", "c.png"):
            assert (tmp_path / name).stat().st_mode & 0o777 == 0o600

    def test_a_missing_folder_is_one_line(self, tmp_path):
        out = self.run("caseload", "nowhere", home=tmp_path)
        assert out.returncode == 1
        assert "Traceback" not in out.stderr and "not a folder" in out.stderr


def test_sample_caseload_makes_a_readable_folder(tmp_path):
    files = caseload.sample_caseload(tmp_path, 4, weeks=3)
    view = caseload.load_caseload(tmp_path, plan=tmp_path / "plan.yaml", as_of="2025-03-09")
    assert len(view.patients) == len(files) == 4 and view.skipped == ()


def test_one_patient_and_a_folder_of_unreadable_files_read_right(folder, tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(folder / "P001.csv", one)
    assert caseload.load_caseload(one, as_of=AS_OF).to_text().startswith(
        "Caseload on 11 May 2025: 1 patient\n"
    )
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(folder / "P999.csv", bad)
    lines = caseload.load_caseload(bad, as_of=AS_OF).to_text().splitlines()
    assert lines[:2] == ["Caseload on 11 May 2025: 0 patients",
                         "no readable patient files (1 skipped)"]  # fmt: skip
    assert lines[-1].startswith("skipped P999.csv: ")


@pytest.mark.parametrize(
    ("first", "latest", "verdict", "flag"),
    [
        (8, 5, "meaningful improvement", None),  # a fall of 3 >= 2.4 (30% of 8)
        (8, 6, "no meaningful change", "no meaningful improvement after 2 weeks"),  # 2 < 2.4
        (6, 7, "no meaningful change", "no meaningful improvement after 2 weeks"),
        (6, 8, "higher than baseline", "pain higher than baseline"),  # a rise of 2 >= 2
        (7, 9, "no meaningful change", "no meaningful improvement after 2 weeks"),  # 2 < 2.1
    ],
)
def test_verdict_and_flags_use_the_kits_one_rule_of_2_points_and_30_percent(
    first, latest, verdict, flag
):
    start = dt.datetime(2025, 3, 3, 8, tzinfo=dt.timezone.utc)  # a Monday
    with backkit.SessionLog(":memory:") as log:
        for d in range(21):  # a session a day for three weeks
            log.record(exercise_id="bridge", started_at=start + dt.timedelta(days=d),
                       pain_before=first if d < 7 else latest)  # fmt: skip
        frame = log.frame()
    (summary,) = caseload.summarise_many(["P"], [frame], [None], as_of="2025-03-23")
    assert summary.verdict == verdict
    said = [f for f in summary.flags if "baseline" in f or "improvement" in f]
    assert said == ([flag] if flag else [])


@pytest.mark.parametrize(
    ("as_of", "flag"),
    [
        ("2025-03-24", None),  # the last session was yesterday
        ("2025-03-30", "no session for 7 days"),
        ("2025-04-20", None),  # exactly 4 weeks: "no session for 28 days", not stale yet
        ("2025-04-21", "stale data: the newest session is 4 weeks and 1 day old"),
        ("2025-05-04", "stale data: the newest session is 6 weeks old"),
    ],
)
def test_stale_data_are_flagged_with_their_age(as_of, flag):
    start = dt.datetime(2025, 3, 3, 8, tzinfo=dt.timezone.utc)  # a Monday
    with backkit.SessionLog(":memory:") as log:
        for d in range(21):  # last session on Sunday 23 March
            log.record(exercise_id="bridge", started_at=start + dt.timedelta(days=d),
                       pain_before=5, pain_after=5)  # fmt: skip
        frame = log.frame()
    (summary,) = caseload.summarise_many(["P"], [frame], [None], as_of=as_of)
    said = [f for f in summary.flags if f.startswith(("stale", "no session"))]
    if as_of == "2025-04-20":
        assert said == ["no session for 28 days"]
    else:
        assert said == ([flag] if flag else [])


def test_stale_data_on_the_pinned_clock(pin_today):
    # the caseload's default day is backkit.config.today(): the pinned clock of the tests
    pin_today("2025-05-04T09:00+00:00")
    start = dt.datetime(2025, 3, 3, 8, tzinfo=dt.timezone.utc)
    with backkit.SessionLog(":memory:") as log:
        log.record(exercise_id="bridge", started_at=start + dt.timedelta(days=20))
        frame = log.frame()
    (summary,) = caseload.summarise_many(["P"], [frame], [None])
    assert "stale data: the newest session is 6 weeks old" in summary.flags


def test_the_pain_change_shown_agrees_with_the_verdict():
    # third review, E4: a fall of 1.979 must not show as "-2.0" beside "no meaningful change"
    start = dt.datetime(2025, 3, 3, 8, tzinfo=dt.timezone.utc)
    with backkit.SessionLog(":memory:") as log:
        for d in range(7):
            log.record(exercise_id="bridge", started_at=start + dt.timedelta(days=d), pain_before=5)
        for k in range(47):  # week 2: mean 3.0213
            log.record(exercise_id="bridge", pain_before=4 if k == 0 else 3,
                       started_at=start + dt.timedelta(days=7, minutes=10 * k))  # fmt: skip
        frame = log.frame()
    (summary,) = caseload.summarise_many(["P"], [frame], [None], as_of="2025-03-10")
    row = caseload.Caseload((summary,), (), dt.date(2025, 3, 10)).table().iloc[0]
    assert row["Change vs baseline"] == "no meaningful change"
    assert row["Pain change"] == "-1.98"


def test_a_patient_who_stopped_ranks_above_one_with_recent_pain_flags():
    # the case: stopped 81 days ago, yet listed below a recent pain flag
    start = dt.datetime(2025, 3, 3, 8, tzinfo=dt.timezone.utc)
    frames = {}
    with backkit.SessionLog(":memory:") as log:  # three days in March, then nothing
        for d in range(3):
            log.record(exercise_id="bridge", started_at=start + dt.timedelta(days=d),
                       pain_before=4, pain_after=4)  # fmt: skip
        frames["stopped"] = log.frame()
    with backkit.SessionLog(":memory:") as log:  # exercising now, pain rising 3 points each time
        for d in range(14):
            log.record(exercise_id="bridge", started_at=start + dt.timedelta(days=70 + d),
                       pain_before=2, pain_after=5)  # fmt: skip
        frames["flagged"] = log.frame()
        frames["stopped lately"] = log.frame().iloc[:5]  # stopped 9 days ago
    with backkit.SessionLog(":memory:") as log:
        frames["nothing yet"] = log.frame()
    summaries = caseload.summarise_many(list(frames), list(frames.values()), [None] * 4,
                                        as_of="2025-05-25")  # fmt: skip
    ranked = sorted(summaries, key=lambda p: p.attention)
    assert [p.patient for p in ranked] == ["nothing yet", "stopped", "stopped lately", "flagged"]
    assert [p.days_without for p in ranked] == [None, 81, 9, 0]
    assert ranked[3].pain_flags > 0 and ranked[1].flags == (
        "stale data: the newest session is 3 months old",
    )


# --------------------------------------------------------------------------
# The caseload in one pass: the same rows as each patient alone

VARIED_AS_OF = dt.date(2025, 3, 30)  # the UK's clock change: local days are not UTC days


def _session_rated(frame: pd.DataFrame, every: int = 1) -> pd.DataFrame:
    """``frame`` with every ``every``-th session rated as a whole, its bouts then unrated."""
    out = frame.copy()
    sessions = out["session_id"].astype(str)
    chosen = sessions.isin(sessions.unique()[::every])
    first = out.groupby(sessions)["pain_before"].transform("first")
    worst = out.groupby(sessions)["pain_after"].transform("max")
    out.loc[chosen, "session_pain_before"] = first[chosen]
    out.loc[chosen, "session_pain_after"] = worst[chosen]
    out.loc[chosen, ["pain_before", "pain_after"]] = pd.NA
    return out


def _varied_logs() -> dict[str, pd.DataFrame]:
    """Patients whose logs differ in every way the summary reads."""
    logs = {
        "A-bouts": sample.sample_log(weeks=6, seed=1, profile="flare-up"),
        "B-sessions": _session_rated(sample.sample_log(weeks=6, seed=2, profile="flare-up")),
        "C-mixed": _session_rated(sample.sample_log(weeks=6, seed=3, profile="plateau"), 3),
        "F-stopped": sample.sample_log(weeks=2, seed=6, profile="flare-up"),
        "H-later": sample.sample_log(weeks=3, seed=8, start="2025-03-24"),  # runs past the day
    }
    rated = logs["B-sessions"]
    last = (rated["session_id"] == rated["session_id"].iloc[-1]).to_numpy()
    rated.loc[last, ["session_pain_before", "session_pain_after"]] = [4, 8]  # a session's flag
    skipped = sample.sample_log(weeks=6, seed=4, profile="flare-up")
    sessions = skipped["session_id"].astype(str)
    nothing = sessions.isin(sessions.unique()[::3])  # every third session: nothing done
    skipped.loc[nothing, ["sets_done", "reps_done"]] = 0
    skipped.loc[nothing, "status"] = "partial"
    skipped.loc[nothing, ["pain_after"]] = pd.NA
    logs["D-skipped"] = skipped
    unrated = sample.sample_log(weeks=4, seed=5, profile="improving")
    unrated[["pain_before", "pain_after"]] = pd.NA
    logs["E-unrated"] = unrated
    one = sample.sample_log(weeks=1, seed=7, start="2025-03-24")
    logs["G-one-day"] = one[analysis.local_day(one) == analysis.local_day(one).min()]
    return logs


@pytest.fixture
def varied(tmp_path, monkeypatch) -> Path:
    """A folder of the varied patients: CSV exports and log files, plans of several kinds."""
    monkeypatch.setenv("BACKKIT_TZ", "Europe/London")
    root = tmp_path / "varied"
    root.mkdir()
    for name, frame in _varied_logs().items():
        if name in ("B-sessions", "F-stopped"):
            with backkit.SessionLog(root / f"{name}.sqlite") as log:
                log.record_many(frame.astype(object).where(frame.notna(), None).to_dict("records"))
        else:
            write_csv(frame, root / f"{name}.csv")
    start = sample.sample_plan().start
    backkit.Plan("Ends early", items=["bridge", "squat"], weekdays=["mon", "wed", "fri"],
                 start=start, end="2025-03-12").save(root / "C-mixed.yaml")  # fmt: skip
    backkit.Plan("Not yet", items=["bridge"], weekdays=["mon"],
                 start="2025-04-07").save(root / "D-skipped.yaml")  # fmt: skip
    write_csv(sample.sample_log(weeks=1).iloc[:0], root / "I-empty.csv")  # a header, no rows
    (root / "J-zero.csv").write_bytes(b"")
    (root / "K-damaged.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    (root / "L-damaged.csv").write_text("session_id,started_at,exercise_id\nx,yesterday,bridge\n")
    return root


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def _alone(path: Path, plan: backkit.Plan | None) -> dict:
    """One patient's row from the kit's functions on that patient's log alone."""
    frame = patientfile.read(path).frame
    frame = frame[(analysis.local_day(frame) <= pd.Timestamp(VARIED_AS_OF)).to_numpy()]
    since = pd.Timestamp(VARIED_AS_OF - dt.timedelta(days=13))
    day = analysis.local_day(frame)
    pain = analysis.weekly_pain(frame)["before_mean"].dropna()
    base = analysis.baseline_pain(frame)
    flags = analysis.pain_flags(frame)
    flags = flags[(flags["day"] >= since).to_numpy()]
    row = {
        "weeks": (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).nunique(),
        "last_session": day.max().date() if len(day) else None,
        "baseline": base,
        "pain_change": float(pain.iloc[-1]) - base if len(pain) else math.nan,
        "weekly_pain": pain,
        "pain_flags": (len(flags), flags["session_id"].nunique()),
        "flare": bool((analysis.flare_ups(frame).index >= since).any()),
        "week_adherence": math.nan,
        "overall_adherence": math.nan,
        "weekly_adherence": pd.Series([], dtype=float),
    }
    end = min(VARIED_AS_OF, plan.end) if plan is not None and plan.end else VARIED_AS_OF
    if plan is not None and end >= plan.start:
        _, weeks = analysis.weekly_adherence(frame, plan, end=end)
        monday = pd.Timestamp(end - dt.timedelta(days=end.weekday()))
        overall = adherence(frame, plan, "W", end=end).attrs["overall"]
        row |= {
            "week_adherence": float(weeks["percent"].get(monday, math.nan)) / 100,
            "overall_adherence": math.nan if overall is None else overall,
            "weekly_adherence": weeks["percent"],
        }
    return row


def test_the_caseload_in_one_pass_gives_each_patient_their_own_rows(varied):
    """Stacked and grouped, every number is the kit's functions' on each log alone, exactly."""
    default = sample.sample_plan()
    view = caseload.load_caseload(varied, plan=default, as_of=VARIED_AS_OF)
    assert sorted(line.split(":")[0] for line in view.skipped) == [
        "J-zero.csv", "K-damaged.sqlite", "L-damaged.csv"
    ]  # fmt: skip
    got = {p.patient: p for p in view.patients}
    assert sorted(got) == sorted([*_varied_logs(), "I-empty"])
    for path in patientfile.listing(varied).files:
        if path.stem not in got:
            continue
        own = path.with_suffix(".yaml")
        plan = backkit.Plan.load(own) if own.exists() else default
        want, p = _alone(path, plan), got[path.stem]
        assert (p.weeks, p.last_session) == (want["weeks"], want["last_session"]), path.name
        for name in ("baseline", "pain_change", "week_adherence", "overall_adherence"):
            assert _same(getattr(p, name), want[name]), (path.name, name)
        flags, sessions = want["pain_flags"]
        assert p.pain_flags == flags, path.name
        said = [f for f in p.flags if f.startswith("pain flags:")]
        plural = "s" if sessions != 1 else ""
        assert said == ([f"pain flags: {flags} in {sessions} session{plural} (last 14 days)"]
                        if flags else []), path.name  # fmt: skip
        assert ("flare-up in 14 days" in p.flags) == want["flare"], path.name
        assert p.weekly_pain.to_numpy().tolist() == want["weekly_pain"].to_numpy().tolist()
        assert list(p.weekly_pain.index) == list(want["weekly_pain"].index), path.name
        np_got, np_want = p.weekly_adherence.to_numpy(), want["weekly_adherence"].to_numpy()
        assert len(np_got) == len(np_want) and all(map(_same, np_got, np_want)), path.name
    # what the logs hold, so the comparison is not empty: each kind of rating flags
    assert got["A-bouts"].pain_flags > 0 and got["B-sessions"].pain_flags > 0
    assert not math.isnan(got["B-sessions"].baseline)  # from the whole-session ratings
    assert math.isnan(got["E-unrated"].baseline) and got["I-empty"].last_session is None
    assert math.isnan(got["D-skipped"].week_adherence)  # the plan has not started


def test_one_pass_and_one_patient_at_a_time_agree_in_every_field_and_rank(varied):
    default = sample.sample_plan()
    view = caseload.load_caseload(varied, plan=default, as_of=VARIED_AS_OF)
    alone = []
    for path in patientfile.listing(varied).files:
        try:
            frame = patientfile.read(path).frame  # the typed reader, not the fast CSV path
        except backkit.BackkitError:
            continue
        own = path.with_suffix(".yaml")
        plan = backkit.Plan.load(own) if own.exists() else default
        alone.append(caseload.summarise(path.stem, frame, plan, as_of=VARIED_AS_OF))
    alone.sort(key=lambda p: p.attention)
    assert [p.patient for p in view.patients] == [p.patient for p in alone]
    for got, want in zip(view.patients, alone, strict=True):
        for name in ("weeks", "verdict", "last_session", "flags", "days_without", "pain_flags"):
            assert getattr(got, name) == getattr(want, name), (got.patient, name)
        for name in ("week_adherence", "overall_adherence", "baseline", "pain_change"):
            assert _same(getattr(got, name), getattr(want, name)), (got.patient, name)


def test_a_session_rated_log_shows_the_same_pain_as_the_analysis(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKKIT_TZ", "Europe/London")
    frame = _session_rated(sample.sample_log(weeks=4, seed=2))
    assert frame["pain_before"].isna().all()  # only whole-session ratings
    path = write_csv(frame, tmp_path / "P.csv")
    (p,) = caseload.load_caseload(tmp_path, as_of="2025-03-16").patients
    change = analysis.pain_change_by_week(patientfile.read(path).frame)
    assert p.baseline == change.attrs["baseline"] and p.pain_change == change["change"].iloc[-1]


def test_a_clinic_summarised_a_few_patients_at_a_time_gives_the_same_rows(varied, monkeypatch):
    """Memory stays bounded by summarising in chunks; no patient's row depends on the chunk."""
    default = sample.sample_plan()
    whole = caseload.load_caseload(varied, plan=default, as_of=VARIED_AS_OF)
    monkeypatch.setattr(caseload, "_CHUNK_ROWS", 200)  # a chunk every patient or two
    chunked = caseload.load_caseload(varied, plan=default, as_of=VARIED_AS_OF)
    assert chunked.to_text() == whole.to_text() and chunked.skipped == whole.skipped
    for a, b in zip(chunked.patients, whole.patients, strict=True):
        assert a.weekly_pain.equals(b.weekly_pain) and a.weekly_adherence.equals(b.weekly_adherence)
        assert all(_same(getattr(a, n), getattr(b, n)) for n in ("baseline", "week_adherence"))
