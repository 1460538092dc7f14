"""The wheel carries the catalogue: build it, install it in a clean venv, load it elsewhere."""

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_loads_the_catalogue_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
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
    names = zipfile.ZipFile(wheel).namelist()
    assert "backkit/data/exercises.yaml" in names
    assert "backkit/data/safety.yaml" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # The catalogue needs pandas and PyYAML; the full dependency set (JupyterLab
    # and friends) is checked by `make test` itself, which installs from pyproject.
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True
    )
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "pandas", "pyyaml"], check=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import backkit; df = backkit.load_exercises(); "
            "print(backkit.__file__); print(len(df), df.loc['bridge','position'])",
        ],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    location, summary = out.stdout.strip().splitlines()
    assert str(env_dir) in location, "must load the installed wheel, not the checkout"
    assert summary == "7 supine"
