"""Fixtures shared by the unit tests: a log file in a temp folder, its hash, figure clean-up."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path

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


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:  # don't import matplotlib for tests without plots
        sys.modules["matplotlib.pyplot"].close("all")
