"""Freshness checks on the raw sources, from the freshness the dbt sources declare.

A raw table is fresh when rows of its entity landed within the source's `warn_after`
(_staging__sources.yml: 36 hours for contacts, companies, events and opportunities; none
for sources with `freshness: null`). The checks read the `dagster/last_updated_timestamp`
and `dagster/row_count` that ingestion records on each raw materialisation (max
`_loaded_at`, rows in the table), so a day without new rows counts as no update, and a
table with no rows at all says "no rows yet" (a failed check: nothing of the entity ever
landed) rather than an age measured from 1970. Warning (non-blocking): stale inputs still
score. They run in the daily job after ingestion and every 10 minutes from their own
sensor (Dagster's build_sensor_for_freshness_checks, superseded by FreshnessPolicy,
which cannot read the data's own last update: a passed check carries
`dagster/fresh_until_timestamp`, when it can next turn stale, as that sensor expects).
Dagster's own build_last_update_freshness_checks is not used: it measures an empty
table's age from the epoch.

Dagster 1.13 also offers FreshnessPolicy (on the raw assets too, see defs/assets/raw.py), which
looks only at when an asset was last materialised; these checks look at the data.
"""

import datetime as dt
import time
from collections import defaultdict

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from orchestration.defs.assets.dbt import manifest, translator
from orchestration.defs.assets.raw import NEVER_LOADED
from orchestration.runtime.manifest import source_freshness

CHECK_NAME = "freshness_check"
LAST_UPDATED = "dagster/last_updated_timestamp"
ROW_COUNT = "dagster/row_count"
FRESH_UNTIL = "dagster/fresh_until_timestamp"  # read by Dagster's freshness-check sensor


def _sources_by_window() -> dict[dt.timedelta, list[AssetKey]]:
    by_window: dict[dt.timedelta, list[AssetKey]] = defaultdict(list)
    for source in manifest["sources"].values():
        warn, _error = source_freshness(manifest)[(source["source_name"], source["name"])]
        if warn:
            by_window[warn].append(translator.get_asset_key(source))
    return by_window


def in_words(seconds: float) -> str:
    """A duration as people say it: 2 days 3 hours, 5 hours 10 minutes, 40 seconds."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")] if seconds >= 60 else [(secs, "second")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words[:2]) or "0 seconds"


def evaluate(
    table: str, rows: int | None, last_updated: float | None, window: dt.timedelta, now: float
) -> tuple[bool, str, dict]:
    """(passed, what was found, metadata) of one raw table's freshness check."""
    allowed = in_words(window.total_seconds())
    if last_updated is None or last_updated <= NEVER_LOADED or rows == 0:
        return (
            False,
            f"{table} has no rows yet: nothing of this entity has landed (rows are expected "
            f"within every {allowed})",
            {},
        )
    age = now - last_updated
    metadata = {LAST_UPDATED: MetadataValue.timestamp(last_updated)}
    if age <= window.total_seconds():
        metadata[FRESH_UNTIL] = MetadataValue.timestamp(last_updated + window.total_seconds())
        return True, f"rows of {table} last landed {in_words(age)} ago, within {allowed}", metadata
    return False, f"rows of {table} last landed {in_words(age)} ago, more than {allowed} ago", metadata


def _freshness_checks(window: dt.timedelta, keys: list[AssetKey]):
    allowed = in_words(window.total_seconds())

    @multi_asset_check(
        name=f"raw_freshness_{int(window.total_seconds())}s",
        specs=[
            AssetCheckSpec(
                CHECK_NAME,
                asset=key,
                blocking=False,
                description=f"Warning (non-blocking): rows of {'.'.join(key.path)} landed within "
                f"the last {allowed} (the dbt source's warn_after); fails with 'no rows yet' "
                "while the table is empty.",
            )
            for key in keys
        ],
        can_subset=True,
    )
    def _check(context: AssetCheckExecutionContext):
        now = time.time()
        for check_key in sorted(context.selected_asset_check_keys, key=lambda k: k.asset_key.path):
            event = context.instance.get_latest_materialization_event(check_key.asset_key)
            meta = event.asset_materialization.metadata if event and event.asset_materialization else {}
            rows = meta[ROW_COUNT].value if ROW_COUNT in meta else None
            last = meta[LAST_UPDATED].value if LAST_UPDATED in meta else None
            passed, found, metadata = evaluate(".".join(check_key.asset_key.path), rows, last, window, now)
            yield AssetCheckResult(
                asset_key=check_key.asset_key,
                check_name=CHECK_NAME,
                passed=passed,
                severity=AssetCheckSeverity.WARN,
                description=found,
                metadata=metadata,
            )

    return _check


FRESHNESS_CHECKS = [
    _freshness_checks(window, sorted(keys, key=lambda k: k.to_user_string()))
    for window, keys in sorted(_sources_by_window().items())
]
