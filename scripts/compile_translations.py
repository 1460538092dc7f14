"""Compile each language's .po catalogues to the .mo files gettext reads.

``pybabel compile`` would refuse the clinical catalogue: its texts are not
Python %-format strings, but Babel takes "30% from" for one ("% f") and
compares it with the translation's "30% em" ("% e"). The placeholders the kit
does use, ``{name}``, are checked by tests/test_translations.py instead.

Usage: python scripts/compile_translations.py backkit/locale
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def main(folder: str) -> int:
    for po_path in sorted(Path(folder).glob("*/LC_MESSAGES/*.po")):
        with open(po_path, "rb") as f:
            catalogue = read_po(f)
        messages = [m for m in catalogue if m.id]
        done = [m for m in messages if all(m.string if isinstance(m.string, tuple)
                                           else [m.string]) and not m.fuzzy]  # fmt: skip
        # An untranslated message is left out, so gettext asks the next catalogue:
        # a country's variant (pt_PT) falls back to its language's (pt). Babel
        # would keep a plural whose forms are all empty, and gettext show "".
        for message in messages:
            if message not in done:
                del catalogue[message.id]
        with open(po_path.with_suffix(".mo"), "wb") as f:
            write_mo(f, catalogue)
        print(f"{po_path}: {len(done)} of {len(messages)} messages translated, compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "backkit/locale"))
