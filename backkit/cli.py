"""The ``backkit`` command: lab, app, report, export, import, demo, caseload, share, workspace...

Each sub-command is a thin wrapper over the public API. A user's mistake (a
missing file, a bad row, an unknown option) ends with one line on stderr and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import config
from .config import output_folder
from .errors import BackkitError, ConfigError, UsageError, shown
from .i18n import N_, ngettext
from .i18n import gettext as _

__all__ = ["main"]

# Exit codes: 0 done, 1 the work failed (bad data, missing file), 2 bad usage.
EXIT_FAILED = 1
EXIT_USAGE = 2


def _jupyter_command(app: str) -> list[str]:
    # Run Jupyter from the same environment as this backkit.
    cmd = [sys.executable, "-m", app]
    if app == "jupyterlab" and hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")  # Jupyter refuses root without it (containers)
    return cmd


def _serve_until_stopped(cmd: list[str], cwd: Path) -> int:
    """Run a server until it exits; Ctrl-C or SIGTERM to us stops it (and its kernels).

    The server runs in its own session, so a Ctrl-C in the terminal reaches only
    this process, which then sends the server SIGTERM (on SIGINT Jupyter would
    ask for a y/n on the terminal). A second signal kills it. Nothing is left
    running when this returns.
    """
    import signal

    process = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, start_new_session=True)
    received: list[int] = []

    def forward(signum: int, frame: object) -> None:
        received.append(signum)
        if process.poll() is not None:
            return
        if len(received) > 1:
            process.kill()
        else:
            process.terminate()

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = process.wait()
    finally:
        if process.poll() is None:  # an error in this process: never orphan the server
            process.kill()
            process.wait()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0 if received else code


def _set_language(lang: str | None) -> None:
    """Speak ``lang`` from now on, and in the server started next (``$BACKKIT_LANG``).

    The tag is checked by :func:`backkit.config.language`, the one reader of
    the variable; a tag it refuses leaves the environment as it was.
    """
    if lang is None:
        return
    before = os.environ.get("BACKKIT_LANG")
    os.environ["BACKKIT_LANG"] = lang
    try:
        config.language()
    except BackkitError as err:
        if before is None:
            del os.environ["BACKKIT_LANG"]
        else:
            os.environ["BACKKIT_LANG"] = before
        raise err.at("--lang") from None


def cmd_lab(args: argparse.Namespace) -> int:
    from backkit import app, workspace

    _set_language(args.lang)  # before anything is made
    app.check_port(args.port)
    ws = workspace.prepare()
    for line in ws.messages():
        print(f"backkit lab: {line}", flush=True)
    # the start notebook in the kit's language unless the person names one
    name = args.notebook or workspace.start_notebook()
    notebook = ws.path / name
    if not notebook.is_file():
        raise UsageError(
            _("notebook {notebook} not found in {folder}").format(
                notebook=repr(name), folder=ws.path
            )
        )
    cmd = [
        *_jupyter_command("jupyterlab"),
        "--ServerApp.ip=127.0.0.1",  # this computer only
        f"--ServerApp.port={args.port}",
        f"--ServerApp.root_dir={ws.path}",
        str(notebook),
    ]
    if args.no_browser:
        cmd.append("--no-browser")
    return _serve_until_stopped(cmd, ws.path)


def cmd_workspace(args: argparse.Namespace) -> int:
    from backkit import workspace

    ws = workspace.prepare()
    for line in ws.messages():
        print(f"backkit workspace: {line}", file=sys.stderr, flush=True)
    print(ws.path)  # alone on stdout, for scripts: cd "$(backkit workspace)"
    return 0


def cmd_share(args: argparse.Namespace) -> int:
    from backkit import share

    done = share.share(args.to, as_id=args.as_id, log=args.log, plan=args.plan)
    # Translators: {id} and {group} are in quotes; {files} is a list of files.
    text = ngettext(
        "shared {rows} row as {id}, readable by you and group {group}: {files}",
        "shared {rows} rows as {id}, readable by you and group {group}: {files}",
        done.rows,
    )
    files = ", ".join(str(p) for p in done.files)
    print(text.format(rows=done.rows, id=repr(done.id), group=repr(done.group), files=files))
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from backkit import app

    _set_language(args.lang)
    if args.log:  # a new log's folder is refused now, not later inside the app
        output_folder(args.log, create=False)
    return app.serve(
        port=args.port, open_browser=not args.no_browser, log=args.log, quick=args.quick
    )


# the options of `backkit report` that report.build takes under the same name
_REPORT_OPTIONS = (
    "plan", "out", "audience", "notes", "paper", "pseudonym", "date_shift", "include_notes",
    "redact", "pdf", "plan_out",
)  # fmt: skip


def cmd_report(args: argparse.Namespace) -> int:
    from backkit import report

    options = {name: getattr(args, name) for name in _REPORT_OPTIONS}
    pdf = Path(args.out).with_suffix(".pdf") if args.pdf else None
    _check_outputs(args.out, pdf, args.plan_out)  # none written unless all can be
    out = report.build(args.log, real_name=args.name, progress=not args.quiet, **options)
    for path in out:
        print(path)
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from backkit.plan import Plan

    plan = Plan.load(args.file)  # checked before the active plan is replaced
    path = plan.activate()
    print(
        _("activated {plan} ({file}): the app and today's session now use it").format(
            plan=repr(plan.name), file=args.file
        )
    )
    print(_("saved as {path}").format(path=path))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from backkit.log import SessionLog

    _check_outputs(args.out)  # before a large log is read
    if getattr(args, "format", None) == "fhir":
        return _export_fhir(args)
    log = SessionLog(args.log, create=False) if args.log else SessionLog(create=False)
    out = Path(args.out)
    if getattr(args, "format", None) == "json" or out.suffix.lower() == ".json":
        log.export_json(out)
    elif out.suffix.lower() == ".xlsx":
        log.export_excel(out)
    elif out.suffix.lower() == ".csv":
        log.export_csv(out)
    else:
        raise UsageError(
            _("{file}: give a .csv, .xlsx or .json file name").format(file=repr(out.name)),
            where="export",
        )
    n = len(log)
    print(ngettext("wrote {n} row to {file}", "wrote {n} rows to {file}", n).format(n=n, file=out))
    return 0


def _export_fhir(args: argparse.Namespace) -> int:
    import importlib.util

    try:
        found = importlib.util.find_spec("fhir.resources")
    except ModuleNotFoundError:  # no "fhir" package at all: find_spec raises for the parent
        found = None
    if found is None:
        raise UsageError(
            _("the FHIR export needs fhir.resources: pip install 'backkit[fhir]'"), where="export"
        )
    from backkit import fhir
    from backkit.log import SessionLog
    from backkit.outcomes import outcomes_frame
    from backkit.plan import Plan
    from backkit.report import Privacy

    privacy = Privacy(args.pseudonym, date_shift=args.date_shift, include_notes=args.include_notes)
    plan = Plan.load(args.plan) if args.plan else None
    with SessionLog(args.log, create=False) if args.log else SessionLog(create=False) as log:
        data = fhir.bundle(log.frame(), outcomes=outcomes_frame(log), plan=plan, privacy=privacy)
    out = fhir.write_bundle(data, args.out)
    n = len(data["entry"])
    print(
        ngettext(
            "wrote a FHIR R4 Bundle of {n} resource to {file}",
            "wrote a FHIR R4 Bundle of {n} resources to {file}",
            n,
        ).format(n=n, file=out)
    )
    return 0


def cmd_caseload(args: argparse.Namespace) -> int:
    from backkit import caseload
    from backkit.store import write_atomically

    if args.key and not args.pseudonymise:  # before the chart is written, not after
        raise UsageError(_("--key needs --pseudonymise"), where="caseload")
    _check_outputs(args.chart, args.key)
    view = caseload.load_caseload(
        args.folder, plan=args.plan, as_of=args.as_of, pseudonymise=args.pseudonymise
    )
    print(view.to_text(skipped=False))
    for line in view.skipped:
        print(_("backkit caseload: skipped {file}").format(file=shown(line)), file=sys.stderr)
    if args.chart:
        fig = caseload.plot_caseload(view)
        out = write_atomically(args.chart, lambda tmp: _private(tmp, fig.savefig))
        print(_("wrote the chart to {file}").format(file=out))
    if args.key:
        key = caseload.pseudonym_key(view)
        out = write_atomically(args.key, lambda tmp: _private(tmp, key.to_csv, index=False))
        print(
            _("wrote the pseudonym key to {file} (keep it apart from the table)").format(file=out)
        )
    return 0


def _check_outputs(*paths: str | Path | None) -> None:
    """Refuse, before any work, an output whose folder the kit would not create.

    A command that writes several files checks them all first, so one it
    cannot write never leaves the others behind (:func:`backkit.config.output_folder`).
    """
    for path in paths:
        if path is not None:
            output_folder(path, create=False)


def _private(tmp: Path, write: Callable[..., object], **options: object) -> None:
    # created owner-only before anything is in it
    tmp.touch(mode=0o600)
    os.chmod(tmp, 0o600)
    write(tmp, **options)


def cmd_plan_calendar(args: argparse.Namespace) -> int:
    from backkit.ics import write_calendar
    from backkit.plan import Plan

    _check_outputs(args.out)
    plan = Plan.load(args.plan)
    out = write_calendar(plan, args.out, at=args.time, reminder_minutes=args.reminder)
    print(_("wrote the calendar of {plan} to {file}").format(plan=repr(plan.name), file=out))
    return 0


def _add_caseload_parser(sub: argparse._SubParsersAction) -> None:
    help_ = _("one table of every patient in a folder (.sqlite logs, .json and .csv exports)")
    p = sub.add_parser("caseload", help=help_, description=help_)
    p.set_defaults(func=cmd_caseload)
    p.add_argument(
        "folder",
        metavar=_("folder"),
        help=_("folder of patient files; each file name is the patient's id"),
    )
    p.add_argument(
        "--plan",
        metavar=_("PLAN"),
        help=_("plan (YAML) of patients without a plan file of their own"),
    )
    p.add_argument(
        "--as-of", metavar=_("YYYY-MM-DD"), help=_("the day of the view (default today)")
    )
    p.add_argument(
        "--pseudonymise", action="store_true", help=_("show Patient 1..N instead of file names")
    )
    p.add_argument("--key", metavar=_("CSV"), help=_("with --pseudonymise: save which file is who"))
    p.add_argument(
        "--chart", metavar=_("PNG"), help=_("also draw weekly pain and adherence per patient")
    )


def _add_plan_calendar_parser(sub: argparse._SubParsersAction) -> None:
    help_ = _("a calendar (.ics) of a plan: recurring events with the exercises and a reminder")
    p = sub.add_parser("plan-calendar", help=help_, description=help_)
    p.set_defaults(func=cmd_plan_calendar)
    p.add_argument("plan", metavar=_("plan"), help=_("the plan (YAML)"))
    p.add_argument(
        "--out", metavar=_("OUT"), default="plan.ics", help=_("output file (default plan.ics)")
    )
    p.add_argument(
        "--time", default="18:00", metavar=_("HH:MM"), help=_("time of day (default 18:00)")
    )
    p.add_argument(
        "--reminder", type=int, default=10, metavar=_("MINUTES"),
        help=_("reminder this many minutes before (default 10)"),
    )  # fmt: skip


def cmd_import(args: argparse.Namespace) -> int:
    from backkit.config import default_log_path
    from backkit.log import SessionLog
    from backkit.patientfile import kind

    # what `backkit export` writes, by its suffix (an Excel export is for reading)
    source = Path(args.file).expanduser()
    suffix = source.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise UsageError(
            _(
                "{file}: give a .csv or .json file as `backkit export` writes them "
                "(an .xlsx export is for reading in a spreadsheet)"
            ).format(file=repr(source.name)),
            where="import",
        )
    if kind(source) == ".sqlite":  # a folder, a pipe or a missing file is refused here too
        raise UsageError(
            _(
                "{file} is a log file, not an export: export it first "
                "(backkit export FILE.json --log it)"
            ).format(file=repr(source.name)),
            where="import",
        )
    target = Path(args.log).expanduser() if args.log else default_log_path()
    existed = target.exists()
    try:
        with SessionLog(target) as log:
            added = log.import_json(source) if suffix == ".json" else log.import_csv(source)
    except BaseException:
        if not existed:  # a log made for this import goes with it: nothing is left behind
            for made in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
                made.unlink(missing_ok=True)
        raise
    print(
        ngettext("imported {n} row into {file}", "imported {n} rows into {file}", added).format(
            n=added, file=target
        )
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from backkit import report, sample
    from backkit.log import SessionLog

    # the folder asked for is made (0700: sample data kept private as any log),
    # its parents only inside the data home
    out = output_folder(args.out, is_folder=True)
    log_path = out / "sample-log.sqlite"
    if log_path.exists():
        log_path.unlink()
    with SessionLog(log_path) as log:
        frame = sample.sample_log(weeks=12, seed=0, profile=args.profile)
        log.record_many(frame.astype(object).where(frame.notna(), None).to_dict("records"))
        sample.record_sample_checkins(log, weeks=12, seed=0, profile=args.profile)
        csv = out / "sample_sessions.csv"
        log.export_csv(csv)
    plan_path = out / "sample_plan.yaml"
    sample.sample_plan().save(plan_path)
    print(
        _("wrote sample data (profile {profile}): {log}, {csv}, {plan}").format(
            profile=repr(args.profile), log=log_path, csv=csv, plan=plan_path
        )
    )
    # the log file, not the CSV: it holds the outcome check-ins too
    for path in report.build(
        log_path,
        plan=plan_path,
        out=out / "sample-report.html",
        # Translators: the name shown in the sample report.
        pseudonym=_("Sample patient"),
        progress=not args.quiet,
    ):
        print(_("wrote sample report: {file}").format(file=path))
    return 0


def _add_report_parser(add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("report", cmd_report, _("write a patient report (HTML, and PDF with --pdf)"))
    p.add_argument(
        "log", metavar=_("log"), help=_("the patient's exported log (CSV) or log file (.sqlite)")
    )
    p.add_argument("--plan", metavar=_("PLAN"), help=_("the patient's plan (YAML)"))
    p.add_argument(
        "--out",
        metavar=_("OUT"),
        default="report.html",
        help=_("output HTML file (default report.html)"),
    )
    p.add_argument(
        "--for",
        dest="audience",
        choices=["clinician", "patient"],
        default="clinician",
        help=_("who the report is for (default clinician; patient: plain words, the plan, safety)"),
    )
    p.add_argument(
        "--notes", metavar=_("FILE"), help=_("a text file of the clinician's notes to show")
    )
    p.add_argument(
        "--paper", choices=["a4", "letter"], default="a4", help=_("PDF paper size (default a4)")
    )
    # Translators: the name a report shows for the patient when no other is given.
    p.add_argument(
        "--pseudonym",
        metavar=_("PSEUDONYM"),
        default=_("Patient"),
        help=_("name shown in the report"),
    )
    p.add_argument(
        "--name", metavar=_("NAME"), help=_("the patient's real name: shown only when given")
    )
    p.add_argument(
        "--date-shift",
        type=int,
        default=0,
        metavar=_("DAYS"),
        help=_("shift every date by DAYS days (de-identification)"),
    )
    p.add_argument(
        "--include-notes",
        action="store_true",
        help=_("include free text (notes, plan name, PSFS activities, custom measures), cleaned"),
    )
    p.add_argument(
        "--redact",
        action="append",
        default=[],
        metavar=_("WORD"),
        help=_("a name to replace by the pseudonym in kept text (repeat for more)"),
    )
    p.add_argument("--pdf", action="store_true", help=_("also write a PDF (needs Chromium)"))
    p.add_argument(
        "--plan-out", metavar=_("YAML"), help=_("also save the proposed next plan to this file")
    )
    p.add_argument("--quiet", action="store_true", help=_("no progress bar"))


def _add_plan_parser(add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("plan", cmd_plan, _("plans: make a plan file your active plan"))
    p.add_argument("action", choices=["activate"], help=_("activate: use this plan from now on"))
    p.add_argument("file", metavar=_("file"), help=_("the plan file (YAML) your clinician sent"))


def _add_lang_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lang",
        metavar=_("LANG"),
        help=_(
            "the language of the kit in this server: en or pt, with a country if you like "
            "(pt_BR, pt_PT); default: $BACKKIT_LANG, else en"
        ),
    )


def _add_lab_parser(sub: argparse._SubParsersAction) -> None:
    help_ = _(
        "open JupyterLab (on 127.0.0.1 only) on your own copies of the notebooks "
        "(your workspace in the data home)"
    )
    p = sub.add_parser("lab", help=help_, description=help_)
    p.set_defaults(func=cmd_lab)
    p.add_argument("--notebook", metavar=_("NOTEBOOK"), default=None, help=_("notebook to open"))
    p.add_argument(
        "--port", type=int, default=8888, help=_("port (default 8888, or the next free)")
    )
    p.add_argument("--no-browser", action="store_true", help=_("do not open a browser"))
    _add_lang_option(p)


def _add_workspace_parser(sub: argparse._SubParsersAction) -> None:
    help_ = _(
        "make or refresh your own copies of the notebooks (your workspace) and print "
        "its folder; no server is started"
    )
    p = sub.add_parser("workspace", help=help_, description=help_)
    p.set_defaults(func=cmd_workspace)


def _add_share_parser(sub: argparse._SubParsersAction) -> None:
    help_ = _(
        "put your log, pseudonymised (no notes), and your plan in a clinician group's "
        "folder, readable by you and that group only (0640)"
    )
    p = sub.add_parser("share", help=help_, description=help_)
    p.set_defaults(func=cmd_share)
    p.add_argument("--to", required=True, metavar=_("FOLDER"), help=_("the group's folder"))
    p.add_argument(
        "--as", dest="as_id", metavar=_("ID"),
        help=_("the id your clinic gave you, such as P001 (default: your own random pseudonym)"),
    )  # fmt: skip
    p.add_argument("--log", metavar=_("LOG"), help=_("session log file (default: your log)"))
    p.add_argument(
        "--plan", metavar=_("PLAN"), help=_("plan (YAML) to share (default: your active plan)")
    )


def _add_app_parser(sub: argparse._SubParsersAction) -> None:
    help_ = _("serve the no-code app (Voila) on 127.0.0.1 only, behind a random token")
    p = sub.add_parser("app", help=help_, description=help_)
    p.set_defaults(func=cmd_app)
    p.add_argument(
        "--port", metavar=_("PORT"), type=int, default=8866, help=_("port (default 8866)")
    )
    p.add_argument("--log", metavar=_("LOG"), help=_("session log file (default: your log)"))
    p.add_argument("--no-browser", action="store_true", help=_("do not open a browser"))
    p.add_argument(
        "--quick",
        action="store_true",
        help=_("quick try: every exercise shortened to one 2-second repetition"),
    )
    _add_lang_option(p)


#: argparse's own section headings, shown in the kit's language (:class:`_Formatter`).
_HEADINGS = (N_("positional arguments"), N_("options"))

#: argparse's own usage mistakes, as Python writes them (3.10 to 3.13), each with
#: its words as a message of the kit's catalogue (:meth:`_Parser.error`): Python
#: has no Portuguese catalogue for them. One not listed is shown as argparse wrote it.
_MISTAKES = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (r"argument (?P<name>\S+): (?P<mistake>.+)", N_("argument {name}: {mistake}")),
        (r"the following arguments are required: (?P<names>.+)",
         N_("the following arguments are required: {names}")),
        (r"unrecognized arguments: (?P<names>.+)", N_("unrecognized arguments: {names}")),
        (r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)",
         N_("invalid choice: {value} (choose from {choices})")),
        (r"invalid int value: (?P<value>.+)", N_("invalid int value: {value}")),
        (r"invalid float value: (?P<value>.+)", N_("invalid float value: {value}")),
        (r"expected one argument", N_("expected one argument")),
        (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)",
         N_("ambiguous option: {option} could match {matches}")),
        (r"not allowed with argument (?P<name>.+)", N_("not allowed with argument {name}")),
        (r"one of the arguments (?P<names>.+) is required",
         N_("one of the arguments {names} is required")),
    )
)  # fmt: skip


def _mistake_words(message: str) -> str:
    """Argparse's ``message`` in the kit's language, its values and names as they are."""
    for pattern, words in _MISTAKES:
        found = pattern.fullmatch(message)
        if found:
            parts = found.groupdict()
            if "mistake" in parts:
                parts["mistake"] = _mistake_words(parts["mistake"])
            return _(words).format(**parts)
    return message


class _Formatter(argparse.HelpFormatter):
    """argparse's help, with its own few words (usage, headings) in the kit's language."""

    def add_usage(
        self, usage: str | None, actions: Iterable[Any], groups: Iterable[Any], prefix: Any = None
    ) -> None:
        # A sub-command's prog is worked out with prefix "": only the default is a word.
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(_(heading) if heading in _HEADINGS else heading)


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage mistake told in one line and where to read more.

    Its help (``-h``, the formatter's words) is in the kit's language: argparse's
    own words come from Python's catalogue, which has no Portuguese.
    """

    def __init__(self, *args: Any, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False  # argparse's -h says its help in English: ours, below
        super().__init__(*args, **kwargs)
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS,
                help=_("show this help message and exit"),
            )  # fmt: skip

    def error(self, message: str) -> NoReturn:
        said = _("{prog}: error: {message} (see {prog} --help)").format(
            prog=self.prog, message=_mistake_words(message)
        )
        self.exit(EXIT_USAGE, said + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, its help in the kit's language (made anew for each run)."""
    parser = _Parser(
        prog="backkit",
        description=_(
            "Exercises for low back pain, in Jupyter: notebooks, a guided timer, "
            "a session log, progress charts and reports. Not a diagnosis."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=_version(),
        help=_("show program's version number and exit"),
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str):
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    _add_lab_parser(sub)
    _add_app_parser(sub)
    _add_workspace_parser(sub)

    _add_report_parser(add)
    _add_plan_parser(add)

    p = add("export", cmd_export, _("export your session log to CSV, Excel, JSON or FHIR"))
    p.add_argument("out", metavar=_("out"), help=_("output file: .csv, .xlsx or .json"))
    p.add_argument("--log", metavar=_("LOG"), help=_("session log file (default: your log)"))
    _add_fhir_export_options(p)

    p = add("import", cmd_import, _("import a CSV or JSON export into your log (all or nothing)"))
    p.add_argument(
        "file", metavar=_("file"), help=_("a .csv or .json file as `backkit export` writes it")
    )
    p.add_argument("--log", metavar=_("LOG"), help=_("session log file (default: your log)"))

    p = add("demo", cmd_demo, _("write sample data and a sample report"))
    p.add_argument(
        "--out", metavar=_("OUT"), default="backkit-demo", help=_("folder (default ./backkit-demo)")
    )
    p.add_argument(
        "--profile",
        default="improving",
        choices=["improving", "flare-up", "plateau"],
        help=_("sample profile"),
    )
    p.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    _add_caseload_parser(sub)
    _add_share_parser(sub)
    _add_plan_calendar_parser(sub)
    return parser


def _add_fhir_export_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=["json", "fhir"],
        help=_(
            "json: the whole log (bouts, session ratings, check-ins, corrections); "
            "fhir: a FHIR R4 Bundle (needs backkit[fhir]); default: by the file's suffix "
            "(.csv, .xlsx, .json)"
        ),
    )
    fhir = p.add_argument_group(_("FHIR export (--format fhir)"))
    fhir.add_argument(
        "--plan", metavar=_("PLAN"), help=_("the plan (YAML), exported as a CarePlan")
    )
    # the name inside the exported data (a FHIR Patient resource), not a word shown here
    fhir.add_argument(
        "--pseudonym",
        metavar=_("PSEUDONYM"),
        default="Patient",
        help=_("name of the Patient resource"),
    )
    fhir.add_argument("--date-shift", type=int, default=0, metavar=_("DAYS"),
                      help=_("shift every date by DAYS days"))  # fmt: skip
    fhir.add_argument("--include-notes", action="store_true", help=_("keep free-text notes"))


def _version() -> str:
    from backkit import __version__

    return f"backkit {__version__}"


def _one_line(message: str) -> str:
    """``message`` on one line: a list of problems after its heading, joined by "; "."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else message
    return f"{lines[0]} {'; '.join(lines[1:])}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``backkit`` command line; return the exit code."""
    try:
        config.language()  # the help and every message are written in it
    except ConfigError as err:
        # in English: the language asked for is one the kit cannot speak
        print(f"backkit: error: {_one_line(str(err))}", file=sys.stderr)
        return EXIT_USAGE
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(_("backkit: interrupted"), file=sys.stderr)
        return 130
    except (BackkitError, OSError) as err:
        # A mistake the person can fix, or a file the system cannot read or
        # write: one line. Anything else is a bug and shows its traceback.
        message = str(err)
        if isinstance(err, BackkitError) and err.where == args.command:
            # "backkit export: error: ...", not "...: error: export: ..."
            message = shown(err.problem)
        if isinstance(err, OSError) and err.filename:
            message = f"{err.filename}: {err.strerror}"
        said = _("{prog}: error: {message}").format(
            prog=f"backkit {args.command}", message=_one_line(message)
        )
        print(said, file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
