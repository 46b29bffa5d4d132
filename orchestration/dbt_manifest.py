"""The dbt manifest Dagster builds its assets from, prepared once and read from disk.

`dbt parse` runs only when target/manifest.json is missing or older than a project file
(models, seeds, macros, data tests, dbt_project.yml, profiles.example.yml); a file lock
keeps two processes from parsing at once. Runs then use dbt's partial parsing defaults.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import json
import subprocess
import time
from pathlib import Path
from typing import Any

from dagster_dbt import DbtProject

from . import config, dbt_cli

TARGET = "target"
PROJECT_FILES = ("dbt_project.yml", "profiles.example.yml", "packages.yml", "dependencies.yml")
PROJECT_FOLDERS = ("models", "seeds", "macros", "tests/dbt", "snapshots", "analyses")
PUBLIC_SCHEMA = "marts"

dbt_project = DbtProject(project_dir=config.PROJECT_DIR, target_path=TARGET)
manifest_path: Path = dbt_project.manifest_path


def _newest_project_mtime() -> float:
    newest = 0.0
    root = config.PROJECT_DIR
    for name in PROJECT_FILES:
        p = root / name
        if p.exists():
            newest = max(newest, p.stat().st_mtime)
    for folder in PROJECT_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for p in base.rglob("*"):
            if p.is_file() and not p.name.startswith("."):
                newest = max(newest, p.stat().st_mtime)
    return newest


def is_stale() -> bool:
    return not manifest_path.exists() or manifest_path.stat().st_mtime < _newest_project_mtime()


def prepare_manifest() -> Path:
    """Run `dbt parse` if the manifest is missing or older than the project; return its path."""
    if not is_stale():
        return manifest_path
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest_path.parent / ".leadscore-parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_stale():  # another process may have parsed while we waited
            args = [dbt_cli.dbt_executable(), *dbt_cli.dbt_args("parse", "--quiet", "--target-path", TARGET)]
            proc = subprocess.run(
                args, cwd=config.PROJECT_DIR, env=dbt_cli.dbt_env(), capture_output=True, text=True
            )
            if proc.returncode != 0:
                raise RuntimeError(
                    f"dbt parse failed (exit {proc.returncode}); fix the project, then reload:\n"
                    f"{proc.stdout[-4000:]}{proc.stderr[-4000:]}"
                )
    return manifest_path


@functools.lru_cache(maxsize=1)
def load_manifest() -> dict[str, Any]:
    """The parsed manifest, read once per process (retrying briefly if a concurrent dbt
    command is rewriting it)."""
    prepare_manifest()
    for attempt in range(10):
        try:
            return json.loads(manifest_path.read_text())
        except ValueError:
            if attempt == 9:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


def public_marts(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every enabled dbt model whose schema is `marts`: the tables BI users read."""
    return sorted(
        (
            node
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and node["schema"] == PUBLIC_SCHEMA
            and node.get("config", {}).get("enabled", True)
        ),
        key=lambda n: n["name"],
    )


def relation_name(node: dict[str, Any]) -> str:
    """schema.table of a model or seed, as dbt builds it (alias wins over name)."""
    return f"{node['schema']}.{node.get('alias') or node['name']}"


def node_named(manifest: dict[str, Any], name: str, resource_type: str) -> dict[str, Any]:
    for node in manifest["nodes"].values():
        if node["resource_type"] == resource_type and node["name"] == name:
            return node
    raise KeyError(f"no dbt {resource_type} named {name!r} in {manifest_path}")


_PERIOD = {"minute": dt.timedelta(minutes=1), "hour": dt.timedelta(hours=1), "day": dt.timedelta(days=1)}


def _after(rule: dict | None) -> dt.timedelta | None:
    if not rule or not rule.get("count") or rule.get("period") not in _PERIOD:
        return None
    return rule["count"] * _PERIOD[rule["period"]]


def source_freshness(manifest: dict[str, Any]) -> dict[tuple[str, str], tuple[dt.timedelta | None, dt.timedelta | None]]:
    """(source name, table) -> (warn_after, error_after) as the dbt sources declare them."""
    out = {}
    for source in manifest["sources"].values():
        freshness = source.get("freshness") or {}
        out[(source["source_name"], source["name"])] = (
            _after(freshness.get("warn_after")),
            _after(freshness.get("error_after")),
        )
    return out
