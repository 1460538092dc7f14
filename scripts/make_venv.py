"""Create the project's virtual environment in .venv, with pip, from any Python 3.

``python3 -m venv`` needs ensurepip, which some Linux distributions ship in a
separate package (Debian's python3-venv). When it is missing, this script makes
the venv without pip and bootstraps pip from its wheel on PyPI, so the README's
two commands work on a machine that has only Python 3 and make.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

VENV = Path(sys.argv[1] if len(sys.argv) > 1 else ".venv")


def main() -> int:
    if sys.version_info < (3, 10):  # noqa: UP036 (this script runs under any python3)
        print(
            f"backkit needs Python 3.10 or newer; this is {sys.version.split()[0]}", file=sys.stderr
        )
        return 1
    python = VENV / "bin" / "python"
    try:
        venv.create(VENV, with_pip=True, clear=True)
        return 0
    except (subprocess.CalledProcessError, OSError) as err:
        print(f"venv with pip failed ({err}); bootstrapping pip from PyPI", file=sys.stderr)
    venv.create(VENV, with_pip=False, clear=True)
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as r:
        release = json.load(r)
    wheel = next(u for u in release["urls"] if u["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / wheel["filename"]
        urllib.request.urlretrieve(wheel["url"], target)
        # A pip wheel is importable as a zip: run pip from it to install itself.
        subprocess.run(
            [str(python), f"{target}/pip", "install", "--quiet", str(target)], check=True
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
