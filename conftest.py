"""Test-suite set-up shared by unit tests and notebooks run under nbval.

Every test, and every notebook kernel that nbval starts (kernels inherit this
process's environment), uses a throw-away backkit home, so tests never touch a
person's real log.
"""

import atexit
import os
import shutil
import tempfile

_home = tempfile.mkdtemp(prefix="backkit-test-home-")
atexit.register(shutil.rmtree, _home, ignore_errors=True)
os.environ["BACKKIT_HOME"] = _home
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("MPLCONFIGDIR", os.path.join(_home, "mpl"))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _docstring_examples_in_utc(request, monkeypatch):
    # The package's ">>>" examples show times in UTC; whatever an example does
    # to $BACKKIT_TZ is undone after it.
    if type(request.node).__name__ == "DoctestItem":
        monkeypatch.setenv("BACKKIT_TZ", "UTC")
