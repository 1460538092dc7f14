"""Where backkit keeps a person's data: the data home and the default log path.

The log is personal health data, so it lives apart from the package:

1. ``$BACKKIT_HOME`` when set (tests point it at a temporary folder);
2. the repository's ``data/`` folder when backkit runs from a checkout;
3. otherwise ``~/.local/share/backkit`` (or ``$XDG_DATA_HOME/backkit``).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = [
    "active_plan_path",
    "data_home",
    "default_log_path",
    "notebooks_dir",
    "repository_root",
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
    >>> import os, backkit.home
    >>> backkit.home.data_home(create=False) == Path(os.environ["BACKKIT_HOME"])
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
