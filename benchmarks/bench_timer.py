"""Benchmark the session timer: drift, update rate, and a kernel kept free.

1. The engine, headless, on the real monotonic clock: one 60 s hold driven by
   :class:`backkit.widgets.timer.Ticker` (0.1 s tick) on an asyncio loop. Prints how
   late the end of the hold was seen, how far the reported elapsed time ever
   was from the monotonic clock, and the update rate. For contrast, a naive
   loop of ``await asyncio.sleep(0.1)`` runs beside it on the same loop.
2. A real kernel (jupyter_client KernelManager): round-trips of a trivial
   execute request while idle, then while three SessionTimer widgets run in it,
   and how late each of those timers (each one a 60 s hold) saw the end of it.

Usage: ``python benchmarks/bench_timer.py [--hold SECONDS] [--samples N]``
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import time

from backkit.routine import Engine, build_routine
from backkit.widgets.timer import Ticker


def ms(x: float) -> str:
    return f"{x * 1000:.2f} ms"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


# --------------------------------------------------------------------------
# 1. The engine on the real clock


async def engine_run(hold: float, tick: float) -> dict:
    routine = build_routine("bridge", sets=1, reps=1, hold_seconds=hold, prepare_seconds=0)
    engine = Engine(routine)
    ticks: list[float] = []
    worst = 0.0
    seen_end: list[float] = []

    def on_tick(entered, now):
        nonlocal worst
        ticks.append(now)
        s = engine.status(now)
        real = time.monotonic() - engine.start_time
        # elapsed as reported (pauses excluded; there are none) vs the real clock
        worst = max(worst, abs(real - s.active_seconds))
        if any(p.kind == "done" for p in entered):
            seen_end.append(time.monotonic())

    async def naive() -> float:
        t0 = time.monotonic()
        for _ in range(round(hold / tick)):
            await asyncio.sleep(tick)
        return time.monotonic() - t0 - hold

    engine.start()
    ticker = Ticker(engine, on_tick, tick=tick)
    naive_task = asyncio.ensure_future(naive())
    await ticker.run()
    naive_drift = await naive_task
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    span = ticks[-1] - engine.start_time
    return {
        "end_late": seen_end[0] - (engine.start_time + hold),
        "worst_elapsed_error": worst,
        "final_elapsed": engine.status().active_seconds,
        "rate": len(ticks) / span,
        "gap_p50": statistics.median(gaps),
        "gap_p99": pct(gaps, 0.99),
        "gap_max": max(gaps),
        "naive_drift": naive_drift,
        "ticks": len(ticks),
    }


# --------------------------------------------------------------------------
# 2. A real kernel with three timers running

KERNEL_SETUP = """
import time, json, backkit
HOLD = {hold}
_timers = [backkit.SessionTimer("bridge", sets=1, reps=1, hold_seconds=HOLD,
                                prepare_seconds=0, muted=True) for _ in range(3)]
_late = {{}}
_ticks = [0, 0, 0]
for _i, _t in enumerate(_timers):
    def _hook(entered, now, _i=_i, _t=_t, _orig=_t.ticker.on_tick):
        _orig(entered, now)
        _ticks[_i] += 1
        if any(p.kind == "done" for p in entered):
            _late[_i] = time.monotonic() - (_t.engine.start_time + HOLD)
    _t.ticker.on_tick = _hook
for _t in _timers:
    _t.start()  # what the Start button does: a task on the kernel's running loop
"""
KERNEL_REPORT = "print(json.dumps({'late': _late, 'ticks': _ticks, "
KERNEL_REPORT += "'states': [t.state for t in _timers]}))"


def round_trip(kc, code: str = "1+1", timeout: float = 10.0) -> float:
    t0 = time.perf_counter()
    msg_id = kc.execute(code, store_history=False)
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    return time.perf_counter() - t0


def drain(kc) -> list[dict]:
    out = []
    while True:
        try:
            out.append(kc.get_iopub_msg(timeout=0.01))
        except Exception:
            return out


def execute_and_print(kc, code: str) -> str:
    msg_id = kc.execute(code)
    text = []
    while True:
        msg = kc.get_iopub_msg(timeout=20)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            text.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(text)


def kernel_run(hold: float, samples: int) -> dict:
    from jupyter_client.manager import KernelManager

    # IPC sockets: local only, and no warning about unencrypted TCP.
    km = KernelManager(kernel_name="python3", transport="ipc")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        execute_and_print(kc, "import backkit.widgets.timer")  # imports outside the measurement
        for _ in range(5):
            round_trip(kc)  # warm up
        idle = []
        for _ in range(samples):
            idle.append(round_trip(kc))
            time.sleep(0.05)  # the benchmark's own pacing, outside the kernel
        drain(kc)
        execute_and_print(kc, KERNEL_SETUP.format(hold=hold))
        started = time.monotonic()
        busy = []
        spacing = max(0.05, 0.8 * hold / samples)  # spread over the timers' run
        for _ in range(samples):
            busy.append(round_trip(kc))
            time.sleep(spacing)
            drain(kc)  # widget messages from the ticking timers
        measured_for = time.monotonic() - started
        if measured_for > hold:
            print(f"  warning: timers ended before the measurement ({measured_for:.1f} s)")
        time.sleep(max(0.0, hold - (time.monotonic() - started)) + 0.5)
        drain(kc)
        report = json.loads(execute_and_print(kc, KERNEL_REPORT))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    return {"idle": idle, "busy": busy, "report": report}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hold", type=float, default=60.0, help="hold length in seconds (60)")
    ap.add_argument("--tick", type=float, default=0.1, help="display tick in seconds (0.1)")
    ap.add_argument("--samples", type=int, default=100, help="round-trips per condition")
    args = ap.parse_args(argv)

    print(f"backkit timer benchmark (Python {sys.version.split()[0]})")
    print(f"\n1. Engine on the real clock: one {args.hold:g} s hold, tick {args.tick:g} s")
    e = asyncio.run(engine_run(args.hold, args.tick))
    print(f"  end of hold seen late by:       {ms(e['end_late'])}")
    print(f"  elapsed reported at the end:    {e['final_elapsed']:.6f} s")
    print(
        f"  worst |reported - monotonic|:   {ms(e['worst_elapsed_error'])} over {e['ticks']} ticks"
    )
    print(f"  update rate:                    {e['rate']:.2f} per second")
    print(
        f"  tick gaps p50 / p99 / max:      {ms(e['gap_p50'])} / {ms(e['gap_p99'])}"
        f" / {ms(e['gap_max'])}"
    )
    print(f"  naive sleep(0.1) loop drift:    {ms(e['naive_drift'])} (for contrast)")
    ok_drift = e["end_late"] < 0.05 and e["worst_elapsed_error"] < 0.05
    ok_rate = e["rate"] >= 5

    kernel_hold = max(5.0, args.hold)
    print(f"\n2. Kernel round-trips of '1+1' ({args.samples} each), three {kernel_hold:g} s timers")
    k = kernel_run(kernel_hold, args.samples)
    for name in ("idle", "busy"):
        v = k[name]
        label = "idle" if name == "idle" else "3 timers running"
        print(
            f"  {label:<17} median {ms(statistics.median(v))}  p95 {ms(pct(v, 0.95))}"
            f"  max {ms(max(v))}"
        )
    rep = k["report"]
    late = [rep["late"][str(i)] for i in range(3) if str(i) in rep["late"]]
    print(f"  timer states after:  {rep['states']}")
    print(f"  timers' end of hold seen late by: {', '.join(ms(x) for x in late)}")
    print(f"  timers' update rate: {', '.join(f'{t / kernel_hold:.1f}/s' for t in rep['ticks'])}")
    delta = statistics.median(k["busy"]) - statistics.median(k["idle"])
    print(f"  median round-trip added by the running timers: {ms(delta)}")

    print("\nVerdict:")
    print(
        f"  drift under 50 ms at the end of a {args.hold:g} s hold: {'yes' if ok_drift else 'NO'}"
    )
    print(f"  display refreshed at least 5 times a second: {'yes' if ok_rate else 'NO'}")
    ok_kernel = statistics.median(k["busy"]) < 0.05 and len(late) == 3
    print(f"  kernel round-trips not delayed by running timers: {'yes' if ok_kernel else 'NO'}")
    return 0 if ok_drift and ok_rate and ok_kernel else 1


if __name__ == "__main__":
    sys.exit(main())
