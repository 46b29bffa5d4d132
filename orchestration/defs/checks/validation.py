"""Validating a pandas DataFrame against an expectation suite with Great Expectations.

GX 1.x with an ephemeral context and a pandas data source: GX's SQL datasource does not
work on DuckDB, so the checks read their rows from DuckDB into a DataFrame first. GX is
imported on the first validation, through gx_loader, never when this module is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orchestration.defs.checks import gx_loader
from orchestration.defs.checks.suites import Suite

_gx: dict[str, Any] = {}


def _batch_definition():
    """One ephemeral GX context per process, with a pandas data source for DataFrames."""
    if "batch" not in _gx:
        gx = gx_loader.module()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx = gx.get_context(mode="ephemeral")
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        asset = ctx.data_sources.add_pandas("leadscore_duckdb").add_dataframe_asset("frame")
        _gx["batch"] = asset.add_batch_definition_whole_dataframe("whole_frame")
        _gx["gx"] = gx
    return _gx["batch"], _gx["gx"]


@dataclass
class SuiteOutcome:
    suite: str
    success: bool
    rows: int
    failures: list[str] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)


def run_suite(spec: Suite, frame) -> SuiteOutcome:
    """Validate a DataFrame against a suite (its expectations built with `gx.expectations.*`)."""
    batch_definition, gx = _batch_definition()
    suite = gx.ExpectationSuite(name=spec.name)
    for expectation in spec.expectations:
        suite.add_expectation(expectation.build(gx))
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(suite)
    outcome = SuiteOutcome(suite=spec.name, success=bool(result.success), rows=len(frame))
    for r in result.results:
        cfg = r.expectation_config
        kwargs = {k: v for k, v in cfg.kwargs.items() if k not in ("batch_id", "value_set")}
        res = r.result or {}
        detail = {
            "expectation": cfg.type,
            "kwargs": {k: str(v) for k, v in kwargs.items()},
            "success": bool(r.success),
            "unexpected_count": res.get("unexpected_count"),
            "unexpected_percent": res.get("unexpected_percent"),
            "sample": [str(v) for v in (res.get("partial_unexpected_list") or [])[:5]],
        }
        if r.exception_info and r.exception_info.get("raised_exception"):
            detail["error"] = str(r.exception_info.get("exception_message"))[:500]
        outcome.details.append(detail)
        if not r.success:
            outcome.failures.append(
                f"{cfg.type}({', '.join(f'{k}={v}' for k, v in detail['kwargs'].items())}): "
                f"{detail.get('unexpected_count')} unexpected, e.g. {detail['sample']}"
                + (f" [{detail['error']}]" if "error" in detail else "")
            )
    return outcome
