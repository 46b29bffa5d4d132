"""Freshness checks on the raw sources, from the freshness the dbt sources declare.

A raw table is fresh when rows of its entity landed within the source's `warn_after`
(_staging__sources.yml: 36 hours for contacts, companies, events and opportunities; none
for sources with `freshness: null`). Dagster's last-update freshness checks read the
`dagster/last_updated_timestamp` that ingestion records (max `_loaded_at`), so a day
without new rows counts as no update. Warning (non-blocking): stale inputs still score.
They run in the daily job after ingestion and every 10 minutes from their own sensor.

Dagster 1.13 also offers FreshnessPolicy (on the raw assets too, see defs/assets/raw.py), which
looks only at when an asset was last materialised; these checks look at the data.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import defaultdict

from dagster import AssetCheckSeverity, AssetKey, SupersessionWarning, build_last_update_freshness_checks

from orchestration.defs.assets.dbt import manifest, translator
from orchestration.runtime.manifest import source_freshness


def _sources_by_window() -> dict[dt.timedelta, list[AssetKey]]:
    by_window: dict[dt.timedelta, list[AssetKey]] = defaultdict(list)
    for source in manifest["sources"].values():
        warn, _error = source_freshness(manifest)[(source["source_name"], source["name"])]
        if warn:
            by_window[warn].append(translator.get_asset_key(source))
    return by_window


with warnings.catch_warnings():
    # Superseded by FreshnessPolicy, which cannot read the data's own last update.
    warnings.simplefilter("ignore", SupersessionWarning)
    FRESHNESS_CHECKS = [
        checks_def
        for window, keys in sorted(_sources_by_window().items())
        for checks_def in build_last_update_freshness_checks(
            assets=sorted(keys, key=lambda k: k.to_user_string()),
            lower_bound_delta=window,
            severity=AssetCheckSeverity.WARN,
            blocking=False,
        )
    ]
