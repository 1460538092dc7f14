"""Test-suite set-up shared by unit tests and notebooks run under nbval.

Every test, and every process the tests start (notebook kernels, servers, the
command line: they inherit this process's environment), uses a throw-away
backkit home, so tests never touch a person's real log, and one pinned clock,
so the real date never decides a result.

The clock is ``$BACKKIT_TODAY`` when set (CI runs the suite on each weekday, a
daylight-saving change and a year end this way), else Monday 2026-12-07 at
10:00 UTC. It is written as an instant with the real time it was pinned at
(:func:`backkit.config.pinned_clock`), so every process reads the same clock,
and it runs on at the real pace.
"""

import atexit
import os
import shutil
import tempfile
import time

_home = tempfile.mkdtemp(prefix="backkit-test-home-")
atexit.register(shutil.rmtree, _home, ignore_errors=True)
os.environ["BACKKIT_HOME"] = _home
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("MPLCONFIGDIR", os.path.join(_home, "mpl"))

from backkit import config  # noqa: E402  (after BACKKIT_HOME: nothing may read the real one)

DEFAULT_TODAY = "2026-12-07T10:00:00+00:00"
_pinned = os.environ.get("BACKKIT_TODAY", "").strip() or DEFAULT_TODAY
if "@" not in _pinned:
    _pinned = f"{config.pinned_clock(_pinned)[0].isoformat()}@{time.time():.3f}"
os.environ["BACKKIT_TODAY"] = _pinned

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch):
    # Whatever a test or example does to the clock is undone after it.
    monkeypatch.setenv("BACKKIT_TODAY", _pinned)


@pytest.fixture
def pin_today(monkeypatch):
    """``pin_today("2026-03-29T00:30+00:00")``: run the test's clock from that moment."""

    def pin(moment: str) -> None:
        monkeypatch.setenv("BACKKIT_TODAY", f"{moment}@{time.time():.3f}")

    return pin


@pytest.fixture(autouse=True)
def _docstring_examples_in_utc(request, monkeypatch):
    # The package's ">>>" examples show times in UTC; whatever an example does
    # to $BACKKIT_TZ is undone after it.
    if type(request.node).__name__ == "DoctestItem":
        monkeypatch.setenv("BACKKIT_TZ", "UTC")
