"""Packaging hygiene: one version, the same dependencies for pip and conda, files shipped.

(The wheel itself is built and installed in tests/test_wheel.py.)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from packaging.requirements import Requirement

import backkit

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# conda-forge's names for PyPI packages where they differ
CONDA_NAMES = {"build": "python-build"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pip_requirements() -> dict[str, str]:
    project = PYPROJECT["project"]
    lines = [*project["dependencies"]]
    for extra in ("excel", "fhir", "test", "dev"):
        lines += [r for r in project["optional-dependencies"][extra] if not r.startswith("backkit")]
    out = {}
    for line in lines:
        req = Requirement(line)
        name = _canonical(CONDA_NAMES.get(_canonical(req.name), req.name))
        out[name] = str(req.specifier)
    return out


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    lines = []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            lines += [r for r in item["pip"] if not r.startswith("-e")]
        elif item != "pip" and Requirement(item).name != "python":
            lines.append(item)
    out = {}
    for line in lines:
        req = Requirement(line)
        out[_canonical(req.name)] = str(req.specifier)
    return out


def test_environment_yml_lists_what_pyproject_lists():
    pip, conda = _pip_requirements(), _conda_requirements()
    assert sorted(set(pip) ^ set(conda)) == [], "a package in one file and not the other"
    differ = {name: (pip[name], conda[name]) for name in pip if pip[name] != conda[name]}
    assert differ == {}, "pyproject.toml and environment.yml give other versions"


def test_environment_yml_installs_the_kit_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert "-e ." in pip
    assert "python>=3.10" in env["dependencies"]
    assert PYPROJECT["project"]["requires-python"] == ">=3.10"


def test_notebook_7_is_a_supported_front_end():
    deps = {
        _canonical(Requirement(r).name): Requirement(r)
        for r in PYPROJECT["project"]["dependencies"]
    }
    assert "7.0" in deps["notebook"].specifier and "8.0" not in deps["notebook"].specifier


def test_the_version_is_written_once():
    assert "version" in PYPROJECT["project"]["dynamic"]
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "backkit/_version.py"
    written = [
        str(p.relative_to(ROOT))
        for p in [*ROOT.joinpath("backkit").rglob("*.py"), ROOT / "pyproject.toml"]
        if re.search(rf"['\"]{re.escape(backkit.__version__)}['\"]", p.read_text())
    ]
    assert written == ["backkit/_version.py"]


def test_version_and_module_entry_point_agree():
    by_module = subprocess.run(
        [sys.executable, "-m", "backkit", "--version"], capture_output=True, text=True, check=True
    )
    assert by_module.stdout.strip() == f"backkit {backkit.__version__}"
    helped = subprocess.run(
        [sys.executable, "-m", "backkit", "--help"], capture_output=True, text=True, check=True
    )
    assert helped.stdout.startswith("usage: backkit ")


def test_the_voila_template_has_no_outside_links():
    folder = ROOT / "backkit" / "data" / "jupyter" / "voila" / "templates" / "backkit"
    text = (folder / "index.html.j2").read_text()
    code = re.sub(r"\{#.*?#\}", "", text, flags=re.S)  # comments may name the CDN
    assert not re.search(r"https?://", code)
    assert "{{ super.super() }}" in code  # the lab template's CSS without Voila's links
