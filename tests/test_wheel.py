"""The wheel as a person installs it: built, installed with its dependencies into a
fresh venv outside the checkout, and used from another folder.

- it carries the catalogue, the notebooks, the Voila template, py.typed and LICENSE;
- it installs the Voila template where Jupyter looks (``share/jupyter``), which
  the app notebook selects, and the ``backkit-singleuser`` command for JupyterHub;
- ``backkit lab --no-browser`` serves its URL (200) on 127.0.0.1 and stops
  cleanly on SIGTERM, leaving no process behind;
- ``python -m backkit --help`` works;
- ``backkit report`` writes HTML, and ``--pdf`` a PDF or one clear line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = ROOT / "data" / "sample_sessions.csv"
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_using(marker: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and proc.name != str(os.getpid()):
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline:
                found.append(f"{proc.name}: {cmdline}")
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python, bin folder, environment) of a fresh venv holding the wheel and its deps."""
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(dist),
        ],
        check=True,
    )
    (wheel,) = dist.glob("backkit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    dist_info = next(n.split("/")[0] for n in names if ".dist-info/" in n)
    shared = dist_info.replace(".dist-info", ".data") + "/data/share/jupyter"
    expected = {
        f"{shared}/voila/templates/backkit/index.html.j2",
        f"{shared}/voila/templates/backkit/conf.json",
        "backkit/data/exercises.yaml",
        "backkit/data/safety.yaml",
        "backkit/py.typed",
        "backkit/notebooks/00_start_here.ipynb",
        "backkit/notebooks/app.ipynb",
        "backkit/notebooks/pt/00_start_here.ipynb",
        "backkit/notebooks/pt/app.ipynb",
        "backkit/data/jupyter/voila/templates/backkit/index.html.j2",
        f"{dist_info}/licenses/LICENSE",
    }
    assert expected - names == set()
    metadata = zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA").decode()
    assert "License-Expression: MIT" in metadata and "License-File: LICENSE" in metadata
    scripts = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    assert "backkit-singleuser = backkit.hub:_entry_point" in scripts

    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    # With its dependencies, as `pip install backkit-*.whl` does (the machine's
    # package index; pip's cache makes repeats quick).
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        timeout=900,
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "BACKKIT_LOG", "BACKKIT_PLAN", "VIRTUAL_ENV")
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["BACKKIT_HOME"] = str(tmp / "home")
    env["MPLBACKEND"] = "Agg"
    for var in (
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_DATA_DIR",
        "JUPYTER_RUNTIME_DIR",
        "IPYTHONDIR",
        "JUPYTERLAB_SETTINGS_DIR",
        "JUPYTERLAB_WORKSPACES_DIR",
        "MPLCONFIGDIR",
    ):
        env[var] = str(tmp / "jupyter" / var.lower())
    env.pop("JUPYTER_PATH", None)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return bin_dir, env, elsewhere


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    bin_dir, env, elsewhere = installed
    out = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import backkit; df = backkit.load_exercises(); "
            "print(backkit.__file__); print(len(df), df.loc['bridge','position'])",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    location, summary = out.stdout.strip().splitlines()
    assert str(bin_dir.parent) in location, "must load the installed wheel, not the checkout"
    assert summary == "8 supine"  # the article's seven and one addition


def test_voila_finds_the_kits_template_which_the_app_selects(installed):
    """Where Jupyter looks (no JUPYTER_PATH): Voila in any server of the environment."""
    bin_dir, env, elsewhere = installed
    code = (
        "import json, pathlib, backkit.config as c\n"
        "from voila.paths import collect_template_paths\n"
        "print(json.dumps(collect_template_paths(['voila', 'nbconvert'], 'backkit')))\n"
        "nb = json.loads((c.notebooks_dir() / 'app.ipynb').read_text())\n"
        "print(nb['metadata']['voila']['template'])\n"
    )
    out = subprocess.run(
        [str(bin_dir / "python"), "-c", code],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    paths, template = out.stdout.strip().splitlines()
    share = str(bin_dir.parent / "share" / "jupyter" / "voila" / "templates" / "backkit")
    assert share in json.loads(paths)
    assert (Path(share) / "index.html.j2").is_file() and template == "backkit"
    assert (bin_dir / "backkit-singleuser").is_file()


def test_python_m_backkit_help(installed):
    bin_dir, env, elsewhere = installed
    out = subprocess.run(
        [str(bin_dir / "python"), "-m", "backkit", "--help"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("usage: backkit ")
    assert re.search(r"^    lab  ", out.stdout, flags=re.M)


def test_lab_serves_its_url_and_stops_cleanly_on_sigterm(installed):
    bin_dir, env, elsewhere = installed
    port = _free_port()
    log = elsewhere / "lab.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(bin_dir / "backkit"), "lab", "--no-browser", "--port", str(port)],
            cwd=elsewhere,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            url = None
            deadline = time.monotonic() + 120
            while url is None and time.monotonic() < deadline and process.poll() is None:
                found = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=\w+", log.read_text())
                url = found and found.group(0)
                time.sleep(0.3)
            assert url, f"no URL printed:\n{log.read_text()[-3000:]}"
            with urllib.request.urlopen(url, timeout=30) as response:
                assert response.status == 200
                page = response.read()
            assert b'id="jupyter-config-data"' in page, page[:500]  # JupyterLab's own page
            assert _processes_using(str(bin_dir)), "the server runs from the venv"
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
    text = log.read_text()
    kit = [p for p in (ROOT / "notebooks").iterdir() if p.suffix in (".ipynb", ".md")]
    kit += [p for p in (ROOT / "notebooks" / "pt").iterdir() if p.suffix in (".ipynb", ".md")]
    assert f"copied {len(kit)} notebooks to your workspace" in text.splitlines()[0]
    assert f"Serving notebooks from local directory: {env['BACKKIT_HOME']}/notebooks" in text
    time.sleep(1)  # the kernel-less server's children have exited by now
    assert _processes_using(str(bin_dir)) == [], "nothing left running"
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=3):
        pass
    assert not list(elsewhere.glob("*.ipynb")), "nothing written to the folder it ran from"


def test_report_writes_html_and_pdf_or_one_clear_line(installed):
    bin_dir, env, elsewhere = installed
    csv = elsewhere / "sessions.csv"
    shutil.copy(SAMPLE_CSV, csv)
    out = subprocess.run(
        [str(bin_dir / "backkit"), "report", csv.name, "--quiet"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "Back exercise review" in (elsewhere / "report.html").read_text()
    pdf = subprocess.run(
        [str(bin_dir / "backkit"), "report", csv.name, "--quiet", "--pdf", "--out", "again.html"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in pdf.stderr
    if pdf.returncode == 0:
        assert (elsewhere / "again.pdf").read_bytes().startswith(b"%PDF")
    else:
        assert len(pdf.stderr.strip().splitlines()) == 1, pdf.stderr
        assert pdf.stderr.startswith("backkit report: error:")


def test_the_sdist_tests_run_isolated_from_the_persons_data(tmp_path):
    """From the unpacked sdist, the tests find conftest.py: a throw-away home, a pinned clock."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(dist),
         str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (sdist,) = dist.glob("backkit-*.tar.gz")
    shutil.unpack_archive(sdist, tmp_path / "src")
    (src,) = (tmp_path / "src").iterdir()
    carried = ["conftest.py", "tests/data/log-v3.sqlite", "LICENSE", "CHANGELOG.md", "README.md",
               "backkit/py.typed", "notebooks/00_start_here.ipynb"]  # fmt: skip
    assert [name for name in carried if not (src / name).is_file()] == []
    assert (src / "LICENSE").read_text().startswith("MIT License")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKKIT_")}
    env.update(HOME=str(tmp_path / "person"), PYTHONPATH=str(src))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_config.py",
         "tests/test_upgrade.py"],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert not (tmp_path / "person").exists(), "a test from the sdist touched the real data home"
