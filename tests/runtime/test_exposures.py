"""The dbt exposures (models/exposures/_exposures.yml) name exactly what reads the marts:
the serving copy every public mart, the report the marts it queries, the CRM feed the
marts docs/bi.md tells a sync to read."""

from __future__ import annotations

import re

from support import PROJECT_DIR

from orchestration.runtime.manifest import load_manifest, public_marts


def _exposures() -> dict[str, set[str]]:
    manifest = load_manifest()
    return {
        e["name"]: {manifest["nodes"][uid]["name"] for uid in e["depends_on"]["nodes"]}
        for e in manifest["exposures"].values()
    }


def test_the_serving_copy_exposure_lists_every_public_mart():
    assert _exposures()["serving_copy"] == {n["name"] for n in public_marts(load_manifest())}


def test_the_report_exposure_lists_the_marts_the_report_reads():
    from orchestration.serving.marts import QUERIES

    assert _exposures()["outcome_report"] == set(QUERIES)


def test_the_crm_feed_exposure_lists_what_the_documented_sync_reads():
    text = (PROJECT_DIR / "docs" / "bi.md").read_text()
    section = text[text.index("\n## CRM feed") :]
    section = section[: section.index("\n## ", 1)]
    marts = {n["name"] for n in public_marts(load_manifest())}
    query = section[section.index("```sql") : section.index("```\n", section.index("```sql"))]
    synced = set(re.findall(r"^from ([a-z_]+)$", query, flags=re.M)) & marts  # the example sync
    feed = _exposures()["crm_feed"]
    assert synced and synced <= feed
    assert feed <= set(re.findall(r"`([a-z_]+)`", section)) & marts  # each one documented there
