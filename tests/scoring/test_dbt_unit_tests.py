"""The dbt unit tests (`unit_tests:` next to each model), run on their own as an analytics
engineer runs them after editing a rule: seeds and models first, over an empty raw
schema (cheap: the rule seeds are the only data), then every unit test. Part of
`make test-fast`; the full builds of other tests run them again."""

from __future__ import annotations

import json
import re
import subprocess

from support import PROJECT_DIR

from orchestration.runtime import dbt as dbt_cli
from orchestration.runtime.manifest import load_manifest


def _dbt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [dbt_cli.dbt_executable(), *dbt_cli.dbt_args(*args)],
        cwd=PROJECT_DIR,
        env=dbt_cli.dbt_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )


SKIPPED = {".git", ".venv", "data", "__pycache__", ".pytest_cache", ".ruff_cache"}


def _checkout_files() -> dict[str, float]:
    """Every file of the checkout with its modification time, but caches and data."""
    out = {}
    for path in PROJECT_DIR.rglob("*"):
        rel = path.relative_to(PROJECT_DIR)
        if SKIPPED & set(rel.parts) or rel.parts[0].endswith(".egg-info") or not path.is_file():
            continue
        out[str(rel)] = path.stat().st_mtime
    return out


def test_every_dbt_unit_test_passes(home):
    """...and dbt, run by the project's code, writes its target/ and logs/ under
    $LEADSCORE_HOME/dbt, never into the checkout (which may be read-only)."""
    from orchestration.ingest.loader import ensure_raw_schema
    from orchestration.runtime import config

    before = _checkout_files()
    con = config.connect(home / "warehouse.duckdb")
    ensure_raw_schema(con)
    con.close()
    seeded = _dbt("seed")
    assert seeded.returncode == 0, seeded.stdout[-4000:]
    built = _dbt("run")
    assert built.returncode == 0, built.stdout[-4000:]

    unit_tests = load_manifest().get("unit_tests", {}).values()
    expected = sum(1 for u in unit_tests if u["package_name"] == "leadscore")
    assert expected >= 10, f"only {expected} dbt unit tests in the project"
    ran = _dbt("test", "--select", "test_type:unit")
    results = json.loads((config.dbt_target_dir() / "run_results.json").read_text())["results"]
    results = [r for r in results if r["unique_id"].startswith("unit_test.")]
    failed = [r["unique_id"] for r in results if r["status"] != "pass"]
    assert ran.returncode == 0 and not failed, failed or ran.stdout[-4000:]
    assert len(results) == expected, (len(results), expected)
    assert all(re.match(r"unit_test\.leadscore\.", r["unique_id"]) for r in results)
    assert (home / "dbt" / "logs" / "dbt.log").exists()
    assert _checkout_files() == before
