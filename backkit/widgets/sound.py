"""The timer's beeps, as data: the tones the browser plays with Web Audio.

The face (``timer.js``) plays these when the person chose beeps, when the
browser has no voice, or when speaking fails; no sound is made or sent by the
kernel. :func:`cue` names the tones for the kind of phase a session enters
(high to work, low to rest, a chord at the end).
"""

from __future__ import annotations

__all__ = ["COUNT_TONE", "TONES", "cue"]

#: Beep tones (Hz) per phase kind entered.
TONES: dict[str, tuple[float, ...]] = {
    "prepare": (660.0,),
    "hold": (880.0,),
    "move": (880.0,),
    "rest": (523.0,),
    "set-rest": (523.0,),
    "switch": (659.0, 523.0),
    "done": (659.0, 784.0, 1047.0),
}
#: The short tick (Hz) for each of the last three seconds of a hold.
COUNT_TONE = 440.0


def cue(kind: str) -> tuple[float, ...]:
    """The tones for entering a phase of ``kind`` (see :data:`TONES`).

    Examples
    --------
    >>> from backkit.widgets.sound import cue
    >>> cue("done"), cue("something else")
    ((659.0, 784.0, 1047.0), (880.0,))
    """
    return TONES.get(kind, (880.0,))
