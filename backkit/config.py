r"""The kit's settings: where a person's data lives, the kit's time zone, and today.

The log is personal health data, so it lives apart from the package:

1. ``$BACKKIT_HOME`` when set (tests point it at a temporary folder);
2. the repository's ``data/`` folder when backkit runs from a checkout that is
   the person's own: owned by and writable by them, its ``data/`` too when it
   exists (:func:`checkout_data_home`). A checkout someone else owns (an
   editable install on a shared server, a class's copy on ``PYTHONPATH``) is
   never anyone's data home: each person keeps their own, below;
3. an existing ``~/.local/share/backkit`` (or ``$XDG_DATA_HOME/backkit``), where
   earlier versions kept it on every system, so a person's log is still found;
4. otherwise the system's place for a program's data (``platformdirs``):
   ``~/.local/share/backkit`` on Linux, ``~/Library/Application Support/backkit``
   on macOS, ``%LOCALAPPDATA%\backkit`` on Windows.

Folders the kit creates there are private (0700) whatever the umask.

Every module asks :func:`now` for the moment and :func:`today` for the date, so
the app, the timer, plans and check-ins agree on which day it is, in the kit's
time zone (:func:`kit_timezone`: ``$BACKKIT_TZ``, else the computer's zone by
name). ``$BACKKIT_TODAY`` sets that clock (:func:`pinned_clock`), so a
demonstration, a class or the test suite can run as if on any day. Every
module writes a day for people through :func:`day_text` (``7 Dec 2026``),
:func:`month_text` and :func:`minute_text`, so the kit shows dates one way.

:func:`region` (``$BACKKIT_REGION``: GB, BR or PT, else the language's usual
region) chooses the emergency and urgent advice every warning shows;
:func:`language` (``$BACKKIT_LANG``: English or Portuguese) the words
(:mod:`backkit.i18n`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import time
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import languages
from .errors import N_, ConfigError, Message, OutputFolderError

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "active_plan_path",
    "at",
    "browser_language",
    "checkout_data_home",
    "data_home",
    "day_text",
    "decimal_text",
    "default_log_path",
    "kit_timezone",
    "language",
    "locale_name",
    "make_private_dir",
    "minute_text",
    "month_text",
    "notebooks_dir",
    "now",
    "number_text",
    "output_folder",
    "pinned_clock",
    "repository_root",
    "today",
    "weekday_text",
]

LOG_FILENAME = "backkit-log.sqlite"
#: Modes of what the kit creates for a person: only they can open it.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def repository_root() -> Path | None:
    """Return the checkout's top folder when backkit runs from one, else None."""
    top = Path(__file__).resolve().parent.parent
    if (top / "pyproject.toml").is_file() and (top / "notebooks").is_dir():
        return top
    return None


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700 folders, whatever the umask.

    A folder that already exists keeps its mode: it is the person's (or a
    checkout's), not the kit's to change.

    Examples
    --------
    >>> import os, stat, tempfile
    >>> made = make_private_dir(Path(tempfile.mkdtemp()) / "a" / "b")
    >>> oct(stat.S_IMODE(made.stat().st_mode)), oct(stat.S_IMODE(made.parent.stat().st_mode))
    ('0o700', '0o700')
    """
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            folder.mkdir(mode=PRIVATE_DIR_MODE)
            folder.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask
    return path


def output_folder(path: str | Path, *, is_folder: bool = False, create: bool = True) -> Path:
    """Make ready the folder ``path`` is to be written in, by the kit's one rule; return it.

    Every file the kit writes for a person (an export, a report, a chart, a
    calendar, a new log) goes through this rule first:

    - a folder that exists, anywhere, is used as it is;
    - a missing folder inside the person's data home (:func:`data_home`,
      itself created when missing) is created, ``0700`` like every folder
      the kit makes there;
    - a missing folder anywhere else is an :class:`~backkit.errors.OutputFolderError`
      naming the folder and the file, and nothing is created: a mistyped
      path (``--chart /nonexistent/x.png``) must not leave new folders, with
      health data in them, where the person never looks.

    ``~`` and relative paths are read as the system reads them (from the
    current folder); symbolic links are followed, so a link inside the data
    home that points elsewhere is elsewhere. A "folder" that is a file is an
    ``OutputFolderError`` too.

    Parameters
    ----------
    path : path-like
        The file to be written, whose folder is made ready.
    is_folder : bool
        ``path`` is itself the folder the caller named to write in (``backkit
        demo --out``): it is created (``0700``) when its own folder exists or
        may be created by the rule above, as ``mkdir`` makes the one folder
        it is given, never ``mkdir -p``.
    create : bool
        Create what the rule allows (default). ``False`` only checks: it
        raises as the writing would, and creates nothing, so a command that
        writes several files refuses before it writes the first.

    Returns
    -------
    Path
        The folder, ``~`` expanded: ``path``'s folder, or ``path`` with ``is_folder``.

    Raises
    ------
    OutputFolderError
        For a missing folder outside the data home, or a folder that is a file.

    Examples
    --------
    >>> import tempfile
    >>> from backkit.errors import OutputFolderError
    >>> home = data_home(create=False)
    >>> output_folder(home / "exports" / "log.csv") == home / "exports"
    True
    >>> elsewhere = Path(tempfile.mkdtemp()) / "missing"
    >>> try:
    ...     output_folder(elsewhere / "log.csv")
    ... except OutputFolderError as err:
    ...     print(err.folder == elsewhere, elsewhere.exists())
    True False
    """
    path = Path(path).expanduser()
    folder = path if is_folder else path.parent
    if not is_folder:
        _folder_ready(folder, path, create)
        return folder
    _folder_ready(folder.parent, path, create)
    if not folder.is_dir():
        if folder.exists() or folder.is_symlink():
            raise OutputFolderError(path, folder, N_("is there and is not a folder"))
        if create:
            with contextlib.suppress(FileExistsError):  # made meanwhile by another process
                folder.mkdir(mode=PRIVATE_DIR_MODE)
                folder.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask
    return folder


def _folder_ready(folder: Path, path: Path, create: bool) -> None:
    """Make ``folder`` exist for ``path`` by :func:`output_folder`'s rule, or refuse."""
    # The real place: symbolic links followed, ".." and the current folder applied.
    real = Path(os.path.realpath(folder))
    existing = next(p for p in (real, *real.parents) if os.path.exists(p))
    shown = Path(os.path.abspath(folder))
    if not existing.is_dir():
        raise OutputFolderError(
            path,
            folder,
            Message(N_("cannot be written: {existing} is a file, not a folder"), existing=existing),
        )
    if existing == real:
        return
    home = Path(os.path.realpath(data_home(create=False)))
    if real == home or real.is_relative_to(home):
        if create:
            make_private_dir(real)
        return
    if real != shown:  # a link inside the home leads out
        problem = Message(
            N_(
                "the folder {folder} (that is {real}) does not exist, and backkit creates "
                "folders only in your data home ({home}): create the folder first, or write "
                "into your data home"
            ),
            folder=shown,
            real=real,
            home=home,
        )
    else:
        problem = Message(
            N_(
                "the folder {folder} does not exist, and backkit creates folders only in your "
                "data home ({home}): create the folder first, or write into your data home"
            ),
            folder=shown,
            home=home,
        )
    raise OutputFolderError(path, folder, problem)


def checkout_data_home(top: Path | None = None) -> Path | None:
    """Return the checkout's ``data/`` folder when it is this person's to use, else None.

    It is theirs when the checkout (``top``, default :func:`repository_root`)
    is owned by the person running backkit and they can write to it, and its
    ``data/`` folder, when there is one, is theirs and writable too. So a
    checkout shared by many people (an editable install on a JupyterHub, a
    copy on ``PYTHONPATH``) never makes one folder every person's data home:
    each of them gets their own (:func:`data_home`).

    Examples
    --------
    >>> import tempfile
    >>> top = Path(tempfile.mkdtemp())   # made by this process: its own
    >>> checkout_data_home(top) == top / "data"
    True
    """
    top = repository_root() if top is None else Path(top)
    if top is None:
        return None
    data = top / "data"
    if not hasattr(os, "geteuid"):  # Windows: a checkout is in the person's own profile
        return data
    me = os.geteuid()
    try:
        folders = [top, data] if data.exists() else [top]
        theirs = all(f.stat().st_uid == me and os.access(f, os.W_OK | os.X_OK) for f in folders)
    except OSError:
        return None
    return data if theirs else None


def _legacy_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "backkit"


def _platform_home() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("backkit", appauthor=False))


def data_home(create: bool = True) -> Path:
    """Return the folder for the person's log and exports, creating it on demand.

    Examples
    --------
    >>> import os, backkit.config
    >>> backkit.config.data_home(create=False) == Path(os.environ["BACKKIT_HOME"])
    True
    """
    if os.environ.get("BACKKIT_HOME"):
        home = Path(os.environ["BACKKIT_HOME"]).expanduser()
    elif (checkout := checkout_data_home()) is not None:
        home = checkout
    elif (legacy := _legacy_home()).is_dir():
        home = legacy  # where every earlier backkit kept the person's log
    else:
        home = _platform_home()
    if create:
        make_private_dir(home)
    return home


def default_log_path() -> Path:
    """Return the default session-log file: ``$BACKKIT_LOG`` or the data home's log."""
    if os.environ.get("BACKKIT_LOG"):
        return Path(os.environ["BACKKIT_LOG"]).expanduser()
    return data_home() / LOG_FILENAME


def active_plan_path() -> Path:
    """Return the file of the person's active plan: ``$BACKKIT_PLAN`` or ``plan.yaml`` at home."""
    if os.environ.get("BACKKIT_PLAN"):
        return Path(os.environ["BACKKIT_PLAN"]).expanduser()
    return data_home() / "plan.yaml"


def notebooks_dir() -> Path:
    """Return the folder of the kit's notebooks.

    From a checkout that is ``notebooks/``; an installed wheel carries a copy
    inside the package (``backkit/notebooks``).
    """
    top = repository_root()
    if top is not None:
        return top / "notebooks"
    return Path(str(resources.files("backkit") / "notebooks"))


def kit_timezone() -> dt.tzinfo:
    """Return the kit's time zone: ``$BACKKIT_TZ``, else the system zone, else UTC.

    Naive timestamps given to the log are read in this zone, the log's frame
    shows times in it, and :func:`today` is the date there.

    Raises
    ------
    ConfigError
        When ``$BACKKIT_TZ`` is not an IANA zone name such as ``Europe/Paris``.

    Examples
    --------
    >>> import os
    >>> os.environ["BACKKIT_TZ"] = "Europe/Paris"
    >>> str(kit_timezone())
    'Europe/Paris'
    >>> del os.environ["BACKKIT_TZ"]
    """
    name = os.environ.get("BACKKIT_TZ", "").strip()
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                Message(
                    N_(
                        "{name} is not a known time zone; use an IANA name "
                        "such as 'Europe/London' or 'America/New_York'"
                    ),
                    name=repr(name),
                ),
                where="BACKKIT_TZ",
            ) from None
    return _system_zone()


#: The regions whose safety advice (emergency and urgent numbers, where to get
#: help) the kit knows: the ``regions`` table of ``safety.yaml`` gives each one.
REGIONS = ("GB", "BR", "PT")
#: The languages the kit speaks: English, and Portuguese (``backkit.i18n``).
LANGUAGES = languages.LANGUAGES


def browser_language() -> str:
    """The first language of the person's browser the kit speaks, as a tag (``pt-BR``), or ``""``.

    Read from the browser's ``Accept-Language``, which the app's Voila hands
    its kernel as ``$HTTP_ACCEPT_LANGUAGE`` (``backkit app``); elsewhere it is
    not set. Languages come in the browser's order of preference (``q``).

    Examples
    --------
    >>> import os
    >>> os.environ["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,pt-BR;q=0.9,en;q=0.8"
    >>> browser_language()
    'pt-BR'
    >>> del os.environ["HTTP_ACCEPT_LANGUAGE"]
    """
    return languages.browser_tag()


def language() -> str:
    """Return the language the kit speaks: ``$BACKKIT_LANG``'s language, else ``en``.

    ``$BACKKIT_LANG`` is a tag such as ``pt``, ``pt_BR``, ``pt-PT`` or
    ``pt_BR.UTF-8``; only its language part counts here (the country in it
    chooses the :func:`region`). One of :data:`LANGUAGES`. When it is not set,
    the app follows the browser's language (:func:`browser_language`);
    ``backkit app --lang`` and ``backkit lab --lang`` set it.

    Raises
    ------
    ConfigError
        When ``$BACKKIT_LANG`` names a language the kit has no words for.

    Examples
    --------
    >>> import os
    >>> os.environ["BACKKIT_LANG"] = "pt-PT"
    >>> language()
    'pt'
    >>> del os.environ["BACKKIT_LANG"]
    >>> language()
    'en'
    """
    tag = languages.tag()
    code = languages.code(tag)
    if not code:
        return "en"
    if code in LANGUAGES:
        return code
    raise ConfigError(
        # in English: with no language to speak there is no other to say it in
        f"BACKKIT_LANG is {tag!r}, not a language backkit speaks: use one of "
        f"{', '.join(LANGUAGES)} (with a country if you like: pt_BR, pt_PT)",
        where="BACKKIT_LANG",
    )


def region() -> str:
    """Return the region whose safety advice the kit shows: ``$BACKKIT_REGION``.

    One of :data:`REGIONS` (GB, BR, PT; any case). It chooses the emergency
    and urgent numbers and services of every warning shown
    (:func:`backkit.safety.rules`). When it is not set it follows the
    language (``$BACKKIT_LANG``, a tag such as ``pt_BR``, ``pt-PT`` or
    ``pt``; else the browser's, :func:`browser_language`): a country the tag
    names, when it is one of :data:`REGIONS`;
    else ``BR`` for plain Portuguese, the most likely region of the language
    (Unicode CLDR likely subtags: ``pt`` is ``pt_Latn_BR``); else ``GB``, the
    kit's original advice, which also says "or your local emergency number".

    Raises
    ------
    ConfigError
        When ``$BACKKIT_REGION`` is set to anything else.

    Examples
    --------
    >>> import os
    >>> os.environ["BACKKIT_REGION"] = "pt"
    >>> region()
    'PT'
    >>> del os.environ["BACKKIT_REGION"]
    >>> os.environ["BACKKIT_LANG"] = "pt_BR.UTF-8"
    >>> region()
    'BR'
    >>> del os.environ["BACKKIT_LANG"]
    """
    value = os.environ.get("BACKKIT_REGION", "").strip()
    if value:
        if value.upper() in REGIONS:
            return value.upper()
        raise ConfigError(
            Message(
                N_(
                    "BACKKIT_REGION is {value}, not a region backkit has safety advice for: "
                    "use one of {regions}"
                ),
                value=repr(value),
                regions=", ".join(REGIONS),
            ),
            where="BACKKIT_REGION",
        )
    tag = languages.tag()
    country = languages.country(tag)
    if country in REGIONS:
        return country
    return "BR" if languages.code(tag) == "pt" else "GB"


@functools.lru_cache(maxsize=1)
def _system_zone() -> dt.tzinfo:
    # tzlocal reads the zone's *name* wherever it is kept ($TZ, /etc/timezone,
    # /etc/localtime, the Windows registry, macOS settings), so daylight-saving
    # changes follow the person's calendar instead of a fixed offset.
    import tzlocal

    with contextlib.suppress(Exception):  # tzlocal raises its own types for odd set-ups
        name = tzlocal.get_localzone_name()
        if name:
            return ZoneInfo(name)
    # No zone name to be found (a bare container): a fixed offset still
    # beats UTC for a person's own calendar days.
    local = dt.datetime.now().astimezone().tzinfo
    return local if local is not None else dt.timezone.utc


def pinned_clock(value: str) -> tuple[dt.datetime, float]:
    """Read a ``$BACKKIT_TODAY`` value: the moment the clock shows, and when.

    The value is a date (``2026-12-07``, read as 10:00 that day) or a local
    date and time (``2026-12-07T23:59``) in the kit's time zone, optionally
    followed by ``@`` and the Unix time at which the clock showed it
    (``2026-12-07T10:00@1796637600``). From that instant the clock runs on at
    the real pace, so times still advance and sessions stay in order. Without
    ``@``, the clock shows that moment when the process first reads the value. The test
    suite writes the ``@`` form, so every process it starts (notebook kernels,
    the app's server, the command line) reads the same clock.

    Raises
    ------
    ConfigError
        When the value is not such a date or time.

    Examples
    --------
    >>> moment, since = pinned_clock("2026-12-07T09:30@1796635800")
    >>> moment.isoformat(), since
    ('2026-12-07T09:30:00+00:00', 1796635800.0)
    """
    text, _, since_text = value.strip().partition("@")
    try:
        local = dt.datetime.fromisoformat(text)
        if len(text) <= len("2026-12-07"):
            local = local.replace(hour=10)  # mid-morning: far from midnight and DST changes
        since = float(since_text) if since_text else _first_asked(value)
    except ValueError:
        raise ConfigError(
            Message(
                N_(
                    "{value} is not a date such as 2026-12-07 or a time such as "
                    "2026-12-07T09:30 (optionally followed by @ and a Unix time)"
                ),
                value=repr(value),
            ),
            where="BACKKIT_TODAY",
        ) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=kit_timezone())
    return local.astimezone(dt.timezone.utc), since


@functools.lru_cache(maxsize=64)
def _first_asked(value: str) -> float:  # the moment this process first read that pin
    return time.time()


def now() -> dt.datetime:
    """Return the current moment in UTC: the one clock of the whole kit.

    It is the computer's clock unless ``$BACKKIT_TODAY`` pins it
    (:func:`pinned_clock`).

    Examples
    --------
    >>> import os
    >>> os.environ["BACKKIT_TODAY"] = "2027-01-01T00:00"
    >>> now().isoformat(timespec="minutes")   # the examples run in UTC
    '2027-01-01T00:00+00:00'
    >>> del os.environ["BACKKIT_TODAY"]
    """
    pin = _pin()  # before reading the time: an unanchored pin is anchored now
    return at(time.time(), pin)


def _pin() -> tuple[dt.datetime, float] | None:
    value = os.environ.get("BACKKIT_TODAY", "").strip()
    return pinned_clock(value) if value else None


def at(seconds: float, pin: tuple[dt.datetime, float] | None = None) -> dt.datetime:
    """Return what the kit's clock read at ``seconds`` of the computer's clock.

    The browser stamps a timer's events with the computer's clock (seconds
    since the epoch); this turns such a stamp into the kit's time, so a pinned
    clock (``$BACKKIT_TODAY``) moves the browser's times with it. ``pin`` is
    a :func:`pinned_clock` reading, when the caller has one.

    Examples
    --------
    >>> import os
    >>> os.environ.pop("BACKKIT_TODAY", None) and None
    >>> at(1.7e9).isoformat()
    '2023-11-14T22:13:20+00:00'
    >>> os.environ["BACKKIT_TODAY"] = "2026-12-07T10:00@1700000000"
    >>> at(1.7e9 + 90).isoformat()
    '2026-12-07T10:01:30+00:00'
    >>> del os.environ["BACKKIT_TODAY"]
    """
    pin = pin or _pin()
    if pin is None:
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    moment, since = pin
    return moment + dt.timedelta(seconds=seconds - since)


def today() -> dt.date:
    """Return today's date in the kit's time zone: the one "today" of the whole kit.

    Examples
    --------
    >>> import os
    >>> os.environ["BACKKIT_TODAY"] = "2026-12-31"
    >>> today().isoformat()
    '2026-12-31'
    >>> del os.environ["BACKKIT_TODAY"]
    """
    return now().astimezone(kit_timezone()).date()


def day_text(day: dt.date, *, weekday: bool = False, full: bool = False, year: bool = True) -> str:
    """Write a day as the kit shows it to people: ``7 Dec 2026``.

    The one format of the whole kit, in the kit's :func:`language` whatever
    the computer's locale: English as below, Portuguese through Babel's
    locale data (``7 de dez. de 2026``; ``seg., 7 de dez. de 2026``;
    ``segunda-feira, 7 de dezembro de 2026``). The day has no leading zero,
    which Windows' ``strftime`` has no flag for.

    Parameters
    ----------
    day : date, datetime or pandas Timestamp
        The day; a time of day is ignored.
    weekday : bool
        Begin with the day's name: ``Mon 7 Dec 2026``.
    full : bool
        Write the names in full: ``Monday 7 December 2026`` with ``weekday``.
    year : bool
        ``False`` leaves the year out (``7 Dec``), for a chart's axis.

    Examples
    --------
    >>> import datetime as dt
    >>> day = dt.date(2026, 12, 7)
    >>> day_text(day)
    '7 Dec 2026'
    >>> day_text(day, weekday=True), day_text(day, year=False)
    ('Mon 7 Dec 2026', '7 Dec')
    >>> day_text(day, weekday=True, full=True)
    'Monday 7 December 2026'
    """
    if language() != "en":
        return _babel_day(day, weekday=weekday, full=full, year=year)
    text = f"{day.day} {month_text(day, full=full)}"
    if year:
        text += f" {day.year}"
    if weekday:
        text = f"{weekday_text(day.weekday(), full=full)} {text}"
    return text


def locale_name() -> str:
    """The Babel locale of the kit's words: ``en_GB``, ``pt_BR`` or ``pt_PT``.

    Portuguese follows the country of ``$BACKKIT_LANG`` (``pt-PT``), else the
    :func:`region` (``PT``: Portugal, else Brazil): its words
    (:func:`backkit.languages.locale`), dates and numbers.

    Examples
    --------
    >>> locale_name()
    'en_GB'
    """
    if language() == "pt":
        region()  # a wrong $BACKKIT_REGION is said here too
        return languages.locale()
    return "en_GB"


def _babel_day(day: dt.date, *, weekday: bool, full: bool, year: bool) -> str:
    from babel.dates import format_date  # lazily: only other languages need it

    day = dt.date(day.year, day.month, day.day)  # a datetime or Timestamp's day
    if full:
        pattern = "EEEE, d 'de' MMMM" if weekday else "d 'de' MMMM"
    else:
        pattern = "EEE, d 'de' MMM" if weekday else "d 'de' MMM"
    return format_date(day, pattern + (" 'de' y" if year else ""), locale=locale_name())


def number_text(value: float, digits: int = 1) -> str:
    """Write a number for people with ``digits`` decimals, as the kit's language writes it.

    Examples
    --------
    >>> number_text(6.75), number_text(1234.5, 0)
    ('6.8', '1,234')
    """
    if language() == "en":
        return f"{value:,.{digits}f}"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale_name())


def decimal_text(shown: str) -> str:
    """A number written with a decimal point (``"4.5"``, ``"29.9%"``) in the language's mark.

    ``4,5`` in Portuguese.

    For numbers whose decimals were chosen elsewhere (such as
    :func:`backkit.analysis.shown_change`, which picks them so the numbers
    shown agree with the verdict); :func:`number_text` writes a number itself.

    Examples
    --------
    >>> decimal_text("4.5")
    '4.5'
    """
    return shown if language() == "en" else shown.replace(".", ",")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December")  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def month_text(day: dt.date, *, full: bool = False) -> str:
    """Write the month of ``day`` as :func:`day_text` does: ``Dec``, or ``December`` when ``full``.

    Examples
    --------
    >>> import datetime as dt
    >>> month_text(dt.date(2026, 9, 7)), month_text(dt.date(2026, 9, 7), full=True)
    ('Sep', 'September')
    """
    if language() != "en":
        from babel.dates import get_month_names

        return get_month_names("wide" if full else "abbreviated", locale=locale_name())[day.month]
    name = _MONTHS[day.month - 1]
    return name if full else name[:3]


def weekday_text(number: int, *, full: bool = False) -> str:
    """Name a weekday as :func:`day_text` does (0 is Monday): ``Mon``, or ``Monday`` when ``full``.

    Examples
    --------
    >>> weekday_text(0), weekday_text(6, full=True)
    ('Mon', 'Sunday')
    """
    if language() != "en":
        from babel.dates import get_day_names

        return get_day_names("wide" if full else "abbreviated", locale=locale_name())[number]
    name = _WEEKDAYS[number]
    return name if full else name[:3]


def minute_text(moment: dt.datetime) -> str:
    """Write a moment to the minute in ISO order, as error messages and export titles give it.

    Examples
    --------
    >>> import datetime as dt
    >>> minute_text(dt.datetime(2026, 12, 7, 9, 5, 30))
    '2026-12-07 09:05'
    """
    return f"{moment:%Y-%m-%d %H:%M}"
