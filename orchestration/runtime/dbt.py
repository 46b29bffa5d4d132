"""Running dbt for the project: one place that knows the project and profiles paths."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from orchestration.runtime import config


def profiles_dir() -> Path:
    """The folder dbt reads profiles.yml from.

    $DBT_PROFILES_DIR if set; else the project folder when a profiles.yml sits there;
    else a copy of profiles.example.yml, unchanged, under $LEADSCORE_HOME/.dbt (dbt only
    reads a file named profiles.yml, and the example must work as it is).
    """
    if os.environ.get("DBT_PROFILES_DIR"):
        return Path(os.environ["DBT_PROFILES_DIR"])
    if (config.PROJECT_DIR / "profiles.yml").exists():
        return config.PROJECT_DIR
    target = config.home() / ".dbt"
    target.mkdir(parents=True, exist_ok=True)
    example = config.PROJECT_DIR / "profiles.example.yml"
    copy = target / "profiles.yml"
    if not copy.exists() or copy.read_bytes() != example.read_bytes():
        shutil.copyfile(example, copy)
    return target


def dbt_env() -> dict[str, str]:
    """The environment dbt runs in: this home's paths and DuckDB settings. dbt's target/
    and logs/ go under $LEADSCORE_HOME/dbt (unless DBT_TARGET_PATH / DBT_LOG_PATH say
    otherwise), so two homes never share parse state and the checkout may be read-only."""
    env = dict(os.environ)
    env["LEADSCORE_HOME"] = str(config.home())
    env.setdefault("DBT_TARGET_PATH", str(config.dbt_target_dir()))
    env.setdefault("DBT_LOG_PATH", str(config.dbt_log_dir()))
    env.setdefault("LEADSCORE_DUCKDB_THREADS", str(config.duckdb_threads()))
    env.setdefault("LEADSCORE_DUCKDB_MEMORY_LIMIT", config.duckdb_memory_limit())
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


@contextlib.contextmanager
def environment() -> Iterator[None]:
    """For dbt run in this process (dagster-dbt's project preparation): os.environ is
    dbt_env(), with this environment's dbt first on PATH, for the length of the block."""
    saved = dict(os.environ)
    os.environ.update(dbt_env())
    bin_dir = str(Path(dbt_executable()).parent)
    os.environ["PATH"] = os.pathsep.join([bin_dir, saved.get("PATH", "")])
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_args(command: str, *extra: str, vars: dict | None = None) -> list[str]:
    args = [
        command,
        "--project-dir",
        str(config.PROJECT_DIR),
        "--profiles-dir",
        str(profiles_dir()),
        *extra,
    ]
    if vars:
        args += ["--vars", json.dumps(vars)]
    return args


def run_dbt(command: str, *extra: str, vars: dict | None = None, quiet: bool = False) -> int:
    """Run a dbt command in a subprocess; returns its exit code."""
    args = [dbt_executable(), *dbt_args(command, *extra, vars=vars)]
    out = subprocess.DEVNULL if quiet else None
    return subprocess.run(args, cwd=config.PROJECT_DIR, env=dbt_env(), stdout=out).returncode
