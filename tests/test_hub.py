"""backkit-singleuser, the command a JupyterHub starts for each person.

A real hub runs it in tests/hub (``make test-hub``). Here it runs as a process
with a stand-in ``jupyterhub-singleuser`` on ``PATH`` (the checkout's venv has
no JupyterHub) that reports how it was started: its arguments and umask.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from backkit import hub
from backkit.errors import ConfigError

STAND_IN = """#!{python}
import json, os, sys
umask = os.umask(0)
print(json.dumps({{"argv": sys.argv[1:], "umask": umask, "pid": os.getpid()}}))
"""


def singleuser(home: Path, *args: str, path: Path | None = None, **env: str):
    environ = {k: v for k, v in os.environ.items() if k != "BACKKIT_CULL_IDLE_SECONDS"}
    environ.update(BACKKIT_HOME=str(home), **env)
    if path is not None:
        environ["PATH"] = f"{path}{os.pathsep}{environ['PATH']}"
    return subprocess.run(
        [sys.executable, "-m", "backkit.hub", *args],
        capture_output=True, text=True, env=environ, timeout=60,
    )  # fmt: skip


@pytest.fixture
def stand_in(tmp_path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "jupyterhub-singleuser"
    script.write_text(STAND_IN.format(python=sys.executable))
    script.chmod(0o755)
    return folder


def test_prepares_the_workspace_then_becomes_the_server_there(tmp_path, stand_in):
    home = tmp_path / "home"
    done = singleuser(home, "--debug", path=stand_in)
    assert done.returncode == 0, done.stderr
    server = json.loads(done.stdout)
    workspace = home / "notebooks"
    assert (workspace / "00_start_here.ipynb").is_file()
    assert server["argv"][0] == f"--ServerApp.root_dir={workspace}"
    assert "--MappingKernelManager.cull_idle_timeout=900" in server["argv"]
    assert server["argv"][-1] == "--debug", "the hub's own options come last, so they win"
    assert server["umask"] == 0o077, "what the server and kernels write is the person's only"
    assert "copied" in done.stderr and str(workspace) in done.stderr


def test_the_cull_setting_reaches_the_server(tmp_path, stand_in):
    done = singleuser(tmp_path / "home", path=stand_in, BACKKIT_CULL_IDLE_SECONDS="60")
    argv = json.loads(done.stdout)["argv"]
    assert "--MappingKernelManager.cull_idle_timeout=60" in argv
    assert "--MappingKernelManager.cull_interval=30" in argv
    assert "--MappingKernelManager.cull_connected=False" in argv


@pytest.mark.parametrize("bad", ["soon", "-1", "999999999", "1.5"])
def test_a_bad_cull_setting_is_one_line_and_no_server(tmp_path, stand_in, bad):
    done = singleuser(tmp_path / "home", path=stand_in, BACKKIT_CULL_IDLE_SECONDS=bad)
    assert done.returncode == 1 and done.stdout == ""
    said = f"backkit-singleuser: error: BACKKIT_CULL_IDLE_SECONDS: {bad!r}: give a whole number"
    assert done.stderr.strip().splitlines()[-1].startswith(said)
    assert "Traceback" not in done.stderr


def test_without_jupyterhub_it_says_what_to_install(tmp_path):
    environ_path = Path(sys.executable).parent
    if (environ_path / "jupyterhub-singleuser").exists():
        pytest.skip("jupyterhub is installed in this environment")
    done = singleuser(tmp_path / "home", PATH="/usr/bin:/bin")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("backkit-singleuser: error:") and "pip install jupyterhub" in last


def test_the_command_line_in_full():
    cmd = hub.singleuser_command("/ws", executable="jupyterhub-singleuser")
    assert cmd == [
        "jupyterhub-singleuser",
        "--ServerApp.root_dir=/ws",
        "--MappingKernelManager.cull_idle_timeout=900",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False",
        "--MappingKernelManager.cull_busy=False",
        "--VoilaConfiguration.show_tracebacks=False",
        '--ServerApp.tornado_settings={"mathjax_url": None, "mathjax_config": None}',
        '--VoilaConfiguration.extension_denylist=["@jupyter-notebook/lab-extension"]',
    ]


def test_zero_never_culls(monkeypatch):
    monkeypatch.setenv("BACKKIT_CULL_IDLE_SECONDS", "0")
    cmd = hub.singleuser_command("/ws", executable="x")
    assert "--MappingKernelManager.cull_idle_timeout=0" in cmd


def test_cull_seconds_names_the_setting(monkeypatch):
    monkeypatch.setenv("BACKKIT_CULL_IDLE_SECONDS", "an hour")
    with pytest.raises(ConfigError, match=r"^BACKKIT_CULL_IDLE_SECONDS: 'an hour': give"):
        hub.cull_seconds()


def test_the_app_address_in_a_hub(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ann/")
    assert hub.hub_app_url() == "/user/ann/voila/render/app.ipynb"
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX")
    assert hub.hub_app_url() is None


def test_the_workspace_is_private_whatever_the_umask(tmp_path, stand_in):
    old = os.umask(0o022)
    try:
        singleuser(tmp_path / "home", path=stand_in)
    finally:
        os.umask(old)
    workspace = tmp_path / "home" / "notebooks"
    assert stat.S_IMODE(workspace.stat().st_mode) == 0o700
    entries = list(workspace.rglob("*"))
    assert {stat.S_IMODE(p.stat().st_mode) for p in entries if p.is_file()} == {0o600}
    # the Portuguese copies' folder (pt/) is private too
    assert {stat.S_IMODE(p.stat().st_mode) for p in entries if p.is_dir()} == {0o700}
