"""The timer's beeps: short WAV clips made here (no file, no download).

:func:`cue` picks the tones for the kind of phase a session enters (high to
work, low to rest, a chord at the end); :func:`beep_wav` synthesises them.
"""

from __future__ import annotations

import functools
import io
import wave

__all__ = ["TONES", "beep_wav", "cue"]

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


@functools.lru_cache(maxsize=16)
def beep_wav(
    tones: tuple[float, ...] = (880.0,), seconds: float = 0.14, volume: float = 0.4
) -> bytes:
    """Return a short beep (one tone after another) as WAV bytes.

    Examples
    --------
    >>> from backkit.widgets.sound import beep_wav
    >>> data = beep_wav((880.0,))
    >>> data[:4], data[8:12]
    (b'RIFF', b'WAVE')
    """
    import numpy as np

    rate = 22050
    n = int(rate * seconds)
    t = np.arange(n) / rate
    # A raised-cosine fade in and out keeps the beep from clicking.
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.01)
    gap = np.zeros(int(rate * 0.04))
    parts = []
    for f in tones:
        parts += [np.sin(2 * np.pi * f * t) * fade * volume, gap]
    samples = (np.concatenate(parts) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


def cue(kind: str) -> bytes:
    """The beep for entering a phase of ``kind`` (see :data:`TONES`).

    Examples
    --------
    >>> from backkit.widgets.sound import beep_wav, cue
    >>> cue("done") == beep_wav((659.0, 784.0, 1047.0))
    True
    """
    return beep_wav(TONES.get(kind, (880.0,)))
