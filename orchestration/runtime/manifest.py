"""The dbt manifest Dagster builds its assets from, prepared once per home and read from disk.

The manifest lives under $LEADSCORE_HOME/dbt/target/dagster, so two homes never share or
overwrite each other's parse and a read-only checkout works. It is prepared by
dagster-dbt's own DbtProject preparation (`dbt parse`), but only when the manifest is
missing or older than a project file (models, seeds, macros, data tests, dbt_project.yml,
profiles.example.yml); a file lock keeps two processes from parsing at once.

The parse uses the vars every run passes (score_date and history_start set): a model may
ref() another only when a var is unset (int_score_dates reads events only without
score_date), and Dagster must see the dependency graph dbt actually runs, or it rejects
the order in which models complete. `leadscore build` writes $LEADSCORE_HOME/dbt/target,
not this folder.

Beside it, a second parse with other values of the same vars (PARSE_VARS_OTHER) tells
whether the parse depends on the values at all; the answer, in PARSE_INFO, decides
whether a run may start from a saved parse (runtime.internals.seed_partial_parse).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from dagster_dbt import DbtProject

from orchestration.runtime import config
from orchestration.runtime import dbt as dbt_cli

TARGET = "dagster"
# The shape of the vars of every run (values do not matter to the graph).
PARSE_VARS = {"score_date": "2024-01-01", "history_start": "2024-01-01"}
# The same vars with other values: a parse with them must give the same manifest for a run
# to reuse the prepared parse (see the module doc).
PARSE_VARS_OTHER = {"score_date": "2099-12-31", "history_start": "2099-06-30"}
OTHER_TARGET = "dagster-vars-check"
# Written next to the manifest once both parses agreed: {"vars_independent": true|false}.
PARSE_INFO = "leadscore-parse.json"
PROJECT_FILES = ("dbt_project.yml", "profiles.example.yml", "packages.yml", "dependencies.yml")
PROJECT_FOLDERS = ("models", "seeds", "macros", "tests/dbt", "snapshots", "analyses")
PUBLIC_SCHEMA = "marts"

dbt_project = DbtProject(
    project_dir=config.PROJECT_DIR,
    target_path=config.dbt_target_dir() / TARGET,
    profiles_dir=dbt_cli.profiles_dir(),
    prepare_project_cli_args=["parse", "--quiet", "--vars", json.dumps(PARSE_VARS)],
)
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
    return (
        not manifest_path.exists()
        or not (manifest_path.parent / PARSE_INFO).exists()
        or manifest_path.stat().st_mtime < _newest_project_mtime()
    )


def _comparable(path: Path) -> dict[str, Any]:
    """A manifest without what differs from one parse to the next anyway."""
    manifest = json.loads(path.read_text())
    manifest.pop("metadata", None)

    def scrub(o):
        if isinstance(o, dict):
            return {k: scrub(v) for k, v in o.items() if k != "created_at"}
        if isinstance(o, list):
            return [scrub(v) for v in o]
        return o

    return scrub(manifest)


def prepare_manifest() -> Path:
    """Parse the project if the manifest is missing or older than the project; its path."""
    if not is_stale():
        return manifest_path
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest_path.parent / ".leadscore-parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_stale():  # another process may have parsed while we waited
            info = manifest_path.parent / PARSE_INFO
            info.unlink(missing_ok=True)
            other = config.dbt_target_dir() / OTHER_TARGET
            shutil.rmtree(other, ignore_errors=True)
            # The comparison parse runs beside the main one: it costs little wall time.
            check = subprocess.Popen(
                [
                    dbt_cli.dbt_executable(),
                    *dbt_cli.dbt_args("parse", "--quiet", "--target-path", str(other), vars=PARSE_VARS_OTHER),
                ],
                cwd=config.PROJECT_DIR,
                env=dbt_cli.dbt_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                with dbt_cli.environment():
                    dbt_project.preparer.prepare(dbt_project)
            except Exception as e:
                check.kill()
                check.wait()
                raise RuntimeError(f"dbt parse failed; fix the project, then reload:\n{e}") from e
            independent = False
            if check.wait() == 0:
                try:
                    independent = _comparable(manifest_path) == _comparable(other / "manifest.json")
                except (OSError, ValueError):
                    independent = False
            shutil.rmtree(other, ignore_errors=True)
            tmp = info.with_suffix(".tmp")
            tmp.write_text(json.dumps({"vars_independent": independent, "vars": sorted(PARSE_VARS)}))
            os.replace(tmp, info)
    return manifest_path


@functools.lru_cache(maxsize=1)
def load_manifest() -> dict[str, Any]:
    """The parsed manifest, read once per process (retrying briefly if a concurrent dbt
    command is rewriting it)."""
    prepare_manifest()
    for attempt in range(10):
        try:
            manifest = json.loads(manifest_path.read_text())
            break
        except ValueError:
            if attempt == 9:
                raise
            time.sleep(0.5)
    attach_singular_tests(manifest)
    return manifest


def _ancestors(manifest: dict[str, Any], unique_id: str, seen: set[str] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    for parent in manifest["parent_map"].get(unique_id, []):
        if parent not in seen:
            seen.add(parent)
            _ancestors(manifest, parent, seen)
    return seen


def attach_singular_tests(manifest: dict[str, Any]) -> None:
    """Make every singular dbt test an asset check, also one that reads several models.

    dagster-dbt attaches a singular test to its model only when it reads one model, or when
    its meta names one (`{{ config(meta={"dagster": {"ref": {"name": "<model>"}}}) }}`);
    otherwise the test only logs an observation. For a test reading several models without
    that meta, this names the most downstream of them (the one the others feed; else one
    that feeds none of them, preferring a public mart, then the most ancestors, then the
    name), in the manifest Dagster reads only.
    """
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or node.get("attached_node"):
            continue
        parents = [p for p in node["depends_on"]["nodes"] if p in manifest["nodes"]]
        meta = node.setdefault("config", {}).setdefault("meta", {})
        if (
            len(set(parents)) < 2
            or (meta.get("dagster") or {}).get("ref")
            or ((node.get("meta") or {}).get("dagster") or {}).get("ref")
        ):
            continue
        ancestry = {p: _ancestors(manifest, p) for p in set(parents)}
        best = max(
            ancestry,
            key=lambda p: (
                all(o in ancestry[p] for o in ancestry if o != p),
                not any(p in ancestry[o] for o in ancestry if o != p),
                manifest["nodes"][p].get("schema") == PUBLIC_SCHEMA,
                len(ancestry[p]),
                p,
            ),
        )
        target = manifest["nodes"][best]
        meta.setdefault("dagster", {})["ref"] = {"name": target["name"], "package": target["package_name"]}


def public_marts(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every enabled dbt model whose schema is `marts` (tables or views; an ephemeral model
    is no relation): the relations BI users read."""
    return sorted(
        (
            node
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and node["schema"] == PUBLIC_SCHEMA
            and node.get("config", {}).get("enabled", True)
            and node.get("config", {}).get("materialized") != "ephemeral"
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


def source_freshness(
    manifest: dict[str, Any],
) -> dict[tuple[str, str], tuple[dt.timedelta | None, dt.timedelta | None]]:
    """(source name, table) -> (warn_after, error_after) as the dbt sources declare them."""
    out = {}
    for source in manifest["sources"].values():
        freshness = source.get("freshness") or {}
        out[(source["source_name"], source["name"])] = (
            _after(freshness.get("warn_after")),
            _after(freshness.get("error_after")),
        )
    return out
