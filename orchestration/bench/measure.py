"""Measuring a stage: run it as a subprocess in its own process group, wall time from the
clock, peak memory from the kernel (wait4's resource usage: the largest resident set among
the stage's processes), and a time limit that stops the whole group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from orchestration.runtime import config


def measure(argv: list[str], env: dict[str, str], log: Path, limit: float | None = None) -> dict:
    """Run argv to completion, or stop it (its whole process group) after `limit` seconds;
    wall seconds, peak RSS (MiB) of its largest process, exit code, and whether it was stopped."""
    stopped = False
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(argv)}\n".encode())
        out.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            argv, env=env, stdout=out, stderr=out, cwd=config.PROJECT_DIR, start_new_session=True
        )
        term_at = None
        while True:
            pid, status, usage = os.wait4(proc.pid, 0 if limit is None else os.WNOHANG)
            if pid:
                break
            elapsed = time.perf_counter() - t0
            if term_at is None and elapsed >= limit:
                stopped, term_at = True, elapsed
                out.write(f"\n[bench] stopped after {elapsed:.0f} s (limit {limit:.0f} s)\n".encode())
                out.flush()
                _signal_group(proc.pid, signal.SIGTERM)
            elif term_at is not None and elapsed - term_at > 30:
                _signal_group(proc.pid, signal.SIGKILL)
            time.sleep(0.2 if term_at is not None else 1.0)
        if stopped:  # what the stage started and did not end with it
            _signal_group(proc.pid, signal.SIGKILL)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    m = {
        "seconds": round(wall, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "exit_code": proc.returncode,
    }
    if stopped:
        m.update(stopped=True, limit_seconds=limit)
    return m


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)
