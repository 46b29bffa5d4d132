"""The Dagster entry point: `dagster dev -m orchestration.definitions`.

landing files -> raw/<entity> (ingest) -> dbt seeds and models (staging, intermediate,
marts) -> serving/leadscore (publish), all daily-partitioned; dbt tests, Great Expectations
suites, freshness checks and the landing-entries check as asset checks; one job, a 06:00
UTC schedule and a sensor on new landing files.
"""

from __future__ import annotations

from dagster import Definitions

from orchestration.defs.assets.dbt import dbt_build
from orchestration.defs.assets.raw import raw_ingest
from orchestration.defs.assets.serving import serving_copy
from orchestration.defs.checks.freshness import FRESHNESS_CHECKS
from orchestration.defs.checks.gx import GX_CHECKS
from orchestration.defs.checks.landing import LANDING_CHECKS
from orchestration.defs.jobs import daily_scoring
from orchestration.defs.resources import resources
from orchestration.defs.schedules import daily_scoring_schedule
from orchestration.defs.sensors import freshness_checks_sensor, landing_files_sensor
from orchestration.runtime import config

# dagster dev, the daemon and every run process load this module: what they write under
# $LEADSCORE_HOME (the warehouse, Dagster's storage, dbt's logs) is owner-only too.
config.restrict_new_files()

defs = Definitions(
    assets=[raw_ingest, dbt_build, serving_copy],
    asset_checks=[*GX_CHECKS, *FRESHNESS_CHECKS, *LANDING_CHECKS],
    jobs=[daily_scoring],
    schedules=[daily_scoring_schedule],
    sensors=[landing_files_sensor, freshness_checks_sensor],
    resources=resources(),
)
