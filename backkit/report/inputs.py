"""Reading: a patient's log, plan and check-ins (or the shipped sample) for a report.

Every file is read by :func:`backkit.patientfile.read`, the kit's one reader of
patient files.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import gettext as _

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Inputs", "load_inputs", "read_inputs", "sample_paths"]


def sample_paths() -> tuple[Path, Path]:
    """The sample log (CSV) and plan (YAML) shipped inside the package.

    Examples
    --------
    >>> from backkit.report import sample_paths
    >>> [p.name for p in sample_paths()]
    ['sample_sessions.csv', 'sample_plan.yaml']
    """
    data = resources.files("backkit") / "data"
    return Path(str(data / "sample_sessions.csv")), Path(str(data / "sample_plan.yaml"))


@dataclass(frozen=True)
class Inputs:
    """What the clinician notebook reads: log, plan, check-ins, and whether it is a sample."""

    frame: Any
    plan: Any
    outcomes: Any
    is_sample: bool


def load_inputs(log_path: str | Path | None, plan_path: str | Path | None = None) -> Inputs:
    """Load a log and its plan for the clinician notebook; None for the shipped sample.

    With ``log_path=None`` the sample log is used, with its check-ins
    (:func:`backkit.sample.sample_checkins`), and the sample plan unless a
    plan is given. With a log and no plan, adherence is reported as days
    exercised, with no prescription to compare against.

    Examples
    --------
    >>> from backkit.report import load_inputs
    >>> inputs = load_inputs(None)
    >>> inputs.is_sample, inputs.plan.name, len(inputs.frame) > 500
    (True, 'Sample plan: seven exercises, strength work three days a week', True)
    """
    return read_inputs(log_path, plan_path)[0]


def read_inputs(
    log_path: str | Path | None, plan_path: str | Path | None, *, warnings: bool = False
) -> tuple[Inputs, tuple[pd.DataFrame, int, tuple[Any, ...]] | None]:
    """:func:`load_inputs`, and with ``warnings`` the warning-sign answers too (one read).

    A million-row log file is copied and read once, not once for each.

    Returns
    -------
    tuple
        The :class:`Inputs`, and with ``warnings`` the file's warning-sign
        answers, number of screenings and unresolved "yes" answers
        (:func:`backkit.patientfile.read`); None without ``warnings`` or when
        the file holds none (a CSV export).

    Examples
    --------
    >>> from backkit.report.inputs import read_inputs
    >>> inputs, answers = read_inputs(None, None, warnings=True)
    >>> inputs.is_sample, answers  # the sample is a CSV: no warning-sign answers
    (True, None)
    """
    from ..patientfile import read
    from ..plan import Plan

    sample = log_path is None
    if sample:
        log_path, sample_plan = sample_paths()
        plan_path = plan_path if plan_path is not None else sample_plan
    data = read(Path(log_path).expanduser())  # type: ignore[arg-type]
    frame, outcomes, found = data.frame, data.outcomes, data.warnings if warnings else None
    if sample:
        from ..sample import sample_checkins

        # the check-ins that go with the shipped sample log (same weeks and profile)
        outcomes = sample_checkins(weeks=12, seed=0, profile="improving")
    plan = Plan.load(plan_path) if plan_path is not None else None
    if plan is not None and sample and plan_path == sample_paths()[1]:
        # the shipped sample plan's words are the kit's (backkit.sample), so they are translated
        plan = dataclasses.replace(
            plan, name=_(plan.name), author=_(plan.author), notes=_(plan.notes)
        )
    notes = frame["notes"].astype("string")
    is_sample = bool(notes.str.startswith("sample data").fillna(False).any())
    return Inputs(frame=frame, plan=plan, outcomes=outcomes, is_sample=is_sample), found
