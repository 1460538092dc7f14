"""backkit: seven exercises for low back pain, in Jupyter.

The public API is re-exported here. Names are imported lazily (on first use),
so ``import backkit`` stays fast and does not pull in pandas, matplotlib or
ipywidgets until they are needed.

Examples
--------
>>> import backkit
>>> backkit.get_exercise("bridge").name
'Bridge'
"""

from __future__ import annotations

from ._lazy import lazy_exports
from ._version import __version__ as __version__

# public name -> module that defines it; add a line here when a module gains
# a public name.
_EXPORTS = {
    # the catalogue
    "AnalysisError": "errors",
    "BackkitError": "errors",
    "CheckInError": "errors",
    "CatalogueError": "errors",
    "Exercise": "exercises",
    "load_exercises": "exercises",
    "get_exercise": "exercises",
    "exercise_ids": "exercises",
    # the session log and plans
    "SessionLog": "log",
    "LogError": "errors",
    "LogValidationError": "errors",
    "LogFileError": "errors",
    "LogFileWarning": "errors",
    "Plan": "plan",
    "PlanItem": "plan",
    "PlanError": "errors",
    # the timer
    "Routine": "routine",
    "RoutineError": "errors",
    "build_routine": "routine",
    "SessionTimer": "widgets.timer",
    # sample data and charts
    "sample_log": "sample",
    "sample_plan": "sample",
    "SampleDataError": "errors",
    "plot_calendar": "charts",
    "plot_adherence": "charts",
    "plot_pain_trend": "charts",
    "plot_pain_change": "charts",
    "plot_dashboard": "charts",
    "plot_exercise_history": "charts",
    "plot_outcomes": "charts",
    # outcome measures
    "CheckIn": "widgets.checkin",
    "SafetyCheck": "widgets.screening",
    "PersonalCheck": "widgets.personal",
    "SafetyGateError": "errors",
    "FixEntry": "widgets.fix",
    "record_checkin": "outcomes",
    "outcomes_frame": "outcomes",
    "sample_checkins": "sample",
    # illustrations
    "draw_pose": "poses",
    "plot_exercise": "poses",
    "show_exercise": "poses",
    "animate_exercise": "poses",
    "pose_png": "poses",
}
_SUBMODULES = {
    "exercises",
    "lab",
    "safety",
    "config",
    "workspace",
    "errors",
    "log",
    "logfiles",
    "logjson",
    "audit",
    "store",
    "plan",
    "routine",
    "sample",
    "analysis",
    "narrative",
    "notebook_notes",
    "charts",
    "poses",
    "outcomes",
    "gate",
    "conditions",
    "report",
    "cli",
    "app",
    "widgets",
    "caseload",
    "fhir",
    "ics",
}

__all__ = sorted([*_EXPORTS, *_SUBMODULES, "adherence", "__version__"])

# ``backkit.adherence`` is the function, though a module has the same name.
# Importing the (light) module here, once, means a later ``import
# backkit.adherence`` finds it loaded and does not rebind the attribute.
from .adherence import adherence as adherence  # noqa: E402

__getattr__ = lazy_exports(__name__, _EXPORTS, _SUBMODULES)[0]


def __dir__() -> list[str]:
    return __all__
