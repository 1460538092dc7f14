"""The kit's settings: where a person's data lives, the kit's time zone, and today.

The log is personal health data, so it lives apart from the package:

1. ``$BACKKIT_HOME`` when set (tests point it at a temporary folder);
2. the repository's ``data/`` folder when backkit runs from a checkout;
3. an existing ``~/.local/share/backkit`` (or ``$XDG_DATA_HOME/backkit``), where
   earlier versions kept it on every system, so a person's log is still found;
4. otherwise the system's place for a program's data (``platformdirs``):
   ``~/.local/share/backkit`` on Linux, ``~/Library/Application Support/backkit``
   on macOS, ``%LOCALAPPDATA%\\backkit`` on Windows.

Folders the kit creates there are private (0700) whatever the umask.

Every module asks :func:`today` for the date, so the app, the timer, plans and
check-ins agree on which day it is, in the kit's time zone
(:func:`kit_timezone`: ``$BACKKIT_TZ``, else the computer's zone by name).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "active_plan_path",
    "data_home",
    "default_log_path",
    "kit_timezone",
    "make_private_dir",
    "notebooks_dir",
    "repository_root",
    "today",
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
    elif (top := repository_root()) is not None:
        home = top / "data"
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
                f"{name!r} is not a known time zone; use an IANA name "
                "such as 'Europe/London' or 'America/New_York'",
                where="BACKKIT_TZ",
            ) from None
    return _system_zone()


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


def today() -> dt.date:
    """Return today's date in the kit's time zone: the one "today" of the whole kit.

    Examples
    --------
    >>> import datetime as dt
    >>> today() == dt.datetime.now(kit_timezone()).date()
    True
    """
    return dt.datetime.now(kit_timezone()).date()
