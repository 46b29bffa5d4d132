"""One writer at a time: an exclusive OS lock on $LEADSCORE_HOME/.run.lock.

DuckDB allows a single writing process per file, and two daily runs interleaving ingest,
dbt and publish would mix their results. Every path that writes the warehouse or the
serving copy holds this lock: the CLI for a whole run, the `run_lock` resource for a whole
Dagster run (the job executes in one process), and each writing asset again, which costs
nothing because the lock is re-entrant within a process.

A second process waits up to a timeout ($LEADSCORE_LOCK_TIMEOUT seconds, default 600),
then refuses with RunLockedError naming the holder. The kernel releases a flock when its
holder dies, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from orchestration.runtime import config

DEFAULT_TIMEOUT_SECONDS = 600.0
POLL_SECONDS = 0.2


class RunLockedError(RuntimeError):
    """Another process holds the run lock and did not release it within the timeout."""


def lock_path() -> Path:
    return config.home() / ".run.lock"


def default_timeout() -> float:
    return float(os.environ.get("LEADSCORE_LOCK_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))


# path -> [fd, depth]; guarded by _mutex. Re-entrant per process, not per thread: the
# Dagster in-process executor runs the steps of a run one after another in one process.
_held: dict[str, list[int]] = {}
_mutex = threading.RLock()


def holder(path: Path | None = None) -> dict:
    """Who holds (or last held) the lock, as written by the holder; {} when unknown."""
    path = path or lock_path()
    try:
        return json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return {}


def is_held_here(path: Path | None = None) -> bool:
    with _mutex:
        return str(path or lock_path()) in _held


def _describe(info: dict) -> str:
    if not info:
        return "another process"
    what = info.get("what") or "a leadscore run"
    return f"{what} (pid {info.get('pid', '?')}, since {info.get('since', '?')})"


@contextlib.contextmanager
def hold(
    what: str = "leadscore run",
    timeout: float | None = None,
    path: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold the exclusive run lock for the duration of the block (re-entrant per process)."""
    path = path or lock_path()
    key = str(path)
    timeout = default_timeout() if timeout is None else timeout
    with _mutex:
        reentered = key in _held
        if reentered:
            _held[key][1] += 1
    if reentered:
        try:
            yield path
        finally:
            with _mutex:
                _held[key][1] -= 1
        return
    with _mutex:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            told = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise RunLockedError(
                            f"another leadscore run holds {path}: {_describe(holder(path))}. "
                            f"Waited {timeout:g}s; refusing to start so that two runs never write "
                            f"the warehouse at once. Retry when it has finished (or raise "
                            f"LEADSCORE_LOCK_TIMEOUT to wait longer)."
                        ) from None
                    if progress and not told:
                        progress(f"waiting for the run lock: held by {_describe(holder(path))}")
                        told = True
                    time.sleep(POLL_SECONDS)
            info = {
                "pid": os.getpid(),
                "what": what,
                "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
            _held[key] = [fd, 1]
        except BaseException:
            os.close(fd)
            raise
    try:
        yield path
    finally:
        with _mutex:
            _held[key][1] -= 1
            if _held[key][1] == 0:
                del _held[key]
                # Closing the descriptor releases the flock.
                os.close(fd)
