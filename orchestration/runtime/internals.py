"""Every use of dbt's or Dagster's private internals, in one place, each for a measured saving.

Nothing else in the package imports a private module of dbt, dagster or dagster-dbt, nor
overrides a private method. Each piece below says what it saves and is pinned by
tests/runtime/test_internals.py, which fails loudly when a pinned library changes
underneath it. Should one break after an upgrade, switch it off:
LEADSCORE_LIBRARY_INTERNALS=off (all) or a comma-separated list of PIECES. Every run then
takes the slower, supported path and gives the same results; that is also how the savings
were measured, side by side:

    for i in 1 2 3; do for m in on dbt_startup partial_parse event_log off; do
      LEADSCORE_LIBRARY_INTERNALS=$m leadscore run --date D; done; done

the daily run of the last day of `make demo`'s data (3,000 contacts, 180 days), run again,
on this project's 2-core machine while a test suite ran beside it; medians of 3: all on
27.0 s; dbt_startup off 30.5 s; partial_parse off 28.3 s; event_log off 28.9 s; all off
37.6 s (1.39x). Per piece, when each was introduced (profiled on tier M runs):

1. LeadscoreDbtCliResource (dagster-dbt's private `_cli_version` and
   `_initialize_dbt_core_adapter`): no `dbt --version` subprocess and no in-process dbt
   adapter before every dbt command. Saves about 4 s a run (3.5 s above).
2. seed_partial_parse / keep_partial_parse (dbt-core's partial_parse.msgpack and its
   `state_check.vars_hash`): a run starts from the last parse of its home, although its
   --vars differ from yesterday's. Saves a full re-parse, 3-6 s a run (1.3 s above).
3. faster_event_log (dagster's private SqliteEventLogStorage): SQLite event-log writes
   without a per-commit fsync and a per-close checkpoint while a run executes. Planned
   events before the first step: 9.6 s -> 1.7 s (medians of 2; 1.9 s a run above).
4. The run tags of a ranged partition run (dagster._core.storage.tags): the names Dagster
   gives the first and last partition of a run over a range. No public export holds them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import pprint
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)
from dagster_dbt import DbtCliResource

from orchestration.runtime import config
from orchestration.runtime import dbt as dbt_cli

__all__ = [
    "ASSET_PARTITION_RANGE_END_TAG",
    "ASSET_PARTITION_RANGE_START_TAG",
    "PARTITION_NAME_TAG",
    "LeadscoreDbtCliResource",
    "PIECES",
    "enabled",
    "faster_event_log",
    "keep_partial_parse",
    "parse_cache",
    "seed_partial_parse",
]

PARTIAL_PARSE_FILE = "partial_parse.msgpack"


PIECES = ("dbt_startup", "partial_parse", "event_log")


def enabled(piece: str) -> bool:
    """Whether `piece` (one of PIECES) is on. LEADSCORE_LIBRARY_INTERNALS=off switches every
    piece off; a comma-separated list of pieces (e.g. `partial_parse,event_log`) switches
    off those; unset or `on`: all on."""
    value = os.environ.get("LEADSCORE_LIBRARY_INTERNALS", "on").strip().lower()
    if value in ("", "on"):
        return True
    if value == "off":
        return False
    off = {p.strip() for p in value.split(",")}
    unknown = off - set(PIECES)
    if unknown:
        raise ValueError(f"LEADSCORE_LIBRARY_INTERNALS: unknown piece(s) {sorted(unknown)}; known: {PIECES}")
    return piece not in off


# --------------------------------------------------------------------- 1. dbt start-up


class LeadscoreDbtCliResource(DbtCliResource):
    """DbtCliResource without two start-up costs the job does not need (about 4 s a run).

    Before starting dbt, dagster-dbt 0.29 runs `dbt --version` in a subprocess (a full dbt
    start-up) to learn which dbt it drives, and builds a dbt adapter in this process
    (project, profile, macros), which serves only to fetch row counts and column metadata,
    neither of which this job asks for. Here the version is that of the dbt-core installed
    beside this code when the executable is the dbt of this environment (else dagster-dbt
    asks it, as before), and no adapter is built.
    """

    @cached_property
    def _cli_version(self):
        from packaging import version

        mine = Path(self.dbt_executable)
        if (
            enabled("dbt_startup")
            and mine.is_absolute()
            and mine.resolve() == Path(dbt_cli.dbt_executable()).resolve()
        ):
            from dbt.version import __version__

            return version.parse(__version__)
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        if not enabled("dbt_startup"):
            return super()._initialize_dbt_core_adapter(args)
        return None


# --------------------------------------------------------------------- 2. dbt partial parse


def vars_checksum(vars: dict[str, Any]) -> str:
    """The checksum dbt keeps of its command-line vars, profile, target and version
    (ManifestLoader.build_manifest_state_check in dbt-core 1.11). Should dbt compute it
    otherwise, it finds no match and parses everything: slower, still right."""
    from dbt.version import __version__

    return hashlib.sha256(
        "\x00".join(
            [
                pprint.pformat(vars),
                os.environ.get("DBT_PROFILE", ""),
                os.environ.get("DBT_TARGET", ""),
                __version__,
            ]
        ).encode("utf-8")
    ).hexdigest()


def parse_cache() -> Path:
    """The last parse dbt made for runs of this $LEADSCORE_HOME (see seed_partial_parse)."""
    return config.home() / ".dbt" / PARTIAL_PARSE_FILE


def seed_partial_parse(target_path: Path, vars: dict[str, Any]) -> str | None:
    """Give a run's dbt target folder a parse to start from, valid for the run's `vars`.

    dbt keeps the result of a parse in partial_parse.msgpack and reuses it only when the
    --vars are the same, which they never are from one day to the next. What a parse
    produces depends on the vars' values only through parse-time Jinja, and the SQL dbt
    runs is compiled from the run's own vars either way; the manifest preparation checks
    that the parse does not depend on them (runtime.manifest, PARSE_INFO). The parse given
    is the last one dbt made for a run of this $LEADSCORE_HOME (parse_cache), or else the
    prepared one, with the vars checksum of this run. dbt checks the rest itself: that
    the profile is the same and which files changed since. Returns None when seeded, else
    why not (dbt then parses the whole project): the reuse can cost speed, never
    correctness.
    """
    from orchestration.runtime.manifest import PARSE_INFO, PARSE_VARS, manifest_path

    if not enabled("partial_parse"):
        return "switched off by LEADSCORE_LIBRARY_INTERNALS"
    folder = manifest_path.parent
    try:
        info = json.loads((folder / PARSE_INFO).read_text())
    except (OSError, ValueError):
        return "the prepared parse was not compared with other var values"
    if not info.get("vars_independent"):
        return "the parse depends on the values of the vars"
    if sorted(vars) != sorted(PARSE_VARS) or any(not isinstance(v, str) for v in vars.values()):
        return f"the run's vars {sorted(vars)} differ from the prepared {sorted(PARSE_VARS)}"
    import msgpack

    try:
        cached = parse_cache()
        if cached.exists():
            raw = cached.read_bytes()
        else:
            with open(folder / ".leadscore-parse.lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_SH)  # not while a parse rewrites it
                raw = (folder / PARTIAL_PARSE_FILE).read_bytes()
        data = msgpack.unpackb(raw, raw=False, strict_map_key=False)
        data["state_check"]["vars_hash"] = {"name": "sha256", "checksum": vars_checksum(vars)}
        target_path.mkdir(parents=True, exist_ok=True)
        tmp = target_path / (PARTIAL_PARSE_FILE + ".tmp")
        tmp.write_bytes(msgpack.packb(data))
        os.replace(tmp, target_path / PARTIAL_PARSE_FILE)
    except Exception as e:  # a parse to start from is an optimisation only
        return f"the saved parse could not be used ({type(e).__name__}: {e})"
    return None


def keep_partial_parse(target_path: Path) -> None:
    """Keep the parse dbt wrote into a run's target folder for the next run of this home."""
    made = target_path / PARTIAL_PARSE_FILE
    if not made.exists() or not enabled("partial_parse"):
        return
    cache = parse_cache()
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(made, tmp)
        os.replace(tmp, cache)
    except OSError:  # the next run parses more, nothing worse
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------- 3. Dagster event log


def _event_log_dir(instance) -> str | None:
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    storage = getattr(instance, "event_log_storage", None)
    if not isinstance(storage, SqliteEventLogStorage):
        return None
    return os.path.dirname(os.path.abspath(storage.path_for_shard("index")))


@contextlib.contextmanager
def faster_event_log(instance) -> Iterator[None]:
    """While the block runs, SQLite event-log writes of `instance` skip per-commit fsyncs
    and per-close checkpoints. A no-op for other storages (Postgres, a custom one).

    Dagster's SQLite event log opens a new connection for every write and closes it again;
    a run of the daily job writes some 400 events, several connections each. With SQLite's
    defaults every commit fsyncs and every last close checkpoints the WAL. Here, through
    SQLAlchemy's documented `connect` event (its documented pattern for SQLite pragmas),
    each new connection to a file under the event log's folder gets `synchronous =
    NORMAL` (WAL stays crash-safe: a power loss may lose the last commits, never corrupt
    the file), and one extra connection per file is kept open for the run, so that
    closing Dagster's connection is not the last close and does not checkpoint every
    time; SQLite still checkpoints when the log grows past its limit, and when the kept
    connection closes at the end of the run.
    """
    base = _event_log_dir(instance) if enabled("event_log") else None
    if base is None:
        yield
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    kept: dict[str, sqlite3.Connection] = {}
    lock = threading.Lock()
    prefix = base.rstrip(os.sep) + os.sep

    def on_connect(dbapi_connection, _record) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        try:
            rows = dbapi_connection.execute("pragma database_list").fetchall()
            path = next((r[2] for r in rows if r[1] == "main"), "")
            if not path or not os.path.abspath(path).startswith(prefix):
                return
            mode = dbapi_connection.execute("pragma journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                return  # a shard being created: Dagster switches it to WAL first
            dbapi_connection.execute("pragma synchronous = NORMAL")
            with lock:
                if path not in kept:
                    keeper = sqlite3.connect(path, check_same_thread=False)
                    keeper.execute("pragma synchronous = NORMAL")
                    kept[path] = keeper
        except sqlite3.Error:
            return  # never fail a write for the sake of speed

    event.listen(Engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(Engine, "connect", on_connect)
        with lock:
            for keeper in kept.values():
                with contextlib.suppress(sqlite3.Error):
                    keeper.close()
            kept.clear()
