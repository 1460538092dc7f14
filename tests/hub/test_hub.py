"""backkit on a real JupyterHub: PAM users, LocalProcessSpawner, configurable-http-proxy,
all on 127.0.0.1, started with the same ``deploy/jupyterhub_config.py`` the README shows.

Run by ``make test-hub`` (root only), which first installs what it needs
(tests/hub/prepare.sh): a hub venv made with Debian's Python holding
jupyterhub and the kit's wheel, and the proxy from npm. The module makes two
students and a clinician (and the clinicians' group) as local accounts and
removes them afterwards, whatever happened. In order:

1. both students log in with Chromium and land on notebook 00 in their own
   workspace, run it top to bottom, and record a session from a kernel;
2. the app renders at /user/NAME/voila/render/app.ipynb behind the hub's
   login (no second token), with the kit's template and nothing requested
   from outside 127.0.0.1; the memory of each person's processes is printed;
3. neither student can read the other's log, from a shell or a kernel, nor
   reach the other's server;
4. ``backkit share`` puts a pseudonymised export in the clinic's folders,
   0640 and of the folder's group, and ``backkit caseload`` reads them as the
   clinician; a student activates a plan from the clinician's read-only folder;
5. a checkout on the path is nobody's data home;
6. the app's kernel, its tab closed, is culled.

Screenshots and the hub's log go to /tmp/backkit-test-artifacts/hub-*.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hubtools as ht

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "deploy" / "jupyterhub_config.py"
PREFIX = Path(os.environ.get("BACKKIT_HUB_PREFIX", "/opt/backkit-hub-test"))
VENV = PREFIX / "venv"
PROXY = PREFIX / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
ARTIFACTS = Path(
    os.environ.get("BACKKIT_TEST_ARTIFACTS")
    or Path(tempfile.gettempdir()) / "backkit-test-artifacts"
)
CULL_SECONDS = 20  # the app kernel's idle life in this test (900 by default)
TIMINGS: dict[str, float] = {}
MEMORY: dict[str, dict[str, float]] = {}

pytestmark = [pytest.mark.hub, pytest.mark.timeout(900)]


def _why_not() -> str | None:
    skip_file = Path(f"{PREFIX}.skip")
    if skip_file.is_file():
        return skip_file.read_text().strip()
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root (it creates and removes local users)"
    if not (VENV / "bin" / "jupyterhub").is_file() or not PROXY.is_file():
        return f"no hub environment in {PREFIX}: run `make test-hub` (tests/hub/prepare.sh)"
    if not Path("/usr/bin/chromium").is_file():
        return "needs Debian's chromium (apt-get install chromium)"
    return None


def _timed(name: str, start: float) -> None:
    TIMINGS[name] = round(time.monotonic() - start, 1)


# --------------------------------------------------------------------------
# Fixtures: the accounts, the hub, the browser


class Site:
    """The accounts, folders and hub of this module."""

    def __init__(self, tag: str):
        self.tag = tag
        self.group = f"bkhub{tag}-clinic"
        self.students: list[ht.User] = []
        self.clinician: ht.User | None = None
        self.base = Path(tempfile.mkdtemp(prefix="backkit-hub-"))
        self.clinic = self.base / "clinic"  # the group folder: 2770
        self.dropbox = self.base / "dropbox"  # students write, only the group reads: 3773
        self.hub: ht.Hub | None = None
        self.logs: dict[str, str] = {}

    @property
    def names(self) -> list[str]:
        return [u.name for u in self.students]

    def user(self, name: str) -> ht.User:
        return next(u for u in self.students if u.name == name)


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    reason = _why_not()
    if reason:
        pytest.skip(f"JupyterHub test: {reason}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ht.remove_leftovers()
    site = Site(os.urandom(3).hex())
    print(f"\nload average at the start: {_load()}")
    try:
        _make_accounts(site)
        start = time.monotonic()
        site.hub = _start_hub(site)  # stopped in finally, even if it never comes up
        site.hub.wait_up()
        _timed("hub API up", start)
        start = time.monotonic()
        for name in site.names:
            site.hub.start_server(name)
        for name in site.names:
            site.hub.wait_server(name)
        _timed(f"{len(site.names)} servers ready (started at once)", start)
        yield site
    finally:
        if site.hub is not None:
            site.hub.stop_servers(site.names)
            site.hub.stop()
            shutil.copy(site.hub.log_path, ARTIFACTS / "hub-jupyterhub.log")
            shutil.rmtree(site.hub.state, ignore_errors=True)  # its database, cookie secret
        for user in [*site.students, *([site.clinician] if site.clinician else [])]:
            ht.remove_user(user.name)
        subprocess.run(["groupdel", site.group], capture_output=True)
        shutil.rmtree(site.base, ignore_errors=True)
        print(f"\nhub test timings (s): {json.dumps(TIMINGS)}")
        print(f"load average at the end: {_load()}")
        made = [*site.students, *([site.clinician] if site.clinician else [])]
        left = [u.name for u in made if _exists(u.name)]
        assert left == [], f"accounts left behind: {left}"


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _exists(name: str) -> bool:
    return subprocess.run(["id", name], capture_output=True).returncode == 0


def _make_accounts(site: Site) -> None:
    subprocess.run(["groupadd", site.group], check=True, capture_output=True)
    # ann is in the clinic's group (so she may write to its 2770 folder), bob is not
    # one at a time, so the finally block removes every account made so far
    site.students.append(ht.make_user(f"bkhub{site.tag}-ann", groups=(site.group,)))
    site.students.append(ht.make_user(f"bkhub{site.tag}-bob"))
    site.clinician = ht.make_user(f"bkhub{site.tag}-cli", groups=(site.group,))
    os.chmod(site.base, 0o711)
    gid = int(subprocess.run(["getent", "group", site.group], capture_output=True, text=True,
                             check=True).stdout.split(":")[2])  # fmt: skip
    for folder, mode in ((site.clinic, 0o2770), (site.dropbox, 0o3773)):
        folder.mkdir()
        os.chown(folder, 0, gid)
        os.chmod(folder, mode)
    for user in site.students:  # no news pop-up over the notebook in Lab
        settings = user.home / ".jupyter/lab/user-settings/@jupyterlab/apputils-extension"
        settings.mkdir(parents=True)
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        subprocess.run(["chown", "-R", f"{user.name}:", str(user.home / ".jupyter")], check=True)


def _start_hub(site: Site) -> ht.Hub:
    state = Path(tempfile.mkdtemp(prefix="backkit-hub-state-"))  # root's, 0700
    port = ht.free_port()
    token = os.urandom(16).hex()
    env = {
        "PATH": f"{VENV / 'bin'}:{PROXY.parent}:{ht.CLEAN_PATH}",
        "LANG": "C.UTF-8",
        "HOME": str(state),
        # the settings deploy/jupyterhub_config.py reads
        "BACKKIT_SINGLEUSER": str(VENV / "bin" / "backkit-singleuser"),
        "BACKKIT_TZ": "Europe/London",
        "BACKKIT_CULL_IDLE_SECONDS": str(CULL_SECONDS),
        "BACKKIT_HUB_BIND_URL": f"http://127.0.0.1:{port}",
        "BACKKIT_HUB_API_PORT": str(ht.free_port()),
        "BACKKIT_HUB_PROXY_API_PORT": str(ht.free_port()),
        "BACKKIT_HUB_PROXY": str(PROXY),
        "BACKKIT_HUB_STATE_DIR": str(state),
        "BACKKIT_HUB_AUTHENTICATOR": "pam",
        "BACKKIT_HUB_USERS": ",".join(site.names),
        "BACKKIT_HUB_ADMIN_TOKEN": token,
    }
    log_path = state / "jupyterhub.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(VENV / "bin" / "jupyterhub"), "-f", str(CONFIG)],
            cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return ht.Hub(f"http://127.0.0.1:{port}", token, process, log_path, state)


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    from backkit.report import CHROMIUM_FLAGS

    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=[*CHROMIUM_FLAGS, "--no-sandbox"],
        )  # fmt: skip
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def pages(site, browser) -> Iterator[dict]:
    """A logged-in browser context per student: {name: (context, lab page, requests)}."""
    opened = {}
    try:
        for user in site.students:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda r, seen=requests: seen.append(r.url))
            start = time.monotonic()
            page.goto(f"{site.hub.url}/hub/login")
            page.fill("input[name=username]", user.name)
            page.fill("input[name=password]", user.password)
            page.press("input[name=password]", "Enter")
            page.wait_for_url(re.compile(rf"/user/{user.name}/lab"), timeout=60_000)
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            # the kernel started and idle (the indicator alone says idle before it starts)
            page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle")).wait_for(
                timeout=60_000
            )
            _timed(f"{user.name[-3:]}: login to notebook 00 open, kernel idle", start)
            opened[user.name] = (context, page, requests)
        yield opened
    finally:
        for context, _, _ in opened.values():
            context.close()


# --------------------------------------------------------------------------
# 1. Logging in, the workspace, notebook 00, a session from a kernel


def test_each_student_lands_on_notebook_00_in_their_own_workspace(site, pages):
    for name, (_, page, _) in pages.items():
        listing = page.locator(".jp-DirListing-content")
        listing.get_by_text("00_start_here.ipynb", exact=True).wait_for(timeout=30_000)
        shown = listing.locator(".jp-DirListing-itemText").all_inner_texts()
        assert "app.ipynb" in shown and "10_todays_session.ipynb" in shown, shown
        workspace = site.user(name).home / ".local/share/backkit/notebooks"
        assert (workspace / "00_start_here.ipynb").is_file()
        assert _mode(workspace) == 0o700 and _mode(workspace.parent) == 0o700
        page.screenshot(path=ARTIFACTS / f"hub-lab-{name[-3:]}.png")


def test_notebook_00_runs_top_to_bottom_through_the_hub(site, pages):
    for name, (_, page, _) in pages.items():
        start = time.monotonic()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt")
        deadline = time.monotonic() + 120
        texts: list[str] = []
        while time.monotonic() < deadline:
            # text_content: Lab hides cells scrolled out of view, and inner_text reads ""
            texts = [(t or "").strip() for t in prompts.all_text_contents()]
            if texts and all(re.fullmatch(r"\[\d+\]:", t) for t in texts):
                break
            page.wait_for_timeout(200)
        else:
            raise AssertionError(f"{name}: cells did not all run: {texts}")
        _timed(f"{name[-3:]}: notebook 00 run all ({len(texts)} code cells)", start)
        errors = page.locator("[data-mime-type='application/vnd.jupyter.error']")
        assert errors.count() == 0, errors.all_inner_texts()
        page.screenshot(path=ARTIFACTS / f"hub-notebook00-{name[-3:]}.png", full_page=True)


RECORD = """
import json, os, stat
import backkit
from backkit.log import SessionLog
log = SessionLog()
log.record(exercise_id="bridge", sets_done=2, reps_done=10, pain_before=4, pain_after=3,
           notes="secret note of {name}")
history = os.path.expanduser("~/.ipython/profile_default/history.sqlite")
print(json.dumps({{
    "log": str(log.path), "rows": len(log),
    "log_mode": oct(stat.S_IMODE(os.stat(log.path).st_mode)),
    "home_mode": oct(stat.S_IMODE(os.stat(backkit.config.data_home()).st_mode)),
    "history_mode": oct(stat.S_IMODE(os.stat(history).st_mode)) if os.path.exists(history)
                    else None,
    "tz": str(backkit.config.kit_timezone()),
    "umask": oct(os.umask(0o077)),
}}))
log.close()
"""


def test_each_student_records_a_session_from_a_kernel(site, pages):
    for user in site.students:
        start = time.monotonic()
        out = json.loads(ht.run_in_kernel(site.hub, user.name, RECORD.format(name=user.name)))
        _timed(f"{user.name[-3:]}: a session recorded from a new kernel", start)
        assert out["log"] == f"{user.home}/.local/share/backkit/backkit-log.sqlite"
        assert out["rows"] == 1
        assert (out["log_mode"], out["home_mode"], out["umask"]) == ("0o600", "0o700", "0o77")
        assert out["history_mode"] in (None, "0o600"), "IPython's history: the person's only"
        assert out["tz"] == "Europe/London"  # the class's zone from the hub's config
        site.logs[user.name] = out["log"]


# --------------------------------------------------------------------------
# 2. The app through the hub; memory


def test_the_app_renders_behind_the_hub_login_with_nothing_from_outside(site, pages):
    name = site.names[0]
    context, _, _ = pages[name]
    _, before = site.hub.user_api(name, "/kernels")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    start = time.monotonic()
    response = page.goto(f"{site.hub.url}/user/{name}/voila/render/app.ipynb")
    assert response is not None and response.status == 200
    page.wait_for_selector(".bk-app", timeout=120_000)
    _timed(f"{name[-3:]}: app rendered through the hub", start)
    page.wait_for_timeout(1000)
    page.screenshot(path=ARTIFACTS / "hub-app.png", full_page=True)
    assert "token=" not in page.url, "the hub's login is the only one"
    html = response.text()
    assert "cdn.jsdelivr.net" not in html and "font-awesome" not in html.lower(), "kit's template"
    outside = sorted(
        {u for u in requests if urllib.parse.urlsplit(u).scheme in ("http", "https", "ws", "wss")
         and urllib.parse.urlsplit(u).hostname != "127.0.0.1"}
    )  # fmt: skip
    assert outside == [], f"the app asked for addresses outside this computer: {outside}"

    _, after = site.hub.user_api(name, "/kernels")
    (app_kernel,) = [k["id"] for k in after if k["id"] not in {b["id"] for b in before}]
    _memory(site, name, app_kernel)
    page.close()  # the tab closed: the app kernel is culled once idle (the last test)
    site.logs["app kernel"] = app_kernel


def _memory(site: Site, name: str, app_kernel: str) -> None:
    user = site.user(name)
    _, sessions = site.hub.user_api(name, "/sessions")
    (notebook,) = [s["kernel"]["id"] for s in sessions if s["path"].endswith("00_start_here.ipynb")]
    MEMORY[name] = {
        "server": ht.rss_mib(ht.server_pid(user.uid)),
        "notebook kernel (after notebook 00)": ht.rss_mib(ht.kernel_pid(user.uid, notebook)),
        "app kernel": ht.rss_mib(ht.kernel_pid(user.uid, app_kernel)),
    }
    other = site.names[1]
    _, sessions = site.hub.user_api(other, "/sessions")
    (notebook,) = [s["kernel"]["id"] for s in sessions if s["path"].endswith("00_start_here.ipynb")]
    MEMORY[other] = {
        "server": ht.rss_mib(ht.server_pid(site.user(other).uid)),
        "notebook kernel (after notebook 00)": ht.rss_mib(
            ht.kernel_pid(site.user(other).uid, notebook)
        ),
    }
    for used in MEMORY.values():
        used["total"] = sum(used.values())
    rows = {n: {k: round(v) for k, v in m.items()} for n, m in MEMORY.items()}
    print(f"\nmemory per user (RSS, MiB; load {_load()}): {json.dumps(rows)}")
    (ARTIFACTS / "hub-memory.json").write_text(json.dumps(rows, indent=1))


# --------------------------------------------------------------------------
# 3. Privacy between students


def test_neither_student_can_read_the_others_log(site, pages):
    ann, bob = site.names
    for reader, owner in ((bob, ann), (ann, bob)):
        log = site.logs[owner]
        shell = ht.run_as(reader, f"cat {ht.q(log)} > /dev/null")
        assert shell.returncode != 0 and "Permission denied" in shell.stderr, shell
        listing = ht.run_as(reader, f"ls {ht.q(Path(log).parent)}")
        assert listing.returncode != 0 and "Permission denied" in listing.stderr
        code = f"""
try:
    open({log!r}, "rb").read(16)
    print("READ")
except PermissionError as err:
    print("EACCES", err.errno)
"""
        assert ht.run_in_kernel(site.hub, reader, code).split() == ["EACCES", "13"]
        # another person's token gets nothing from this person's server
        status, _ = site.hub.user_api(owner, "/contents", as_user=reader)
        assert status == 403, f"{reader}'s token on {owner}'s server: {status}"
    # and in the browser: bob's cookie does not open ann's Lab
    _, page, _ = pages[bob]
    response = page.goto(f"{site.hub.url}/user/{ann}/lab")
    assert response is not None
    page.wait_for_load_state()
    assert "You do not have permission to access Server" in page.content()
    page.screenshot(path=ARTIFACTS / "hub-other-users-server.png")


def test_everything_in_a_workspace_is_the_persons_only(site, pages):
    for user in site.students:
        workspace = user.home / ".local/share/backkit/notebooks"
        loose = [str(p) for p in workspace.rglob("*") if _mode(p) & 0o077]
        assert loose == [], "readable by others (the umask 077 of backkit-singleuser)"


# --------------------------------------------------------------------------
# 4. Sharing with the clinician


def test_a_student_shares_with_the_clinic_and_the_clinician_reads_the_caseload(site, pages):
    ann, bob = site.names
    cli = site.clinician.name
    backkit = VENV / "bin" / "backkit"
    start = time.monotonic()
    done = ht.run_as(ann, f"{backkit} share --to {ht.q(site.clinic)} --as P001")
    _timed("backkit share (as a student, su)", start)
    assert done.returncode == 0, done.stderr
    gid = site.clinic.stat().st_gid
    for suffix in (".csv", ".yaml"):
        shared = site.clinic / f"P001{suffix}"
        assert (_mode(shared), shared.stat().st_gid) == (0o640, gid), shared
        assert shared.stat().st_uid == site.user(ann).uid
    assert f"secret note of {ann}" not in (site.clinic / "P001.csv").read_text()
    both = (site.clinic / "P001.csv").read_text() + (site.clinic / "P001.yaml").read_text()
    assert ann not in both, "no user name in what is shared"

    # bob is not in the clinic's group: one line, nothing written
    refused = ht.run_as(bob, f"{backkit} share --to {ht.q(site.clinic)} --as P002")
    assert refused.returncode != 0, refused
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert refused.stderr.startswith("backkit share: error:"), refused.stderr
    assert sorted(p.name for p in site.clinic.iterdir()) == ["P001.csv", "P001.yaml"]
    # the drop box (set-group-ID, sticky): he writes, the group reads, he cannot list it
    done = ht.run_as(bob, f"{backkit} share --to {ht.q(site.dropbox)} --as P002")
    assert done.returncode == 0, done.stderr
    assert (_mode(site.dropbox / "P002.csv"), (site.dropbox / "P002.csv").stat().st_gid) == (
        0o640, site.dropbox.stat().st_gid)  # fmt: skip
    assert ht.run_as(bob, f"ls {ht.q(site.dropbox)}").returncode != 0
    assert ht.run_as(bob, f"cat {ht.q(site.clinic / 'P001.csv')}").returncode != 0

    start = time.monotonic()
    for folder, patient in ((site.clinic, "P001"), (site.dropbox, "P002")):
        view = ht.run_as(cli, f"{backkit} caseload {ht.q(folder)}")
        assert view.returncode == 0, view.stderr
        assert patient in view.stdout, view.stdout
        assert "skipped" not in view.stdout + view.stderr, view.stdout + view.stderr
    _timed("backkit caseload of two folders (as the clinician, su)", start)
    print(f"\nthe clinician's caseload of the drop box:\n{view.stdout}")


def test_a_student_activates_a_plan_from_the_clinicians_folder(site):
    bob = site.user(site.names[1])
    plans = site.base / "plans"  # the clinician's, readable by all, writable by nobody else
    plans.mkdir()
    shutil.copy(REPO / "data" / "sample_plan.yaml", plans / "week3.yaml")
    subprocess.run(["chown", "-R", f"{site.clinician.name}:", str(plans)], check=True)
    plans.chmod(0o755)
    (plans / "week3.yaml").chmod(0o644)  # a class's plan is no secret
    done = ht.run_as(bob.name, f"{VENV / 'bin' / 'backkit'} plan activate {plans / 'week3.yaml'}")
    assert done.returncode == 0, done.stderr
    active = bob.home / ".local/share/backkit/plan.yaml"
    assert _mode(active) == 0o600 and active.stat().st_uid == bob.uid
    assert ht.run_as(bob.name, f"touch {plans / 'mine.yaml'}").returncode != 0, "read-only"


# --------------------------------------------------------------------------
# 5. A checkout on the path


def test_a_checkout_on_the_path_is_nobodys_data_home(site):
    ann = site.names[0]
    if ht.run_as(ann, f"test -r {ht.q(REPO / 'pyproject.toml')}").returncode != 0:
        pytest.skip("the checkout is not readable by other users here")
    code = "import backkit.config as c; print(c.repository_root(), c.data_home(create=False))"
    out = ht.run_as(ann, f"PYTHONPATH={ht.q(REPO)} {VENV / 'bin' / 'python'} -c {ht.q(code)}")
    assert out.returncode == 0, out.stderr
    root, home = out.stdout.split()
    assert root == str(REPO), "backkit was imported from the checkout"
    assert home == f"{site.user(ann).home}/.local/share/backkit", "not the checkout's data/"


# --------------------------------------------------------------------------
# 6. Culling


def test_the_app_kernel_is_culled_once_its_tab_is_closed(site, pages):
    name = site.names[0]
    kernel = site.logs.get("app kernel")
    if kernel is None:
        pytest.skip("the app did not render")
    deadline = time.monotonic() + CULL_SECONDS + 90
    while time.monotonic() < deadline:
        _, kernels = site.hub.user_api(name, "/kernels")
        if kernel not in {k["id"] for k in kernels}:
            break
        time.sleep(1)
    else:
        raise AssertionError(f"the app kernel {kernel} still runs {CULL_SECONDS + 90} s later")
    # the notebook's kernel, its tab still open, is kept
    _, sessions = site.hub.user_api(name, "/sessions")
    assert any(s["path"].endswith("00_start_here.ipynb") for s in sessions)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)
