"""backkit on a JupyterHub: each person's server opens in their own workspace.

A class or a clinic runs JupyterHub; each person's server runs under their own
user account. ``backkit-singleuser`` is the command the hub starts for them
(``c.Spawner.cmd = ["backkit-singleuser"]``, see ``deploy/jupyterhub_config.py``
and ``docs/hub.md``). Running as that person, it

1. sets the umask to ``077``, so whatever the server, its kernels and IPython
   write (notebook copies, IPython's history of every cell typed) is readable
   by that person only;
2. prepares their workspace (:func:`backkit.workspace.prepare`), their own
   copies of the kit's notebooks in their data home;
3. replaces itself with ``jupyterhub-singleuser`` serving that workspace
   (:func:`singleuser_command`): the file browser shows the notebooks (the
   workspace sits in a hidden folder, which Jupyter would not serve from the
   home), the no-code app is at ``/user/NAME/voila/render/app.ipynb`` behind
   the hub's own login, and kernels idle for :func:`cull_seconds` with no
   browser tab attached are shut down (about 150 MiB each).

Options given to ``backkit-singleuser`` are passed on to
``jupyterhub-singleuser`` after the kit's, so they win.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from . import workspace
from .errors import BackkitError, ConfigError
from .i18n import gettext as _

__all__ = [
    "CULL_ENV",
    "DEFAULT_CULL_SECONDS",
    "cull_seconds",
    "hub_app_url",
    "singleuser_command",
    "singleuser_main",
]

#: Seconds a kernel may sit idle with no browser tab attached before the
#: server shuts it down; ``0`` never does.
CULL_ENV = "BACKKIT_CULL_IDLE_SECONDS"
DEFAULT_CULL_SECONDS = 900
_MAX_CULL_SECONDS = 7 * 24 * 3600
# Voila's list of JupyterLab extensions includes Notebook 7's, which the app
# does not use and which logs a console error in Voila pages.
_VOILA_DENYLIST = "@jupyter-notebook/lab-extension"


def cull_seconds() -> int:
    """Return how long an unattached idle kernel lives: ``$BACKKIT_CULL_IDLE_SECONDS``, else 900.

    Raises
    ------
    ConfigError
        When the setting is not a whole number of seconds from 0 to a week.

    Examples
    --------
    >>> import os
    >>> os.environ["BACKKIT_CULL_IDLE_SECONDS"] = "600"
    >>> cull_seconds()
    600
    >>> del os.environ["BACKKIT_CULL_IDLE_SECONDS"]
    >>> cull_seconds()
    900
    """
    text = os.environ.get(CULL_ENV, "").strip()
    if not text:
        return DEFAULT_CULL_SECONDS
    try:
        seconds = int(text)
    except ValueError:
        seconds = -1
    if not 0 <= seconds <= _MAX_CULL_SECONDS:
        raise ConfigError(
            _("{value}: give a whole number of seconds from 0 (never) to {most}").format(
                value=repr(text), most=_MAX_CULL_SECONDS
            ),
            where=CULL_ENV,
        )
    return seconds


def _singleuser_executable() -> str:
    beside = Path(sys.executable).parent / "jupyterhub-singleuser"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)  # the environment backkit runs in, not the first on PATH
    found = shutil.which("jupyterhub-singleuser")
    if found is None:
        raise ConfigError(
            _(
                "jupyterhub-singleuser is not installed here: install jupyterhub in this "
                "environment (pip install jupyterhub)"
            ),
            where=sys.prefix,
        )
    return found


def singleuser_command(
    root_dir: str | Path, extra: Sequence[str] = (), *, executable: str | None = None
) -> list[str]:
    r"""Return the ``jupyterhub-singleuser`` command line serving ``root_dir``.

    Parameters
    ----------
    root_dir : path
        The person's workspace: the server's root folder.
    extra : sequence of str
        Options for ``jupyterhub-singleuser``; they come last, so they win.
    executable : str, optional
        The server command (default: ``jupyterhub-singleuser`` of the
        environment backkit runs in, else the first on ``PATH``).

    Returns
    -------
    list of str
        The command: the server rooted at ``root_dir``; unattached idle kernels
        culled after :func:`cull_seconds` (checked every minute at most); Voila's
        pages without tracebacks, without Notebook 7's extension and without
        MathJax from a CDN.

    Raises
    ------
    ConfigError
        When ``jupyterhub-singleuser`` is not installed, or ``$BACKKIT_CULL_IDLE_SECONDS``
        is not a number of seconds.

    Examples
    --------
    >>> import os
    >>> os.environ["BACKKIT_CULL_IDLE_SECONDS"] = "600"
    >>> ws = "/home/ann/.local/share/backkit/notebooks"
    >>> cmd = singleuser_command(ws, ["--debug"], executable="jupyterhub-singleuser")
    >>> print(*cmd[:4], cmd[-1], sep="\n")
    jupyterhub-singleuser
    --ServerApp.root_dir=/home/ann/.local/share/backkit/notebooks
    --MappingKernelManager.cull_idle_timeout=600
    --MappingKernelManager.cull_interval=60
    --debug
    >>> del os.environ["BACKKIT_CULL_IDLE_SECONDS"]
    """
    seconds = cull_seconds()
    interval = max(5, min(60, seconds // 2)) if seconds else 300
    return [
        executable or _singleuser_executable(),
        f"--ServerApp.root_dir={root_dir}",
        f"--MappingKernelManager.cull_idle_timeout={seconds}",
        f"--MappingKernelManager.cull_interval={interval}",
        # a kernel with a tab open (a timer counting in the browser) is never culled
        "--MappingKernelManager.cull_connected=False",
        "--MappingKernelManager.cull_busy=False",
        "--VoilaConfiguration.show_tracebacks=False",
        # Voila's pages would load MathJax from a public CDN (its page settings
        # name one unless both are None); the app shows no formulas.
        '--ServerApp.tornado_settings={"mathjax_url": None, "mathjax_config": None}',
        # a list literal: a bare name would be read as None by the server's config loader
        f"--VoilaConfiguration.extension_denylist={json.dumps([_VOILA_DENYLIST])}",
        *extra,
    ]


def hub_app_url(prefix: str | None = None) -> str | None:
    """Return the app's path in this JupyterHub server, or None outside a hub.

    ``prefix`` is the server's URL prefix (default ``$JUPYTERHUB_SERVICE_PREFIX``,
    which the hub gives every server it starts).

    Examples
    --------
    >>> hub_app_url("/user/ann/")
    '/user/ann/voila/render/app.ipynb'
    >>> hub_app_url("") is None
    True
    """
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "") if prefix is None else prefix
    if not prefix:
        return None
    return f"{prefix.rstrip('/')}/voila/render/app.ipynb"


def singleuser_main(argv: Sequence[str] | None = None) -> int:
    """Run ``backkit-singleuser``: prepare the workspace, then become ``jupyterhub-singleuser``.

    Returns only on an error (one line on stderr, exit code 1); otherwise the
    process is replaced by the server.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    os.umask(0o077)  # before anything is written: the server, kernels and IPython inherit it
    try:
        ws = workspace.prepare()
        cmd = singleuser_command(ws.path, args)
    except (BackkitError, OSError) as err:
        message = str(err)
        if isinstance(err, OSError) and err.filename:
            message = f"{err.filename}: {err.strerror}"
        said = _("{prog}: error: {message}").format(prog="backkit-singleuser", message=message)
        print(said, file=sys.stderr, flush=True)
        return 1
    for line in ws.messages():
        print(f"backkit-singleuser: {line}", file=sys.stderr, flush=True)
    os.execv(cmd[0], cmd)  # never returns
    return 0  # pragma: no cover


def _entry_point() -> None:  # the console script
    sys.exit(singleuser_main())


if __name__ == "__main__":  # python -m backkit.hub: the same as backkit-singleuser
    _entry_point()
