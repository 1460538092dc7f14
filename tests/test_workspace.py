"""The person's workspace: their own notebook copies, refreshed without losing their edits.

The last test is the promise of issue 16: run every notebook from the workspace
of a checkout, as ``make lab`` would, and the checkout's ``git status`` stays clean.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from backkit import workspace
from backkit.workspace import MANIFEST, prepare

REPO = Path(__file__).resolve().parents[1]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def kit(tmp_path) -> Path:
    """A small stand-in for the kit's notebooks folder."""
    source = tmp_path / "kit"
    source.mkdir()
    (source / "a.ipynb").write_text('{"v": 1}')
    (source / "b.ipynb").write_text('{"v": 1}')
    (source / "README.md").write_text("read me")
    (source / "notes.txt").write_text("not a notebook")
    return source


def test_first_launch_copies_every_notebook_privately(tmp_path, kit, monkeypatch):
    monkeypatch.setenv("BACKKIT_HOME", str(tmp_path / "home"))  # its folders are made there
    old = os.umask(0o022)
    try:
        ws = prepare(tmp_path / "home" / "ws", source=kit)
    finally:
        os.umask(old)
    assert ws.created == ("README.md", "a.ipynb", "b.ipynb")
    assert sorted(p.name for p in ws.path.iterdir()) == [
        MANIFEST,
        "README.md",
        "a.ipynb",
        "b.ipynb",
    ]
    assert mode(ws.path) == 0o700 and mode(ws.path.parent) == 0o700
    assert {mode(p) for p in ws.path.iterdir()} == {0o600}
    assert ws.messages() == [f"copied 3 notebooks to your workspace {ws.path}"]


def test_a_second_launch_changes_nothing(tmp_path, kit):
    ws = prepare(tmp_path / "ws", source=kit)
    before = {p.name: p.stat().st_mtime_ns for p in ws.path.iterdir()}
    again = prepare(ws.path, source=kit)
    assert (again.created, again.updated, again.kept, again.messages()) == ((), (), (), [])
    assert {p.name: p.stat().st_mtime_ns for p in ws.path.iterdir()} == before


def test_a_new_kit_version_updates_untouched_copies_and_keeps_edited_ones(
    tmp_path, kit, monkeypatch
):
    ws = prepare(tmp_path / "ws", source=kit)
    (ws.path / "a.ipynb").write_text('{"v": 1, "mine": "pain 7 today"}')  # the person's run
    (kit / "a.ipynb").write_text('{"v": 2}')
    (kit / "b.ipynb").write_text('{"v": 2}')
    monkeypatch.setattr(workspace, "__version__", "9.9.9")
    new = prepare(ws.path, source=kit)
    assert new.updated == ("b.ipynb",)
    assert new.kept == (("a.ipynb", "a-backkit-9.9.9.ipynb"),)
    assert (ws.path / "a.ipynb").read_text() == '{"v": 1, "mine": "pain 7 today"}'
    assert (ws.path / "a-backkit-9.9.9.ipynb").read_text() == '{"v": 2}'
    assert (ws.path / "b.ipynb").read_text() == '{"v": 2}'
    assert new.messages() == [
        "updated 1 notebooks to backkit 9.9.9",
        "kept your edited a.ipynb; backkit 9.9.9's version is beside it: a-backkit-9.9.9.ipynb",
    ]
    assert json.loads((ws.path / MANIFEST).read_text())["backkit"] == "9.9.9"


def test_a_deleted_copy_comes_back_and_a_lost_manifest_keeps_every_file(tmp_path, kit):
    ws = prepare(tmp_path / "ws", source=kit)
    (ws.path / "b.ipynb").unlink()
    (ws.path / MANIFEST).unlink()
    (ws.path / "a.ipynb").write_text("edited")
    again = prepare(ws.path, source=kit)
    assert again.created == ("b.ipynb",)
    # without the manifest the kit cannot tell an edit from its own copy: it keeps theirs
    assert (ws.path / "a.ipynb").read_text() == "edited"
    assert [theirs for theirs, _ in again.kept] == ["a.ipynb"]


def test_the_default_workspace_is_in_the_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKKIT_HOME", str(tmp_path / "home"))
    ws = prepare()
    assert ws.path == tmp_path / "home" / "notebooks"
    names = {p.name for p in ws.path.glob("*.ipynb")}
    assert {"00_start_here.ipynb", "10_todays_session.ipynb", "app.ipynb"} <= names


@pytest.fixture
def kit_pt(kit) -> Path:
    """The stand-in kit with Portuguese copies, and a folder that is no language's."""
    (kit / "pt").mkdir()
    (kit / "pt" / "a.ipynb").write_text('{"v": 1, "lang": "pt"}')
    (kit / "pt" / "notes.txt").write_text("not a notebook")
    (kit / "drafts").mkdir()
    (kit / "drafts" / "c.ipynb").write_text("{}")
    return kit


def test_the_portuguese_copies_go_to_the_workspaces_pt_folder(tmp_path, kit_pt):
    old = os.umask(0o022)
    try:
        ws = prepare(tmp_path / "ws", source=kit_pt)
    finally:
        os.umask(old)
    assert ws.created == ("README.md", "a.ipynb", "b.ipynb", "pt/a.ipynb")
    assert sorted(p.name for p in (ws.path / "pt").iterdir()) == ["a.ipynb"]
    assert (ws.path / "pt" / "a.ipynb").read_text() == '{"v": 1, "lang": "pt"}'
    assert not (ws.path / "drafts").exists()
    assert mode(ws.path / "pt") == 0o700 and mode(ws.path / "pt" / "a.ipynb") == 0o600
    assert "pt/a.ipynb" in json.loads((ws.path / MANIFEST).read_text())["files"]
    assert ws.messages() == [f"copied 4 notebooks to your workspace {ws.path}"]


def test_an_edited_portuguese_copy_is_kept_and_the_new_one_put_beside_it(
    tmp_path, kit_pt, monkeypatch
):
    ws = prepare(tmp_path / "ws", source=kit_pt)
    (ws.path / "pt" / "a.ipynb").write_text("minha dor hoje: 7")
    (kit_pt / "pt" / "a.ipynb").write_text('{"v": 2, "lang": "pt"}')
    monkeypatch.setattr(workspace, "__version__", "9.9.9")
    new = prepare(ws.path, source=kit_pt)
    assert (new.created, new.updated) == ((), ())
    assert new.kept == (("pt/a.ipynb", "pt/a-backkit-9.9.9.ipynb"),)
    assert (ws.path / "pt" / "a.ipynb").read_text() == "minha dor hoje: 7"
    assert (ws.path / "pt" / "a-backkit-9.9.9.ipynb").read_text() == '{"v": 2, "lang": "pt"}'


def test_a_workspace_from_before_the_translations_gets_them(tmp_path, kit_pt):
    shutil.rmtree(kit_pt / "pt")
    ws = prepare(tmp_path / "ws", source=kit_pt)
    (kit_pt / "pt").mkdir()
    (kit_pt / "pt" / "a.ipynb").write_text('{"v": 1, "lang": "pt"}')
    again = prepare(ws.path, source=kit_pt)
    assert (again.created, again.updated, again.kept) == (("pt/a.ipynb",), (), ())


def test_the_default_workspace_has_a_portuguese_copy_of_every_notebook(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKKIT_HOME", str(tmp_path / "home"))
    ws = prepare()
    english = {p.name for p in ws.path.glob("*.ipynb")}
    assert {p.name for p in (ws.path / "pt").glob("*.ipynb")} == english
    assert (ws.path / "pt" / "00_start_here.ipynb").read_bytes() == (
        REPO / "notebooks" / "pt" / "00_start_here.ipynb"
    ).read_bytes()


@pytest.mark.parametrize(
    ("lang", "start"),
    [(None, "00_start_here.ipynb"), ("en", "00_start_here.ipynb"),
     ("pt", "pt/00_start_here.ipynb"), ("pt_BR.UTF-8", "pt/00_start_here.ipynb")],
)  # fmt: skip
def test_backkit_lab_starts_at_the_start_notebook_in_the_kits_language(
    tmp_path, monkeypatch, lang, start
):
    if lang is None:
        monkeypatch.delenv("BACKKIT_LANG", raising=False)
    else:
        monkeypatch.setenv("BACKKIT_LANG", lang)
    monkeypatch.setenv("BACKKIT_HOME", str(tmp_path / "home"))
    assert workspace.start_notebook() == start
    assert (prepare().path / start).is_file()  # there, in the workspace `backkit lab` serves


@pytest.mark.slow
def test_backkit_lab_in_portuguese_opens_the_portuguese_start_notebook(tmp_path):
    """A real ``backkit lab --lang pt``: the page it opens is ``pt/00_start_here.ipynb``."""
    import signal
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    runtime = tmp_path / "runtime"
    env = dict(os.environ, BACKKIT_HOME=str(tmp_path / "home"), JUPYTER_RUNTIME_DIR=str(runtime))
    env.update(JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_DATA_DIR=str(tmp_path / "data"))
    script = Path(sys.executable).parent / "backkit"
    with open(tmp_path / "lab.log", "wb") as out:
        process = subprocess.Popen(
            [str(script), "lab", "--no-browser", "--lang", "pt", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            # Jupyter writes the address it would open in a browser to this file
            deadline, opened = time.monotonic() + 120, []
            while not opened and time.monotonic() < deadline and process.poll() is None:
                opened = list(runtime.glob("jpserver-file-to-run-*-open.html"))
                time.sleep(0.3)
            assert opened, (tmp_path / "lab.log").read_text()[-3000:]
            page = opened[0].read_text()
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
    assert f"http://127.0.0.1:{port}/lab/tree/pt/00_start_here.ipynb?token=" in page


def _snapshot_of_the_checkout(target: Path) -> Path:
    """The checkout's tracked files as they are now, in a fresh git repository."""
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, files):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=target, check=True)
    subprocess.run([*git, "add", "-A"], cwd=target, check=True)
    subprocess.run([*git, "commit", "-qm", "snapshot"], cwd=target, check=True)
    return target


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs a git checkout"
)
def test_running_every_notebook_from_the_workspace_leaves_the_checkout_clean(tmp_path):
    """As ``make lab`` does, from a checkout with no $BACKKIT_HOME: git status stays clean."""
    checkout = _snapshot_of_the_checkout(tmp_path / "checkout")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BACKKIT_HOME", "BACKKIT_LOG", "BACKKIT_PLAN")
    }
    env.update(
        PYTHONPATH=str(checkout),
        HOME=str(tmp_path / "person"),
        MPLBACKEND="Agg",
        BACKKIT_TZ="UTC",
        XDG_DATA_HOME=str(tmp_path / "person" / "share"),
    )
    script = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "from backkit import workspace\n"
        "ws = workspace.prepare()\n"
        "print(ws.path)\n"
        "for nb_path in sorted(ws.path.glob('*.ipynb')):\n"
        "    nb = nbformat.read(nb_path, as_version=4)\n"
        "    NotebookClient(nb, timeout=120, kernel_name='python3',\n"
        "                   resources={'metadata': {'path': str(ws.path)}}).execute()\n"
        "    nbformat.write(nb, nb_path)  # saved with outputs, as a person's run is\n"
        "    print(nb_path.name, file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    ws = Path(run.stdout.strip().splitlines()[-1])
    assert ws == checkout / "data" / "notebooks"
    ran = run.stderr.split()
    assert set(ran) >= {p.name for p in (checkout / "notebooks").glob("*.ipynb")}
    # the person's copies hold their outputs; the kit's notebooks do not
    outputs = [
        c
        for c in nbformat.read(ws / "20_my_progress.ipynb", as_version=4).cells
        if c.cell_type == "code" and c.outputs
    ]
    assert outputs, "the workspace copy was run and saved"
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == "", status
