"""A small demo home shared by the serving tests that only read what a demo run left:
`leadscore explain` on its serving copy, the report it wrote opened in a browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import run_cli


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """The home of `leadscore demo --contacts 200 --days 60` (generate, backfill, run the last
    day, publish the serving copy, write the report). Read it, never write it."""
    home = tmp_path_factory.mktemp("demo") / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        for var in ("LEADSCORE_DUCKDB_PATH", "DBT_PROFILES_DIR", "DAGSTER_HOME"):
            mp.delenv(var, raising=False)
        run_cli("demo", "--contacts", "200", "--days", "60", timeout=1500)
    return home
