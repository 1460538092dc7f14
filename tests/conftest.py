"""Fixtures shared by the unit tests: a log file in a temp folder, its hash, figure clean-up."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import backkit
from backkit.log import SessionLog


def _store_digest(path: Path) -> str:
    """Hash of the database and its WAL (the store's whole persistent state)."""
    h = hashlib.sha256(Path(path).read_bytes())
    wal = Path(f"{path}-wal")
    h.update(wal.read_bytes() if wal.exists() else b"")
    return h.hexdigest()


@pytest.fixture
def digest() -> Callable[[Path], str]:
    """``digest(path)``: proves a rejected write left the store byte-for-byte unchanged."""
    return _store_digest


@pytest.fixture
def raw_catalogue() -> Callable[[], dict]:
    """``raw_catalogue()``: the built-in exercise catalogue's YAML, a fresh dict to edit."""
    builtin = Path(backkit.__file__).parent / "data" / "exercises.yaml"
    return lambda: yaml.safe_load(builtin.read_text(encoding="utf-8"))


@pytest.fixture
def write_catalogue(tmp_path: Path) -> Callable[[dict], Path]:
    """``write_catalogue(data)``: ``data`` as a catalogue file in the test's temp folder."""

    def write(data: dict) -> Path:
        path = tmp_path / "catalogue.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "log.sqlite"


@pytest.fixture
def log(path: Path):
    with SessionLog(path) as opened:
        yield opened


def screen_log(log: SessionLog | Path | str | None = None) -> SessionLog | Path | str | None:
    """Answer the warning-sign questions all "no" in ``log`` (a log, a path, or None: the default).

    A timer starts only after a current screening (:mod:`backkit.gate`); the
    tests of what a timer does once started give it one, and the gate's own
    tests (tests/test_gate.py) prove it closed without.
    """
    answers = {q.id: False for q in backkit.safety.screening_questions()}
    if isinstance(log, SessionLog):
        backkit.outcomes.record_screening(log, answers, action="none")
        return log
    where = Path(log) if log is not None else backkit.config.default_log_path()
    with SessionLog(where) as opened:
        backkit.outcomes.record_screening(opened, answers, action="none")
    return log


@pytest.fixture
def screen() -> Callable[..., object]:
    """``screen(log)``: a current all-no screening in ``log`` (see :func:`screen_log`)."""
    return screen_log


@pytest.fixture
def run_notebook() -> Callable[..., object]:
    """``run_notebook(nb, home)``: run ``nb`` in a fresh kernel with ``home`` as backkit home.

    The kernel starts in ``folder`` (``notebooks/`` unless given), as Jupyter starts a
    notebook's kernel in the notebook's folder.
    """
    import os

    from nbclient import NotebookClient

    notebooks = Path(__file__).resolve().parents[1] / "notebooks"

    def run(nb, home: Path, *, timeout: int = 60, folder: Path = notebooks):
        env = {**os.environ, "BACKKIT_HOME": str(home), "MPLBACKEND": "Agg"}
        env.pop("BACKKIT_LOG", None)
        env.pop("BACKKIT_PLAN", None)
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": folder}}
        )
        client.execute(env=env)
        return nb

    return run


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:  # don't import matplotlib for tests without plots
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def edited(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """``edited(edit)``: the safety rules read from ``safety.yaml`` as ``edit(data)`` changed it.

    Returns ``backkit.safety.rules``, to call; the real file is read again afterwards.
    """
    import copy
    from importlib import resources

    from backkit import safety

    raw = yaml.safe_load(
        (resources.files("backkit") / "data" / "safety.yaml").read_text(encoding="utf-8")
    )

    def load(edit: Callable[[dict], object]) -> Callable[[], dict]:
        data = copy.deepcopy(raw)
        edit(data)
        monkeypatch.setattr(safety, "parse_yaml", lambda *args: data)
        safety._data_in.cache_clear()
        safety._rules.cache_clear()
        return safety.rules

    yield load
    monkeypatch.undo()
    safety._data_in.cache_clear()
    safety._rules.cache_clear()
