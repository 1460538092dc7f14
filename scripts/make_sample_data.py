"""Write the sample data the repository ships in ``data/``.

- ``data/sample_sessions.csv``: twelve weeks of the "improving" sample log
  (``backkit.sample_log(weeks=12, seed=0, profile="improving")``), written
  through a real :class:`backkit.log.SessionLog` and its ``export_csv``, so
  ``SessionLog.import_csv`` reads it back exactly. Every row says
  ``sample data`` in ``notes`` and every session id starts with ``sample-``.
- ``data/sample_plan.yaml``: ``backkit.sample_plan()`` saved with ``Plan.save``.
- copies of both in ``backkit/data/``, so an installed wheel has them too
  (``backkit report`` and the clinician notebook use them by default).

Timestamps are written in Europe/London (the sample's default twelve weeks
cross the clock change on 30 March), so the files do not depend on the
machine's time zone. Run from the repository root::

    .venv/bin/python scripts/make_sample_data.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = ROOT / "backkit" / "data"
TZ = "Europe/London"


def main(out_dir: Path = ROOT / "data") -> list[Path]:
    os.environ["BACKKIT_TZ"] = TZ  # the CSV's UTC offsets: the same on every machine
    from backkit.log import SessionLog
    from backkit.sample import sample_log, sample_plan

    frame = sample_log(weeks=12, seed=0, profile="improving", tz=TZ)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "sample_sessions.csv"
    with tempfile.TemporaryDirectory() as tmp:
        log = SessionLog(Path(tmp) / "sample.sqlite")
        try:
            log.record_many(rows)
            log.export_csv(csv_path)
        finally:
            log.close()
    plan_path = sample_plan().save(out_dir / "sample_plan.yaml")
    written = [csv_path, Path(plan_path)]
    if out_dir == ROOT / "data":  # the package's copies travel in the wheel
        for path in list(written):
            written.append(Path(shutil.copyfile(path, PACKAGE_DATA / path.name)))
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data"):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
