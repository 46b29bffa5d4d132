"""A warehouse built from the synthetic landing files (calibrate_landing), shared by the
calibrate tests of a module, and helpers to run calibrate and read its output."""

from __future__ import annotations

from pathlib import Path

import pytest
from calibrate_landing import land
from support import run_cli


def _build_home(home: Path, **land_args) -> dict:
    home.mkdir(parents=True, exist_ok=True)
    truth = land(home, **land_args)
    run_cli("ingest")
    run_cli("build")
    return truth


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(home, truth): the synthetic leads ingested and built by the shipped rules. Shared:
    a test that writes the warehouse works on a copy (calibrate_landing.copy_home)."""
    home = tmp_path_factory.mktemp("calibrate") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        mp.delenv("LEADSCORE_DUCKDB_PATH", raising=False)
        mp.delenv("DBT_PROFILES_DIR", raising=False)
        mp.delenv("DAGSTER_HOME", raising=False)
        truth = _build_home(home)
        yield home, truth
