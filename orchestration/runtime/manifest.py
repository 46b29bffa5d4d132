"""The dbt manifest Dagster builds its assets from, prepared once and read from disk.

`dbt parse` runs only when target/dagster/manifest.json is missing or older than a project
file (models, seeds, macros, data tests, dbt_project.yml, profiles.example.yml); a file
lock keeps two processes from parsing at once.

The manifest has its own target folder and is parsed with the vars every run passes
(score_date and history_start set): a model may ref() another only when a var is unset
(int_score_dates reads events only without score_date), and Dagster must see the
dependency graph dbt actually runs, or it rejects the order in which models complete.
`dbt build` and `leadscore build` elsewhere write target/manifest.json, not this one.

A run reuses a parse (`seed_partial_parse`): the last one dbt made in this home, else the
prepared one. dbt keeps the result of a parse in partial_parse.msgpack and reuses it only
when the --vars are the same, which they never are from one day to the next: every run
used to parse the whole project again. What a parse produces depends on the vars' values
only through parse-time Jinja (a config or ref() under `{% if var(...) %}`); the SQL dbt
runs is compiled from the run's own vars either way. So the preparation parses the project a second time with other values
(PARSE_VARS_OTHER) and compares: when both manifests are the same, the parse does not
depend on the values, and a run gets a copy of the saved partial_parse.msgpack whose
vars checksum is that of its own --vars. dbt then re-parses only the files that changed
since (its usual partial parsing). When they differ, or anything does not fit (other
var names, a dbt that computes the checksum differently, an unreadable file), dbt just
parses the whole project as before: the reuse can cost speed, never correctness.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import hashlib
import json
import os
import pprint
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from dagster_dbt import DbtProject

from orchestration.runtime import config
from orchestration.runtime import dbt as dbt_cli

TARGET = "target/dagster"
# The shape of the vars of every run (values do not matter to the graph).
PARSE_VARS = {"score_date": "2024-01-01", "history_start": "2024-01-01"}
# The same vars with other values: a parse with them must give the same manifest for a run
# to reuse the prepared parse (see the module doc).
PARSE_VARS_OTHER = {"score_date": "2099-12-31", "history_start": "2099-06-30"}
OTHER_TARGET = "target/dagster-vars-check"
# Written next to the manifest once both parses agreed: {"vars_independent": true|false}.
PARSE_INFO = "leadscore-parse.json"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
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
    return (
        not manifest_path.exists()
        or not (manifest_path.parent / PARSE_INFO).exists()
        or manifest_path.stat().st_mtime < _newest_project_mtime()
    )


def _parse_args(target: str, vars: dict) -> list[str]:
    return [
        dbt_cli.dbt_executable(),
        *dbt_cli.dbt_args("parse", "--quiet", "--target-path", target, vars=vars),
    ]


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
    """Run `dbt parse` if the manifest is missing or older than the project; return its path."""
    if not is_stale():
        return manifest_path
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest_path.parent / ".leadscore-parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_stale():  # another process may have parsed while we waited
            info = manifest_path.parent / PARSE_INFO
            info.unlink(missing_ok=True)
            other = config.PROJECT_DIR / OTHER_TARGET
            shutil.rmtree(other, ignore_errors=True)
            # Both parses at once: the second one (other var values) costs little wall time.
            procs = [
                subprocess.Popen(
                    _parse_args(target, vars),
                    cwd=config.PROJECT_DIR,
                    env=dbt_cli.dbt_env(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for target, vars in ((TARGET, PARSE_VARS), (OTHER_TARGET, PARSE_VARS_OTHER))
            ]
            (out, err), (_o, _e) = (p.communicate() for p in procs)
            main, check = procs
            if main.returncode != 0:
                raise RuntimeError(
                    f"dbt parse failed (exit {main.returncode}); fix the project, then reload:\n"
                    f"{out[-4000:]}{err[-4000:]}"
                )
            independent = False
            if check.returncode == 0:
                try:
                    independent = _comparable(manifest_path) == _comparable(other / "manifest.json")
                except (OSError, ValueError):
                    independent = False
            shutil.rmtree(other, ignore_errors=True)
            tmp = info.with_suffix(".tmp")
            tmp.write_text(json.dumps({"vars_independent": independent, "vars": sorted(PARSE_VARS)}))
            os.replace(tmp, info)
    return manifest_path


def _vars_checksum(vars: dict[str, Any]) -> str:
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

    The parse is the last one dbt made for a run of this $LEADSCORE_HOME (parse_cache), or
    else the prepared one. dbt checks the rest itself: that the profile is the same (the
    warehouse path is part of it, so a parse prepared under another home does not fit)
    and which files changed since. Returns None when seeded, else why not (dbt then
    parses the whole project, as it always did). See the module doc for why this is sound.
    """
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
        data["state_check"]["vars_hash"] = {"name": "sha256", "checksum": _vars_checksum(vars)}
        target_path.mkdir(parents=True, exist_ok=True)
        tmp = target_path / (PARTIAL_PARSE_FILE + ".tmp")
        tmp.write_bytes(msgpack.packb(data))
        os.replace(tmp, target_path / PARTIAL_PARSE_FILE)
    except Exception as e:  # noqa: BLE001 - a parse to start from is an optimisation only
        return f"the saved parse could not be used ({type(e).__name__}: {e})"
    return None


def keep_partial_parse(target_path: Path) -> None:
    """Keep the parse dbt wrote into a run's target folder for the next run of this home."""
    made = target_path / PARTIAL_PARSE_FILE
    if not made.exists():
        return
    cache = parse_cache()
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(made, tmp)
        os.replace(tmp, cache)
    except OSError:  # the next run parses more, nothing worse
        tmp.unlink(missing_ok=True)


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
