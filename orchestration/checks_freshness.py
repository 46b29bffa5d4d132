"""Freshness checks on the raw sources, from the freshness the dbt sources declare.

A raw table is fresh when rows of its entity landed within the source's `warn_after`
(_staging__sources.yml: 36 hours for contacts, companies, events and opportunities; none
for sources with `freshness: null`). Dagster's last-update freshness checks read the
`dagster/last_updated_timestamp` that ingestion records (max `_loaded_at`), so a day
without new rows counts as no update. Warning (non-blocking): stale inputs still score.
They run in the daily job after ingestion and every few minutes from their own sensor.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from dagster import AssetCheckSeverity, AssetKey, build_last_update_freshness_checks

from .assets_dbt import manifest, translator

_PERIOD_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


def _warn_after(freshness: dict | None) -> dt.timedelta | None:
    rule = (freshness or {}).get("warn_after") or {}
    if not rule.get("count") or rule.get("period") not in _PERIOD_HOURS:
        return None
    return dt.timedelta(hours=rule["count"] * _PERIOD_HOURS[rule["period"]])


def _sources_by_window() -> dict[dt.timedelta, list[AssetKey]]:
    by_window: dict[dt.timedelta, list[AssetKey]] = defaultdict(list)
    for source in manifest["sources"].values():
        window = _warn_after(source.get("freshness"))
        if window:
            by_window[window].append(translator.get_asset_key(source))
    return by_window


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
