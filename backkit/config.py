"""The kit's settings: where a person's data lives, the kit's time zone, and today.

The log is personal health data, so it lives apart from the package:

1. ``$BACKKIT_HOME`` when set (tests point it at a temporary folder);
2. the repository's ``data/`` folder when backkit runs from a checkout;
3. otherwise ``~/.local/share/backkit`` (or ``$XDG_DATA_HOME/backkit``).

Every module asks :func:`today` for the date, so the app, the timer, plans and
check-ins agree on which day it is, in the kit's time zone
(:func:`kit_timezone`: ``$BACKKIT_TZ``, else the computer's).
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
    "active_plan_path",
    "data_home",
    "default_log_path",
    "kit_timezone",
    "notebooks_dir",
    "repository_root",
    "today",
]

LOG_FILENAME = "backkit-log.sqlite"


def repository_root() -> Path | None:
    """Return the checkout's top folder when backkit runs from one, else None."""
    top = Path(__file__).resolve().parent.parent
    if (top / "pyproject.toml").is_file() and (top / "notebooks").is_dir():
        return top
    return None


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
    else:
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        home = Path(base) / "backkit"
    if create:
        home.mkdir(parents=True, exist_ok=True)
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
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    with contextlib.suppress(OSError):
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name:
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
                return ZoneInfo(name)
    # No zone name to be found (Windows, containers): a fixed offset still
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
