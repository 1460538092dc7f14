"""Patient reports: run the clinician notebook on a patient's log and share the result.

:func:`build` executes ``notebooks/30_clinician_review.ipynb`` with nbclient,
the inputs injected after its ``parameters`` cell (the papermill convention),
and writes a self-contained HTML report: charts embedded as PNG, code hidden,
nothing fetched from the internet. With ``pdf=True`` it also prints a PDF with
nbconvert's ``webpdf`` exporter and the system's Chromium (never a downloaded
browser).

Privacy is part of the report, not an afterthought. :class:`Privacy` holds the
rules and applies them with pure functions, before anything is drawn:

- the report names the patient by a **pseudonym**; the real name appears only
  when it is given (``real_name``), and words listed in ``redact`` (names in
  notes or plan titles) are replaced by the pseudonym wherever text is kept;
- a **date shift** moves every date (bouts, the plan, check-ins, ISO dates
  inside kept text) by a whole number of days; session and check-in ids,
  which embed dates, are renumbered;
- the patient's **free-text notes** are left out unless ``include_notes``;
- the **input file's name and folder** never reach the notebook: it reads a
  copy with a neutral name (a log called ``jane_doe.csv`` does not leak
  "jane" through the report).

Examples
--------
>>> from backkit.report import Privacy
>>> p = Privacy("Patient A", date_shift=7, redact=["Jane Doe"])
>>> p.text("Jane said her back felt better on 2025-03-01")
'Patient A said her back felt better on 2025-03-08'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import LogFileError, ReportError
from .store import snapshot, write_atomically

if TYPE_CHECKING:
    import pandas as pd

    from .plan import Plan

__all__ = [
    "NOTEBOOK",
    "REMOVED_TAGS",
    "Inputs",
    "Privacy",
    "ReportError",
    "build",
    "chart_html",
    "find_chromium",
    "load_inputs",
    "read_log",
    "sample_paths",
]

#: The notebook :func:`build` runs (in ``notebooks/`` or, installed, ``backkit/notebooks``).
NOTEBOOK = "30_clinician_review.ipynb"
#: Cells with these tags are run but left out of the report: the clinician's
#: instructions and export (``bk-no-report``) and the worked example of an
#: annotation (``bk-example``), which is about the sample data, not a patient.
REMOVED_TAGS = ("bk-no-report", "bk-example")
_MAX_SHIFT = 36_500  # days; a century either way catches a typo
_MAX_NAME = 60  # characters of a pseudonym or a real name
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_WORD_BREAK = re.compile(r"[\s_.,;:/\\-]+")  # between the words of a name ("jane_doe")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # terminal colour codes in a kernel's error
_CELL_TIMEOUT = 180  # seconds for one cell of the clinician notebook
#: Flags for headless Chromium on a machine with no internet (also used by the browser tests).
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    # Any host but the loopback fails at once: the report needs nothing from outside.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


# --------------------------------------------------------------------------
# Privacy: pure functions on frames, plans and text


def _check_name(field_name: str, value: Any, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > _MAX_NAME:
        raise ReportError(f"{field_name} = {value!r}: give a name of 1 to {_MAX_NAME} characters")
    return value.strip()


@dataclass(frozen=True)
class Privacy:
    """How a report de-identifies a patient's data.

    Parameters
    ----------
    pseudonym : str
        The name the report uses for the patient (default ``"Patient"``).
    real_name : str, optional
        The patient's real name. Shown in the report *only* when given (for a
        report the clinic keeps); otherwise the report never has it.
    date_shift : int
        Days added to every date (negative moves back). A multiple of 7 keeps
        weekdays and the Monday-to-Sunday weeks as they were; any other shift
        rotates the plan's weekdays with the dates, so adherence is unchanged.
    include_notes : bool
        Keep the patient's free-text notes (and the plan's notes). Off by
        default: notes are where names, places and other people appear.
    redact : sequence of str
        Words to replace by the pseudonym wherever text is kept (the patient's
        name in notes, a plan called "Jane's plan"). Each word of a multi-word
        entry is replaced on its own too, whole words only, any case.

    Raises
    ------
    ReportError
        For an empty or over-long name, or a shift that is not a whole number
        of days within a century.

    Examples
    --------
    >>> from backkit.report import Privacy
    >>> Privacy("Patient A").name, Privacy("Patient A", real_name="Jane Doe").name
    ('Patient A', 'Jane Doe')
    """

    pseudonym: str = "Patient"
    real_name: str | None = None
    date_shift: int = 0
    include_notes: bool = False
    redact: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "pseudonym", _check_name("pseudonym", self.pseudonym, required=True))
        put(self, "real_name", _check_name("real_name", self.real_name, required=False))
        shift = self.date_shift
        if isinstance(shift, str):
            with contextlib.suppress(ValueError):
                shift = int(shift.strip())
        if isinstance(shift, bool) or not isinstance(shift, int) or abs(shift) > _MAX_SHIFT:
            raise ReportError(
                f"date_shift = {self.date_shift!r}: give a whole number of days "
                f"from -{_MAX_SHIFT} to {_MAX_SHIFT}"
            )
        put(self, "date_shift", shift)
        if not isinstance(self.include_notes, bool):
            raise ReportError(f"include_notes = {self.include_notes!r}: give True or False")
        words = [self.redact] if isinstance(self.redact, str) else list(self.redact or ())
        for word in words:
            if not isinstance(word, str) or not word.strip():
                raise ReportError(f"redact: {word!r} is not a word to redact")
        put(self, "redact", tuple(w.strip() for w in words))

    @property
    def name(self) -> str:
        """The name the report shows: the real name when given, else the pseudonym."""
        return self.real_name or self.pseudonym

    @property
    def days(self) -> dt.timedelta:
        """The date shift as a timedelta."""
        return dt.timedelta(days=self.date_shift)

    def _terms(self) -> list[str]:
        terms = set()
        for entry in self.redact:
            terms.add(entry)
            terms.update(part for part in _WORD_BREAK.split(entry) if len(part) >= 2)
        return sorted(terms, key=len, reverse=True)  # "Jane Doe" before "Jane"

    def text(self, value: Any) -> Any:
        """Return kept text with redacted words replaced and ISO dates shifted.

        Missing values (None, NA) are returned as they are.

        Examples
        --------
        >>> from backkit.report import Privacy
        >>> Privacy("P", redact=["jane_doe"]).text("Jane's knee; JANE DOE rang")
        "P's knee; P rang"
        """
        if not isinstance(value, str):
            return value
        out = value
        for term in self._terms():
            # whole words only, so "Ann" does not eat into "planning"
            words = r"[\s_.-]+".join(re.escape(w) for w in _WORD_BREAK.split(term) if w)
            pattern = rf"(?<![^\W_]){words}(?![^\W_])"
            out = re.sub(pattern, self.pseudonym, out, flags=re.IGNORECASE)
        if self.date_shift:
            out = _ISO_DATE.sub(self._shift_iso, out)
        return out

    def _shift_iso(self, match: re.Match[str]) -> str:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return match[0]  # not a real date: leave it
        return (day + self.days).isoformat()

    def log(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return a de-identified copy of a session-log frame.

        Times move by the date shift; session ids (which embed the date and
        time) become ``session-001``, ``session-002``... in time order; notes
        are emptied unless ``include_notes`` (then redacted and date-shifted);
        plan ids are redacted. The input frame is not changed.

        Examples
        --------
        >>> import backkit
        >>> from backkit.report import Privacy
        >>> log = backkit.sample_log(weeks=1)
        >>> out = Privacy("P", date_shift=-14).log(log)
        >>> (log["started_at"] - out["started_at"]).dt.days.unique().tolist()
        [14]
        >>> out["session_id"].iloc[0], bool(out["notes"].isna().all())
        ('session-001', True)
        """
        import pandas as pd

        out = frame.copy()
        for column in ("started_at", "ended_at"):
            if column in out:
                out[column] = out[column] + pd.Timedelta(days=self.date_shift)
        if "session_id" in out and len(out):
            first = out.groupby("session_id", sort=False, observed=True)["started_at"].min()
            order = first.sort_values(kind="stable").index
            width = max(3, len(str(len(order))))
            new_ids = {old: f"session-{n:0{width}d}" for n, old in enumerate(order, start=1)}
            out["session_id"] = out["session_id"].map(new_ids).astype(frame["session_id"].dtype)
        if "notes" in out:
            if self.include_notes:
                out["notes"] = out["notes"].map(self.text, na_action="ignore")
            else:
                out["notes"] = pd.Series(pd.NA, index=out.index, dtype=frame["notes"].dtype)
            out["notes"] = out["notes"].astype(frame["notes"].dtype)
        if "plan_id" in out:
            out["plan_id"] = (
                out["plan_id"].map(self._plan_id, na_action="ignore").astype(frame["plan_id"].dtype)
            )
        return out

    def _plan_id(self, value: str) -> str:
        from ._checks import slug as _slug

        return _slug(self.text(value.replace("-", " "))) if self._terms() else value

    def plan(self, plan: Plan | None) -> Plan | None:
        """Return a de-identified copy of a plan: dates shifted, name redacted, notes kept or not.

        The author (the clinician) is kept. Named weekdays move with the dates,
        so a Monday plan shifted by 2 days becomes a Wednesday plan.

        Examples
        --------
        >>> import datetime as dt
        >>> from backkit.plan import Plan
        >>> from backkit.report import Privacy
        >>> plan = Plan("Jane's plan", items=["bridge"], weekdays=["mon"], notes="call Jane",
        ...             start=dt.date(2025, 3, 3))
        >>> out = Privacy("P", date_shift=2, redact=["Jane"]).plan(plan)
        >>> out.name, out.start.isoformat(), out.weekdays, out.notes
        ("P's plan", '2025-03-05', ('wed',), '')
        """
        if plan is None:
            return None
        from .plan import WEEKDAYS, Plan

        weekdays = None
        if plan.weekdays is not None:
            weekdays = tuple(
                WEEKDAYS[(WEEKDAYS.index(day) + self.date_shift) % 7] for day in plan.weekdays
            )
        return Plan(
            name=self.text(plan.name),
            author=plan.author,
            items=plan.items,
            start=plan.start + self.days,
            end=plan.end + self.days if plan.end is not None else None,
            days_per_week=plan.days_per_week if weekdays is None else None,
            weekdays=weekdays,
            notes=self.text(plan.notes) if self.include_notes else "",
        )

    def outcomes(self, frame: pd.DataFrame | None) -> pd.DataFrame | None:
        """Return de-identified outcome check-ins (``backkit.outcomes`` frame) or None.

        Dates move by the shift, check-in ids are renumbered, notes are kept
        only with ``include_notes``, and activity names (PSFS items) are redacted.

        Examples
        --------
        >>> from backkit.report import Privacy
        >>> from backkit.sample import sample_checkins
        >>> out = Privacy("P", date_shift=7).outcomes(sample_checkins(weeks=2))
        >>> str(out["date"].min().date()), out["checkin_id"].unique().tolist()
        ('2025-02-24', ['checkin-001', 'checkin-002'])
        """
        if frame is None:
            return None
        import pandas as pd

        out = frame.copy()
        if "date" in out:
            out["date"] = out["date"] + pd.Timedelta(days=self.date_shift)
        if "checkin_id" in out and len(out):
            first = out.groupby("checkin_id", sort=False)["date"].min().sort_values(kind="stable")
            new_ids = {old: f"checkin-{n:03d}" for n, old in enumerate(first.index, start=1)}
            out["checkin_id"] = out["checkin_id"].map(new_ids).astype(frame["checkin_id"].dtype)
        if "item" in out:
            out["item"] = out["item"].map(self.text, na_action="ignore").astype(frame["item"].dtype)
        if "notes" in out:
            if self.include_notes:
                kept = out["notes"].map(self.text, na_action="ignore")
            else:
                kept = pd.Series(pd.NA, index=out.index)
            out["notes"] = kept.astype(frame["notes"].dtype)
        return out


# --------------------------------------------------------------------------
# Charts in the report


def chart_html(chart: Any, *, sample: bool = False, dpi: int = 100) -> str:
    """Return a chart as an ``<img>`` with the PNG embedded and its titles as alt text.

    The figure is closed afterwards, so Jupyter does not show it a second time.

    Parameters
    ----------
    chart : Axes or Figure
        What a ``backkit.charts`` function returned.
    sample : bool
        Stamp the chart "SAMPLE DATA" (:func:`backkit.charts.mark_sample`).
    dpi : int
        Resolution of the PNG.

    Examples
    --------
    >>> import backkit
    >>> from backkit.report import chart_html
    >>> html = chart_html(backkit.plot_pain_trend(backkit.sample_log(weeks=2)))
    >>> html.startswith('<img alt="Pain before exercise"'), "data:image/png;base64," in html
    (True, True)
    """
    import base64
    import html
    import io

    import matplotlib.pyplot as plt

    from .charts import mark_sample

    fig = getattr(chart, "figure", chart)
    suptitle = getattr(fig, "_suptitle", None)  # a multi-panel figure's own title
    if sample:
        if suptitle is not None and suptitle.get_text():
            # the stamp's corner is taken by the title there: say it in the title
            first, *rest = suptitle.get_text().split("\n")
            if "sample" not in first.lower():
                suptitle.set_text("\n".join([f"{first} (SAMPLE DATA)", *rest]))
        else:
            mark_sample(fig)
    titles = [t for ax in fig.axes if (t := ax.get_title())]
    if suptitle is not None:
        titles.insert(0, suptitle.get_text())
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = html.escape(" ".join("; ".join(titles).split()) or "chart", quote=True)
    return f'<img alt="{alt}" src="data:image/png;base64,{data}" style="max-width:100%">'


# --------------------------------------------------------------------------
# Inputs


def sample_paths() -> tuple[Path, Path]:
    """The sample log (CSV) and plan (YAML) shipped inside the package.

    Examples
    --------
    >>> from backkit.report import sample_paths
    >>> [p.name for p in sample_paths()]
    ['sample_sessions.csv', 'sample_plan.yaml']
    """
    data = resources.files("backkit") / "data"
    return Path(str(data / "sample_sessions.csv")), Path(str(data / "sample_plan.yaml"))


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def read_log(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a patient's log without changing it: a CSV export or a log file (SQLite).

    A CSV is validated row by row as :meth:`SessionLog.import_csv` does (all
    problems named, by file name and row). A log file is read from a
    :func:`snapshot`, so nothing is written to or beside the patient's file
    (not even an upgrade to a newer schema), and rows still in its
    write-ahead log are included.

    Returns
    -------
    (DataFrame, DataFrame)
        The session-log frame, and the outcome check-ins (none for a CSV).

    Raises
    ------
    ReportError
        For a missing or unreadable file or one that is neither.
    LogFileError, LogValidationError
        For invalid rows or a damaged, foreign or too new log file, naming the file.

    Examples
    --------
    >>> from backkit.report import read_log, sample_paths
    >>> frame, outcomes = read_log(sample_paths()[0])
    >>> len(frame), len(outcomes)
    (683, 0)
    """
    from .log import SessionLog
    from .outcomes import empty_outcomes, outcomes_frame

    path = Path(path).expanduser()
    if not path.is_file():
        raise ReportError(f"{path}: no such file (give the patient's exported log, a .csv)")
    try:
        sqlite = _is_sqlite(path)
    except OSError as err:
        raise ReportError(f"{path}: cannot be read: {err.strerror}") from None
    if not sqlite:
        if path.suffix.lower() not in (".csv", ".txt"):
            raise ReportError(
                f"{path}: not a CSV file or a backkit log file "
                "(give a .csv export or a .sqlite log)"
            )
        with SessionLog(":memory:") as log:
            log.import_csv(path)
            return log.frame(), empty_outcomes()
    with tempfile.TemporaryDirectory(prefix="backkit-read-") as tmp:
        copy = snapshot(path, Path(tmp) / "log.sqlite")
        try:
            log = SessionLog(copy, create=False)
        except LogFileError as err:
            raise err.at(path) from None  # the patient's file, not our copy
        with log:
            return log.frame(), outcomes_frame(log)


@dataclass(frozen=True)
class Inputs:
    """What the clinician notebook reads: log, plan, check-ins, and whether it is a sample."""

    frame: Any
    plan: Any
    outcomes: Any
    is_sample: bool


def load_inputs(log_path: str | Path | None, plan_path: str | Path | None = None) -> Inputs:
    """Load a log and its plan for the clinician notebook; None for the shipped sample.

    With ``log_path=None`` the sample log is used, with its check-ins
    (:func:`backkit.sample.sample_checkins`), and the sample plan unless a
    plan is given. With a log and no plan, adherence is reported as days
    exercised, with no prescription to compare against.

    Examples
    --------
    >>> from backkit.report import load_inputs
    >>> inputs = load_inputs(None)
    >>> inputs.is_sample, inputs.plan.name, len(inputs.frame) > 500
    (True, 'Sample plan: seven exercises daily', True)
    """
    from .plan import Plan

    sample = log_path is None
    if sample:
        log_path, sample_plan = sample_paths()
        plan_path = plan_path if plan_path is not None else sample_plan
    frame, outcomes = read_log(log_path)  # type: ignore[arg-type]
    if sample:
        from .sample import sample_checkins

        # the check-ins that go with the shipped sample log (same weeks and profile)
        outcomes = sample_checkins(weeks=12, seed=0, profile="improving")
    plan = Plan.load(plan_path) if plan_path is not None else None
    notes = frame["notes"].astype("string")
    is_sample = bool(notes.str.startswith("sample data").fillna(False).any())
    return Inputs(frame=frame, plan=plan, outcomes=outcomes, is_sample=is_sample)


def _notebook_path(notebook: str | Path | None) -> Path:
    from .config import notebooks_dir

    path = Path(notebook).expanduser() if notebook is not None else notebooks_dir() / NOTEBOOK
    if not path.is_file():
        raise ReportError(f"{path}: the clinician notebook is missing")
    return path


# --------------------------------------------------------------------------
# Progress


class _Progress:
    """A text progress bar on stderr: redrawn in place on a terminal, one line a step otherwise."""

    def __init__(self, total: int, *, enabled: bool, stream: TextIO | None = None):
        self.total = total
        self.done = 0
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if hasattr(self.stream, "isatty") else False
        self.label = ""
        self.start = time.monotonic()

    def step(self, label: str) -> None:
        if self.label:
            self.done += 1
        self.label = label
        self._draw(label, line=True)

    def detail(self, text: str, fraction: float) -> None:
        if self.tty:  # in-place updates only where they do not flood a log file
            self._draw(f"{self.label} {text}", extra=fraction)

    def abort(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")  # an error message starts on a line of its own
            self.stream.flush()

    def finish(self, text: str) -> None:
        self.done = self.total
        self._draw(f"{text} ({time.monotonic() - self.start:.1f} s)", line=True, end=True)

    def _draw(
        self, text: str, *, extra: float = 0.0, line: bool = False, end: bool = False
    ) -> None:
        if not self.enabled:
            return
        width = 24
        filled = int(width * min(1.0, (self.done + extra) / self.total))
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {text}"
        if self.tty:
            self.stream.write("\r\x1b[2K" + bar + ("\n" if end else ""))
        elif line:
            self.stream.write(bar + "\n")
        self.stream.flush()


# --------------------------------------------------------------------------
# Building


def find_chromium() -> str | None:
    """A system Chromium for PDFs: ``$BACKKIT_CHROMIUM``, /usr/bin/chromium, or on PATH.

    Returns the path, or None when there is none (then ``build(pdf=True)``
    says so before doing any work). backkit never downloads a browser.

    Examples
    --------
    >>> from backkit.report import find_chromium
    >>> find_chromium() is None or find_chromium().startswith("/")
    True
    """
    for candidate in (
        os.environ.get("BACKKIT_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _parameters(values: dict[str, Any]) -> str:
    lines = ["# Parameters injected by backkit.report.build"]
    lines += [f"{name} = {value!r}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


def _inject(nb: Any, values: dict[str, Any]) -> None:
    """Insert a cell of parameter values after the ``parameters`` cell (papermill's way)."""
    import nbformat

    cell = nbformat.v4.new_code_cell(_parameters(values))
    cell.metadata["tags"] = ["injected-parameters"]
    for index, existing in enumerate(nb.cells):
        if "parameters" in existing.get("metadata", {}).get("tags", []):
            nb.cells.insert(index + 1, cell)
            return
    raise ReportError("the clinician notebook has no cell tagged 'parameters'")


def _execute(nb: Any, workdir: Path, progress: _Progress) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
    count = 0

    def on_cell(cell: Any, **_: Any) -> None:
        nonlocal count
        if cell.cell_type == "code":
            count += 1
            progress.detail(f"(cell {count} of {code_cells})", count / code_cells)

    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the kernel's inline backend draws the charts
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    client = NotebookClient(
        nb,
        timeout=_CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        on_cell_executed=on_cell,
    )
    kernel_log = workdir / "kernel.log"
    try:
        # The kernel's own chatter goes to a file, not over the progress bar.
        with open(kernel_log, "wb") as stderr:
            client.execute(env=env, cwd=str(workdir), stderr=stderr)
    except CellExecutionError as err:
        # The kernel's error type and message name the cause; its traceback (in
        # colour codes) is for a developer, not for the clinician's terminal.
        cause = _ANSI.sub("", f"{err.ename}: {err.evalue}").strip()
        raise ReportError(f"the clinician notebook failed: {' '.join(cause.split())}") from None
    except CellTimeoutError:
        raise ReportError(
            f"the clinician notebook took more than {_CELL_TIMEOUT} s for one cell"
        ) from None


def _exporter(kind: str) -> Any:
    from nbconvert import HTMLExporter, WebPDFExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    template = resources.files("backkit") / "data" / "report.html.j2"
    cls = HTMLExporter if kind == "html" else WebPDFExporter
    exporter = cls(
        template_name="lab",
        raw_template=template.read_text(encoding="utf-8"),
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    remove = TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True)
    exporter.register_preprocessor(remove, enabled=True)
    if kind == "pdf":
        exporter.disable_sandbox = True  # containers run as root, where the sandbox cannot start
        exporter.browser_args = list(CHROMIUM_FLAGS)
        exporter.paginate = True
    return exporter


def _playwright_revision() -> str:
    import playwright

    browsers = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    for entry in json.loads(browsers.read_text())["browsers"]:
        if entry["name"] == "chromium-headless-shell":
            return str(entry["revision"])
    raise ReportError("the installed playwright names no chromium-headless-shell revision")


@contextlib.contextmanager
def _system_chromium(chromium: str) -> Iterator[None]:
    """Let nbconvert's webpdf (playwright) use the system Chromium instead of downloading one.

    Playwright looks for its own headless shell under ``PLAYWRIGHT_BROWSERS_PATH``;
    a folder holding a link from that name to the system Chromium satisfies it.
    """
    with tempfile.TemporaryDirectory(prefix="backkit-chromium-") as tmp:
        folder = Path(tmp) / f"chromium_headless_shell-{_playwright_revision()}"
        shell = folder / "chrome-headless-shell-linux64" / "chrome-headless-shell"
        shell.parent.mkdir(parents=True)
        shell.symlink_to(chromium)
        old = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
        os.environ["PLAYWRIGHT_BROWSERS_PATH"] = tmp
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("PLAYWRIGHT_BROWSERS_PATH", None)
            else:
                os.environ["PLAYWRIGHT_BROWSERS_PATH"] = old


def _check_outputs(out: Path, pdf: bool, plan_out: Any, privacy: Privacy) -> str | None:
    """Refuse bad output options before any work; return the Chromium for a PDF."""
    if out.suffix.lower() not in (".html", ".htm"):
        raise ReportError(f"output file {str(out)!r}: give an .html file name")
    if out.is_dir():
        raise ReportError(f"output file {str(out)!r} is a folder; give an .html file name")
    if plan_out is not None and privacy.date_shift:
        raise ReportError(
            "saving the next plan (plan_out) with a date shift would give the patient a plan with "
            "shifted dates; make the plan from an unshifted report"
        )
    chromium = find_chromium() if pdf else None
    if pdf and chromium is None:
        raise ReportError(
            "no Chromium for the PDF (looked at $BACKKIT_CHROMIUM, /usr/bin/chromium "
            "and PATH); install one (Debian: apt-get install chromium) or leave out --pdf"
        )
    return chromium


def _neutral_copies(work: Path, log_path: Path | None, plan_path: Path | None) -> dict[str, Any]:
    """Copy the inputs under neutral names: the patient's file name never reaches the kernel."""
    copy_log = copy_plan = None
    if log_path is not None:
        if _is_sqlite(log_path):
            copy_log = snapshot(log_path, work / "log.sqlite")  # with the rows still in -wal
        else:
            copy_log = work / "log.csv"
            shutil.copyfile(log_path, copy_log)
    if plan_path is not None:
        copy_plan = work / "plan.yaml"
        shutil.copyfile(plan_path, copy_plan)
    return {
        "log_path": str(copy_log) if copy_log else None,
        "plan_path": str(copy_plan) if copy_plan else None,
    }


def _render(nb: Any, privacy: Privacy, out: Path, chromium: str | None, bar: _Progress) -> dict:
    """Export the executed notebook: the HTML report, and the PDF when a Chromium is given."""
    bar.step("writing the HTML report")
    meta = {"metadata": {"name": f"Back exercise review: {privacy.name}"}}
    html, _ = _exporter("html").from_notebook_node(nb, resources=meta)
    files = {out: html.encode("utf-8")}
    if chromium is not None:
        bar.step("printing the PDF with Chromium")
        try:
            with _system_chromium(chromium):
                data, _ = _exporter("pdf").from_notebook_node(nb, resources=meta)
        except RuntimeError as err:
            raise ReportError(f"the PDF could not be printed with {chromium}: {err}") from None
        files[out.with_suffix(".pdf")] = data
    return files


def build(
    log: str | Path | None,
    *,
    plan: str | Path | None = None,
    out: str | Path = "report.html",
    pseudonym: str = "Patient",
    real_name: str | None = None,
    date_shift: int = 0,
    include_notes: bool = False,
    redact: Sequence[str] = (),
    pdf: bool = False,
    plan_out: str | Path | None = None,
    notebook: str | Path | None = None,
    progress: bool | TextIO = True,
) -> list[Path]:
    """Run the clinician notebook on a patient's log and write the report; return the files.

    Parameters
    ----------
    log : path or None
        The patient's exported log (``.csv``) or log file (``.sqlite``); None
        for the sample log (and, without ``plan``, the sample plan).
    plan : path, optional
        The patient's plan (YAML). Without one, adherence is days exercised.
    out : path
        The HTML file to write (default ``report.html``); the PDF goes beside
        it with the suffix ``.pdf``.
    pseudonym, real_name, date_shift, include_notes, redact
        De-identification; see :class:`Privacy`. The real name appears only
        when given.
    pdf : bool
        Also print a PDF with the system's Chromium. When none is found the
        call fails at once, before any work, naming where it looked.
    plan_out : path, optional
        Also save the next plan the notebook proposes (YAML), for the patient
        to activate. Not written by default.
    notebook : path, optional
        A clinician notebook of your own (for example one you annotated);
        default the kit's ``30_clinician_review.ipynb``.
    progress : bool or file
        Show a progress bar on stderr (or on the file given).

    Returns
    -------
    list of Path
        The files written: the HTML report, then the PDF and the plan when asked.

    Raises
    ------
    ReportError
        For bad options, missing files, no Chromium for a PDF, or a failure in
        the notebook. Nothing is written then.
    LogError, PlanError
        For invalid rows in the log, a damaged log file or an invalid plan, naming
        the file and row.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from backkit import report
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.html"
    >>> files = report.build(None, out=out, pseudonym="Patient A", progress=False)
    >>> files == [out], "data:image/png;base64" in out.read_text()
    (True, True)
    """
    import nbformat

    from .plan import Plan

    privacy = Privacy(
        pseudonym,
        real_name=real_name,
        date_shift=date_shift,
        include_notes=include_notes,
        redact=tuple(redact or ()),
    )
    out = Path(out).expanduser()
    chromium = _check_outputs(out, pdf, plan_out, privacy)
    source = _notebook_path(notebook)
    stream = progress if hasattr(progress, "write") else None
    bar = _Progress(5 if pdf else 4, enabled=bool(progress), stream=stream)  # type: ignore[arg-type]
    try:
        bar.step("reading the log")
        # Read and check the inputs here first: errors then name the user's own
        # files, and nothing slow has started yet.
        log_path = Path(log).expanduser() if log is not None else None
        read_log(log_path if log_path is not None else sample_paths()[0])
        plan_path = Path(plan).expanduser() if plan is not None else None
        if plan_path is not None:
            Plan.load(plan_path)
        with tempfile.TemporaryDirectory(prefix="backkit-report-") as tmp:
            work = Path(tmp)
            next_plan = work / "next-plan.yaml" if plan_out is not None else None
            nb = nbformat.read(source, as_version=4)
            _inject(
                nb,
                {
                    **_neutral_copies(work, log_path, plan_path),
                    "pseudonym": privacy.pseudonym,
                    "real_name": privacy.real_name,
                    "date_shift": privacy.date_shift,
                    "include_notes": privacy.include_notes,
                    "redact": list(privacy.redact),
                    "new_plan_path": str(next_plan) if next_plan else None,
                    "export_dir": None,
                    "report_mode": True,
                },
            )
            bar.step("running the clinician notebook")
            _execute(nb, work, bar)
            files = _render(nb, privacy, out, chromium, bar)
            if next_plan is not None:
                if not next_plan.is_file():
                    raise ReportError("the clinician notebook saved no next plan")
                files[Path(plan_out).expanduser()] = next_plan.read_bytes()  # type: ignore[arg-type]
            # Written only now that every part is made: a failure leaves nothing behind.
            written = [
                write_atomically(p, lambda tmp, d=d: tmp.write_bytes(d)) for p, d in files.items()
            ]
    except BaseException:
        bar.abort()
        raise
    bar.finish(f"wrote {', '.join(p.name for p in written)}")
    return written
