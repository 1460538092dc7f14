"""backkit on JupyterHub: every person's server opens on their own notebooks.

The Littlest JupyterHub (TLJH): install backkit into the users' environment,
then put this file among TLJH's extra settings and reload:

    sudo -E pip install backkit          # or the wheel: pip install backkit-*.whl
    sudo cp jupyterhub_config.py /opt/tljh/config/jupyterhub_config.d/backkit.py
    sudo tljh-config reload hub

Any other JupyterHub: ``jupyterhub -f jupyterhub_config.py`` (or copy the
settings into yours). Settings come from environment variables of the hub's
process (``BACKKIT_*`` below), so the same file serves a class, a clinic and
backkit's own test of a real hub (``make test-hub``); without any, it suits
TLJH. Everything is explained in docs/hub.md.
"""

import importlib.util
import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - JupyterHub's config loader defines it
env = os.environ.get


def _singleuser() -> str:
    """backkit-singleuser: the hub's own setting, TLJH's user environment, or PATH."""
    for candidate in (env("BACKKIT_SINGLEUSER"), "/opt/tljh/user/bin/backkit-singleuser"):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("backkit-singleuser") or "backkit-singleuser"


# --------------------------------------------------------------------------
# Each person's server

# backkit-singleuser (a console script of the backkit package) runs as the
# person: umask 077, makes or refreshes their workspace (their own copies of
# the notebooks, 0700 in their data home), then becomes jupyterhub-singleuser
# serving that folder, with idle kernels culled. Options after it go to
# jupyterhub-singleuser.
c.Spawner.cmd = [_singleuser()]
c.Spawner.default_url = "/lab/tree/00_start_here.ipynb"
# The class's language and country (whose emergency and urgent services the
# safety advice names: GB, BR, PT), passed on when the hub sets them; unset,
# each server follows backkit's defaults (backkit.config.region).
c.Spawner.environment.update(
    {name: env(name) for name in ("BACKKIT_LANG", "BACKKIT_REGION") if env(name)}
)
c.Spawner.environment.update(
    {
        # Hubs run in UTC: the class's own zone decides what "today" is for
        # the plan, streaks and the weekly check-in.
        "BACKKIT_TZ": env("BACKKIT_TZ", "Europe/London"),
        # Kernels (the app's too, about 150 MiB each) idle this long with no
        # browser tab attached are shut down; 0 never.
        "BACKKIT_CULL_IDLE_SECONDS": env("BACKKIT_CULL_IDLE_SECONDS", "900"),
    }
)
# The first start copies the notebooks; a busy class machine needs the time.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
if env("BACKKIT_HUB_MEM_LIMIT"):  # enforced by systemd (TLJH) and Kubernetes spawners
    c.Spawner.mem_limit = env("BACKKIT_HUB_MEM_LIMIT")

# Whole servers left idle are stopped by jupyterhub-idle-culler (TLJH runs its
# own already: `tljh-config set services.cull.timeout 3600`).
_cull_servers = int(env("BACKKIT_HUB_CULL_SERVERS_SECONDS", "3600"))
_in_tljh = importlib.util.find_spec("tljh") is not None
if _cull_servers and not _in_tljh and importlib.util.find_spec("jupyterhub_idle_culler"):
    c.JupyterHub.services.append(
        {
            "name": "backkit-idle-culler",
            "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                        f"--timeout={_cull_servers}", "--cull-every=300"],
        }
    )  # fmt: skip
    c.JupyterHub.load_roles.append(
        {
            "name": "backkit-idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["backkit-idle-culler"],
        }
    )

# --------------------------------------------------------------------------
# Outside TLJH (which sets these itself), and in backkit's own hub test

if env("BACKKIT_HUB_BIND_URL"):  # the public address, e.g. http://127.0.0.1:8000
    c.JupyterHub.bind_url = env("BACKKIT_HUB_BIND_URL")
if env("BACKKIT_HUB_API_PORT"):  # the hub's own API, for the proxy and servers
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env('BACKKIT_HUB_API_PORT')}"
if env("BACKKIT_HUB_PROXY_API_PORT"):
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('BACKKIT_HUB_PROXY_API_PORT')}"
if env("BACKKIT_HUB_PROXY"):  # configurable-http-proxy (npm)
    c.ConfigurableHTTPProxy.command = [env("BACKKIT_HUB_PROXY")]
if env("BACKKIT_HUB_STATE_DIR"):  # the hub's database, cookie secret and proxy PID
    state = Path(env("BACKKIT_HUB_STATE_DIR"))
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
if env("BACKKIT_HUB_AUTHENTICATOR"):  # "pam": the machine's own accounts
    c.JupyterHub.authenticator_class = env("BACKKIT_HUB_AUTHENTICATOR")
if env("BACKKIT_HUB_USERS"):  # who may log in, comma-separated
    c.Authenticator.allowed_users = set(env("BACKKIT_HUB_USERS").split(","))
if env("BACKKIT_HUB_ADMIN_TOKEN"):  # a token for scripts: start servers before a class
    c.JupyterHub.services.append(
        {"name": "backkit-admin", "api_token": env("BACKKIT_HUB_ADMIN_TOKEN")}
    )
    c.JupyterHub.load_roles.append(
        {
            "name": "backkit-admin",
            "scopes": ["admin:users", "admin:servers", "access:servers", "tokens"],
            "services": ["backkit-admin"],
        }
    )
