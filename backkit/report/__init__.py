"""Patient reports: a review of a patient's log for the clinician, or for the patient.

:func:`build` reads a patient's log (and plan, check-ins and the clinician's
notes), works out the review (:class:`Review`: adherence, pain against the
minimal important change (MIC), pain-monitoring flags, per-exercise
effects, check-ins, how old the data are, the proposed next plan from
:func:`backkit.review.propose_next`), writes it for one audience
(:func:`document`: ``"clinician"``, third person, or ``"patient"``, second
person and plain words) and renders one self-contained HTML file with a
Jinja2 template that escapes every value (:func:`render_html`). With
``pdf=True`` the system's Chromium prints it (:func:`print_pdf`); backkit
never downloads a browser. The clinician review notebook shows the same
sections (:func:`section_html`).

One module per job, every public name importable from ``backkit.report``:
:mod:`~backkit.report.privacy` (de-identification),
:mod:`~backkit.report.inputs` (reading the patient's files),
:mod:`~backkit.report.sections` (the review, and the sections each audience
reads), :mod:`~backkit.report.blocks` (the plain blocks of a document),
:mod:`~backkit.report.render` (charts as images, the HTML page) and
:mod:`~backkit.report.pdf` (printing with Chromium); this module builds a
report from them.

Privacy is part of the report, not an afterthought. :class:`Privacy` holds the
rules and applies them with pure functions, before anything is drawn:

- the report names the patient by a **pseudonym**; the real name appears only
  when it is given (``real_name``);
- **free text** is everything a person typed: the patient's notes, check-in
  notes, the plan's name and notes, PSFS activity names and custom-measure
  names. It is left out unless ``include_notes`` (activities and measures are
  then called "Activity 1", "Custom measure 1", the plan "Exercise plan");
  when kept, it is cleaned (:meth:`Privacy.text`): names in ``redact`` become
  the pseudonym, e-mail addresses and phone numbers are removed, and dates
  are shifted;
- a **date shift** moves every date (bouts, the plan, check-ins, dates written
  in kept text, the PDF's own dates) by a whole number of days; session and
  check-in ids, which embed dates, are renumbered;
- the **input file's name and folder** never reach the report.

Examples
--------
>>> from backkit.report import Privacy
>>> p = Privacy("Patient A", date_shift=7, redact=["Jane Doe"])
>>> p.text("Jane said her back felt better on 2025-03-01 (jane@example.org)")
'Patient A said her back felt better on 2025-03-08 ([e-mail removed])'
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .._checks import read_bounded
from ..config import output_folder
from ..errors import ReportError, shown
from ..i18n import N_
from ..i18n import gettext as _
from ..store import write_atomically
from .blocks import AUDIENCES, PAPERS, Blank, Chart, Document, Items, Section, Table, Text
from .inputs import Inputs, load_inputs, sample_paths
from .pdf import CHROMIUM_FLAGS, find_chromium, print_pdf
from .privacy import Privacy
from .render import chart_html, chart_image, render_html, section_html
from .sections import Review, document

__all__ = [
    "AUDIENCES",
    "CHROMIUM_FLAGS",
    "PAPERS",
    "Blank",
    "Chart",
    "Document",
    "Inputs",
    "Items",
    "Privacy",
    "ReportError",
    "Review",
    "Section",
    "Table",
    "Text",
    "build",
    "chart_html",
    "chart_image",
    "document",
    "find_chromium",
    "load_inputs",
    "print_pdf",
    "render_html",
    "sample_paths",
    "section_html",
]

_MAX_NOTES = 20_000  # characters of the clinician's notes file


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


def _is_kind(path: Path, kind: str) -> bool:
    """Whether an existing file is one this command writes (so it may be replaced)."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "html":
        return b'<meta name="generator" content="backkit report' in head
    from ..errors import BackkitError
    from ..plan import Plan

    try:
        Plan.load(path)
    except (BackkitError, OSError, UnicodeError):
        return False
    return True


def _check_outputs(outputs: dict[Path, str], inputs: dict[str, Path | None]) -> None:
    """Refuse an output that is an input, or an existing file of another kind, before any work."""
    seen: dict[Path, str] = {}
    for path, kind in outputs.items():
        if path.is_dir():
            raise ReportError(
                _("output file {path} is a folder; give a file name").format(path=repr(str(path)))
            )
        output_folder(path, create=False)  # every output's folder, before any is written
        key = path.resolve()
        if key in seen:
            raise ReportError(
                _("output file {path} is given twice (as {kind})").format(
                    path=repr(str(path)), kind=seen[key]
                )
            )
        seen[key] = kind
        if not path.exists():
            continue
        for what, source in inputs.items():
            if source is not None and source.exists() and os.path.samefile(source, path):
                raise ReportError(
                    _("output file {path} is the {what}; give another file name").format(
                        path=repr(str(path)), what=_(what)
                    )
                )
        if not _is_kind(path, kind):
            wanted = {
                "html": N_("a backkit report"),
                "pdf": N_("a PDF"),
                "plan": N_("a backkit plan"),
            }
            raise ReportError(
                _(
                    "output file {path} exists and is not {kind}; "
                    "give a new file name (it was left as it is)"
                ).format(path=repr(str(path)), kind=_(wanted[kind]))
            )


def _options(out: Path, pdf: bool, plan_out: Path | None, privacy: Privacy) -> str | None:
    """Refuse bad output options before any work; return the Chromium for a PDF."""
    if out.suffix.lower() not in (".html", ".htm"):
        raise ReportError(
            _("output file {path}: give an .html file name").format(path=repr(str(out)))
        )
    if plan_out is not None and plan_out.suffix.lower() not in (".yaml", ".yml"):
        raise ReportError(
            _("plan_out {path}: give a .yaml file name").format(path=repr(str(plan_out)))
        )
    if plan_out is not None and privacy.date_shift:
        raise ReportError(
            _(
                "saving the next plan (plan_out) with a date shift would give the patient a plan "
                "with shifted dates; make the plan from an unshifted report"
            )
        )
    chromium = find_chromium() if pdf else None
    if pdf and chromium is None:
        raise ReportError(
            _(
                "no Chromium for the PDF (looked at $BACKKIT_CHROMIUM, /usr/bin/chromium "
                "and PATH); install one (Debian: apt-get install chromium) or leave out --pdf"
            )
        )
    return chromium


def _read_notes(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        # UTF-8 has at most 4 bytes a character: more than that is over the limit unread
        data, why = read_bounded(path, 4 * _MAX_NOTES + 3)
    except OSError as err:
        raise ReportError(
            _("{path}: the clinician's notes cannot be read: {why}").format(
                path=path, why=err.strerror
            )
        ) from None
    too_long = _("{path}: the clinician's notes are over {most} characters: shorten them").format(
        path=path, most=f"{_MAX_NOTES:,}"
    )
    if data is None:
        # more bytes than the longest notes can take: say so in characters, as below
        too_big = why is not None and why.startswith("is larger")
        raise ReportError(
            too_long
            if too_big
            else _("{path}: the clinician's notes file {why}").format(path=path, why=shown(why))
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReportError(
            _("{path}: the clinician's notes are not UTF-8 text: save them as UTF-8").format(
                path=path
            )
        ) from None
    if len(text) > _MAX_NOTES:
        raise ReportError(too_long)
    return text


def _path(value: str | Path | None) -> Path | None:
    return Path(value).expanduser() if value is not None else None


def build(
    log: str | Path | None,
    *,
    plan: str | Path | None = None,
    out: str | Path = "report.html",
    audience: str = "clinician",
    notes: str | Path | None = None,
    paper: str = "a4",
    pseudonym: str | None = None,
    real_name: str | None = None,
    date_shift: int = 0,
    include_notes: bool = False,
    redact: Sequence[str] = (),
    pdf: bool = False,
    plan_out: str | Path | None = None,
    progress: bool | TextIO = True,
) -> list[Path]:
    """Write a report of a patient's log for the clinician or the patient; return the files.

    Parameters
    ----------
    log : path or None
        The patient's exported log (``.csv``) or log file (``.sqlite``); None
        for the sample log (and, without ``plan``, the sample plan).
    plan : path, optional
        The patient's plan (YAML). Without one, adherence is days exercised.
    out : path
        The HTML file to write (default ``report.html``); the PDF goes beside
        it with the suffix ``.pdf``. An existing file is replaced only when it
        is a backkit report (and a PDF), never when it is one of the inputs.
    audience : {"clinician", "patient"}
        Who the report is for (:func:`document`).
    notes : path, optional
        A text file of the clinician's notes, shown in the report (cleaned
        like kept free text); without one the clinician's report leaves
        space to write them by hand.
    paper : {"a4", "letter"}
        Paper size of the PDF.
    pseudonym, real_name, date_shift, include_notes, redact
        De-identification; see :class:`Privacy`. The real name appears only
        when given.
    pdf : bool
        Also print a PDF with the system's Chromium. When none is found the
        call fails at once, before any work, naming where it looked.
    plan_out : path, optional
        Also save the proposed next plan (YAML), for the patient to activate.
        An existing file is replaced only when it is a backkit plan and not
        the ``plan`` given.
    progress : bool or file
        Show a progress bar on stderr (or on the file given).

    Returns
    -------
    list of Path
        The files written: the HTML report, then the PDF and the plan when asked.

    Raises
    ------
    ReportError
        For bad options, an output that is an input or another kind of file,
        missing files or no Chromium for a PDF. Nothing is written then.
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
    from ..plan import Plan

    privacy = Privacy(
        pseudonym,
        real_name=real_name,
        date_shift=date_shift,
        include_notes=include_notes,
        redact=tuple(redact or ()),
    )
    if audience not in AUDIENCES or paper not in PAPERS:
        document(Review(privacy, None, None, None, False), audience, paper=paper)  # says why
    out, plan_path, log_path = Path(out).expanduser(), _path(plan), _path(log)
    next_path, notes_path = _path(plan_out), _path(notes)
    chromium = _options(out, pdf, next_path, privacy)
    outputs = {out: "html"}
    if pdf:
        outputs[out.with_suffix(".pdf")] = "pdf"
    if next_path is not None:
        outputs[next_path] = "plan"
    inputs = {
        N_("patient's log"): log_path,
        N_("patient's plan"): plan_path,
        N_("notes file"): notes_path,
    }
    _check_outputs(outputs, inputs)
    stream = progress if hasattr(progress, "write") else None
    bar = _Progress(4 if pdf else 3, enabled=bool(progress), stream=stream)  # type: ignore[arg-type]
    try:
        bar.step(_("reading the log"))
        text = _read_notes(notes_path)
        if plan_path is not None:
            Plan.load(plan_path)  # errors name the user's own file
        review = Review.load(log_path, plan_path, privacy, notes=text)
        bar.step(_("working out the review"))
        doc = document(review, audience, paper=paper)
        page = render_html(doc)
        files = {out: page.encode("utf-8")}
        bar.step(_("writing the HTML report"))
        if chromium is not None:
            bar.step(_("printing the PDF with Chromium"))
            files[out.with_suffix(".pdf")] = print_pdf(
                page, chromium, neutral_dates=bool(privacy.date_shift)
            )
        if next_path is not None:
            files[next_path] = review.proposal.plan.to_yaml().encode("utf-8")
        # Written only now that every part is made: a failure leaves nothing behind.
        written = [
            write_atomically(p, functools.partial(Path.write_bytes, data=d))
            for p, d in files.items()
        ]
    except BaseException:
        bar.abort()
        raise
    bar.finish(_("wrote {files}").format(files=", ".join(p.name for p in written)))
    return written
