"""Resources of the daily job: dbt, and the run lock held for a whole run."""

import contextlib
from collections.abc import Iterator

from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource
from pydantic import Field

from orchestration.runtime import config, run_lock
from orchestration.runtime import dbt as dbt_cli
from orchestration.runtime.internals import LeadscoreDbtCliResource

# Op tags of the steps that gate publishing and come first among the steps ready to run:
# the blocking key check on raw events and the dbt build (Dagster runs ready steps by
# descending dagster/priority, default 0). The warning checks on raw events, ready at the
# same time, then run after the build, when Great Expectations has been loaded in the
# background (see defs/checks/gx.py).
RUN_FIRST = {"dagster/priority": "1"}


class RunLockResource(ConfigurableResource):
    """The exclusive lock on $LEADSCORE_HOME/.run.lock (see orchestration/runtime/run_lock.py).

    Initialised once per run by the in-process executor, so it is held from the first
    step to the last; writing assets take it again (re-entrant), which also protects them
    should the job ever run under a multi-process executor.
    """

    timeout_seconds: float | None = Field(
        default=None,
        description="How long a second run waits for the lock before refusing "
        "(default $LEADSCORE_LOCK_TIMEOUT or 600).",
    )

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["RunLockResource"]:
        run_id = context.run.run_id if context.run else "?"
        with run_lock.hold(what=f"dagster run {run_id}", timeout=self.timeout_seconds):
            yield self

    @contextlib.contextmanager
    def held(self, what: str) -> Iterator[None]:
        with run_lock.hold(what=what, timeout=self.timeout_seconds):
            yield


def dbt_resource() -> DbtCliResource:
    """dbt for the job. profiles_dir is resolved per run (see runtime_dbt) because
    $LEADSCORE_HOME, where the copy of profiles.example.yml lives, may change between
    loading the definitions and running them."""
    return LeadscoreDbtCliResource(
        project_dir=str(config.PROJECT_DIR), dbt_executable=dbt_cli.dbt_executable()
    )


def runtime_dbt(dbt: DbtCliResource) -> DbtCliResource:
    """The dbt resource with the profiles folder of the current $LEADSCORE_HOME."""
    if dbt.profiles_dir:
        return dbt
    return LeadscoreDbtCliResource(
        project_dir=dbt.project_dir,
        profiles_dir=str(dbt_cli.profiles_dir()),
        dbt_executable=dbt.dbt_executable,
    )


def resources() -> dict:
    return {"dbt": dbt_resource(), "run_lock": RunLockResource()}
