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

import importlib
from typing import Any

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
    "safety",
    "config",
    "workspace",
    "errors",
    "log",
    "logfiles",
    "store",
    "plan",
    "routine",
    "sample",
    "analysis",
    "narrative",
    "charts",
    "poses",
    "outcomes",
    "report",
    "cli",
    "app",
    "widgets",
}

__all__ = sorted([*_EXPORTS, *_SUBMODULES, "adherence", "__version__"])

# ``backkit.adherence`` is the function, though a module has the same name.
# Importing the (light) module here, once, means a later ``import
# backkit.adherence`` finds it loaded and does not rebind the attribute.
from .adherence import adherence as adherence  # noqa: E402


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value  # cache: later lookups skip __getattr__
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'backkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
