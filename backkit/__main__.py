"""``python -m backkit``: the same command line as ``backkit``."""

import sys

from .cli import main

sys.exit(main())
