"""The Dagster entry point: `dagster dev -m orchestration.definitions`.

landing files -> raw/<entity> (ingest) -> dbt seeds and models (staging, intermediate,
marts) -> serving/leadscore (publish), all daily-partitioned; dbt tests, Great Expectations
suites and freshness checks as asset checks; one job, a 06:00 UTC schedule and a sensor on
new landing files.
"""

from __future__ import annotations

from dagster import Definitions

from .assets_dbt import dbt_build
from .assets_raw import raw_ingest
from .assets_serving import serving_copy
from .checks_freshness import FRESHNESS_CHECKS
from .checks_gx import GX_CHECKS
from .jobs import daily_scoring
from .resources import resources
from .schedules import daily_scoring_schedule
from .sensors import freshness_checks_sensor, landing_files_sensor

defs = Definitions(
    assets=[raw_ingest, dbt_build, serving_copy],
    asset_checks=[*GX_CHECKS, *FRESHNESS_CHECKS],
    jobs=[daily_scoring],
    schedules=[daily_scoring_schedule],
    sensors=[landing_files_sensor, freshness_checks_sensor],
    resources=resources(),
)
