"""Daily partitions: one partition per scored day (UTC), and the dbt vars of a run."""

from __future__ import annotations

import datetime as dt

from dagster import DailyPartitionsDefinition, TimeWindow

FIRST_DAY = "2024-01-01"

# The last partition is yesterday: a day is scored once it is over.
daily = DailyPartitionsDefinition(start_date=FIRST_DAY, timezone="UTC")


def window_days(window: TimeWindow) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of a partition time window (end is exclusive)."""
    first = window.start.date()
    last = (window.end - dt.timedelta(days=1)).date()
    return first, last


def yesterday(now: dt.datetime | None = None) -> dt.date:
    now = now or dt.datetime.now(dt.UTC)
    return (now.astimezone(dt.UTC) - dt.timedelta(days=1)).date()


def run_days(tags: dict[str, str], default: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """First and last day of a run, from its partition tags (one partition or a range).

    For steps that are not partitioned themselves (the GX checks), yet run inside a
    partitioned run. A run without partition tags (a check launched on its own) covers
    `default`, or yesterday.
    """
    from orchestration.runtime.internals import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
        PARTITION_NAME_TAG,
    )

    if tags.get(PARTITION_NAME_TAG):
        day = dt.date.fromisoformat(tags[PARTITION_NAME_TAG])
        return day, day
    if tags.get(ASSET_PARTITION_RANGE_START_TAG) and tags.get(ASSET_PARTITION_RANGE_END_TAG):
        return (
            dt.date.fromisoformat(tags[ASSET_PARTITION_RANGE_START_TAG]),
            dt.date.fromisoformat(tags[ASSET_PARTITION_RANGE_END_TAG]),
        )
    day = default or yesterday()
    return day, day
