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
