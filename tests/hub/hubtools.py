"""Driving a real JupyterHub for tests/hub: local users, the hub process, its REST
API, kernels in a person's server, and memory of their processes.

Facts behind the choices: ``/work/shared/HUB_TESTING.md``.
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import re
import secrets
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Every account the tests make says so, so a crashed run's accounts can be found.
GECOS = "backkit hub test"
PREFIX_RULE = re.compile(r"bkhub[0-9a-f]{6}-[a-z]+")
CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# Local users


@dataclass
class User:
    name: str
    password: str

    @property
    def uid(self) -> int:
        return pwd.getpwnam(self.name).pw_uid

    @property
    def home(self) -> Path:
        return Path(pwd.getpwnam(self.name).pw_dir)


def make_user(name: str, groups: tuple[str, ...] = ()) -> User:
    """``useradd -m`` (Debian's own home mode) with a random password, as an admin would."""
    password = secrets.token_urlsafe(12)
    argv = ["useradd", "-m", "-s", "/bin/bash", "-c", GECOS]
    if groups:
        argv += ["-G", ",".join(groups)]
    subprocess.run([*argv, name], check=True, capture_output=True)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
    return User(name, password)


def processes_of(uid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if proc.stat().st_uid == uid:
                    found.append(int(proc.name))
    return found


def remove_user(name: str) -> None:
    """Stop the user's processes (by PID), then ``userdel -r``."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in processes_of(uid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 5
        while processes_of(uid) and time.monotonic() < deadline:
            time.sleep(0.1)
    subprocess.run(["userdel", "-r", name], capture_output=True)


def remove_leftovers() -> list[str]:
    """Remove accounts and groups an earlier, killed run of these tests left behind."""
    removed = []
    for entry in pwd.getpwall():
        if entry.pw_gecos == GECOS and PREFIX_RULE.fullmatch(entry.pw_name):
            remove_user(entry.pw_name)
            removed.append(entry.pw_name)
    for group in grp.getgrall():
        if PREFIX_RULE.fullmatch(group.gr_name):
            subprocess.run(["groupdel", group.gr_name], capture_output=True)
            removed.append(group.gr_name)
    return removed


def run_as(user: str, command: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``su - USER -c COMMAND``: a login shell with the user's own clean environment."""
    return subprocess.run(
        ["su", "-", user, "-c", command],
        env={"PATH": CLEAN_PATH, "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def q(value: object) -> str:
    return shlex.quote(str(value))


# --------------------------------------------------------------------------
# The hub


@dataclass
class Hub:
    """A JupyterHub process on 127.0.0.1 and what it needs to be driven and stopped."""

    url: str
    admin_token: str
    process: subprocess.Popen
    log_path: Path
    state: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def request(
        self, path: str, *, method: str = "GET", body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        """(status, decoded JSON or text) of a request to the hub's address."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        req.add_header("Authorization", f"token {token or self.admin_token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode(errors="replace")
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def api(self, path: str, **kwargs: Any) -> Any:
        status, body = self.request(f"/hub/api{path}", **kwargs)
        if status >= 400:
            raise AssertionError(f"hub API {path}: {status} {body}\n{self.log_tail()}")
        return body

    def wait_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise AssertionError(f"the hub exited ({code}):\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if self.request("/hub/api/")[0] == 200:
                    return
            time.sleep(0.2)
        raise AssertionError(f"the hub did not answer in {timeout} s:\n{self.log_tail()}")

    def start_server(self, user: str) -> None:
        status, body = self.request(f"/hub/api/users/{user}/server", method="POST")
        assert status in (201, 202), (status, body, self.log_tail())

    def wait_server(self, user: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api(f"/users/{user}")
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            if not model.get("pending") and not server:
                raise AssertionError(f"{user}'s server stopped while starting:\n{self.log_tail()}")
            time.sleep(0.3)
        raise AssertionError(f"{user}'s server not ready in {timeout} s:\n{self.log_tail()}")

    def token_for(self, user: str) -> str:
        if user not in self.tokens:
            body = {"note": "hub test", "expires_in": 3600}
            made = self.api(f"/users/{user}/tokens", method="POST", body=body)
            self.tokens[user] = made["token"]
        return self.tokens[user]

    def user_api(self, user: str, path: str, *, as_user: str | None = None, **kwargs: Any):
        """(status, body) of ``/user/USER/api/PATH`` with ``as_user``'s own token."""
        token = self.token_for(as_user or user)
        return self.request(f"/user/{user}/api{path}", token=token, **kwargs)

    def stop_servers(self, users: list[str]) -> None:
        for user in users:
            with contextlib.suppress(Exception):
                self.request(f"/hub/api/users/{user}/server", method="DELETE")

    def stop(self) -> None:
        """Stop the hub and the proxy it started, by PID."""
        proxy_pid = None
        with contextlib.suppress(OSError, ValueError):
            proxy_pid = int((self.state / "jupyterhub-proxy.pid").read_text().strip())
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if proxy_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proxy_pid, signal.SIGTERM)

    def log_tail(self, lines: int = 60) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


# --------------------------------------------------------------------------
# Code in a person's kernel, through their server's REST API and websocket


def run_in_kernel(hub: Hub, user: str, code: str, *, timeout: float = 120) -> str:
    """Run ``code`` in a new kernel of ``user``'s server with their token; return its stdout.

    The kernel is shut down afterwards. An error in the code fails with its traceback.
    """
    import websocket  # websocket-client, a jupyter_server dependency

    token = hub.token_for(user)
    status, kernel = hub.user_api(user, "/kernels", method="POST", body={"name": "python3"})
    assert status == 201, (status, kernel)
    ws_url = (
        f"{hub.url.replace('http://', 'ws://')}/user/{user}/api/kernels/{kernel['id']}/channels"
    )
    auth = [f"Authorization: token {token}"]
    ws = websocket.create_connection(ws_url, header=auth, timeout=timeout)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))  # fmt: skip
        out: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                raise AssertionError("\n".join(msg["content"]["traceback"]))
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)
        raise AssertionError(f"no answer from {user}'s kernel in {timeout} s")
    finally:
        ws.close()
        hub.user_api(user, f"/kernels/{kernel['id']}", method="DELETE")


# --------------------------------------------------------------------------
# Memory


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return ""


def server_pid(uid: int) -> int:
    (pid,) = [p for p in processes_of(uid) if "jupyterhub-singleuser" in cmdline(p)]
    return pid


def kernel_pid(uid: int, kernel_id: str) -> int:
    (pid,) = [p for p in processes_of(uid) if f"kernel-{kernel_id}.json" in cmdline(p)]
    return pid
