"""backkit's notebook widgets: the guided session timer, the weekly check-in, the app.

- :mod:`~backkit.widgets.timer`: :class:`SessionTimer` (engine, ticking, saving)
  and :class:`Ticker`;
- :mod:`~backkit.widgets.timer_view`: :class:`TimerView`, the timer's face,
  which only draws a status and reports presses;
- :mod:`~backkit.widgets.checkin`: :class:`CheckIn`, the weekly check-in;
- :mod:`~backkit.widgets.screening`: :class:`SafetyCheck`, the warning-sign
  questions before a session (the face of the safety gate, :mod:`backkit.gate`);
- :mod:`~backkit.widgets.personal`: :class:`PersonalCheck`, the one-time
  questions that pick out the cautions that apply to the person;
- :mod:`~backkit.widgets.fix`: :class:`FixEntry`, change or remove a saved
  session or check-in, with the reason;
- :mod:`~backkit.widgets.app`: :class:`App`, the no-code app's page;
- :mod:`~backkit.widgets.sound`: the beeps, made as WAV bytes.

Shared pieces (HTML helpers, the pain slider, the callback guard) live in
``ui.py`` and the one style sheet in ``backkit.css``, beside this file.
"""

from __future__ import annotations

from .app import App
from .checkin import CheckIn
from .fix import FixEntry
from .personal import PersonalCheck
from .screening import SafetyCheck
from .timer import SessionTimer, Ticker
from .timer_view import TimerView

__all__ = [
    "App",
    "CheckIn",
    "FixEntry",
    "PersonalCheck",
    "SafetyCheck",
    "SessionTimer",
    "Ticker",
    "TimerView",
]
