"""The leakage guard: what happens to a lead after its as-of day (the day before its first
deal, or its comparable age) never reaches its features. A second delivery adds, after
every lead's as-of day, long page views and a profile change that would look like a
strong signal; calibrating again gives the same features, the same points, the same
report figures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from calibrate_landing import OUTCOME_DAYS, TRAIN_UNTIL, land, land_after_as_of
from support import query, run_cli

from orchestration.calibrate import extract
from orchestration.calibrate.extract import Source
from orchestration.calibrate.options import Options
from orchestration.calibrate.run import calibrate
from orchestration.calibrate.warehouse import attached


def _calibrate(out):
    return calibrate(Options("core", TRAIN_UNTIL, outcome_days=OUTCOME_DAYS, out=out, bootstrap=10))


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory):
    home = tmp_path_factory.mktemp("leakage") / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        mp.delenv("LEADSCORE_DUCKDB_PATH", raising=False)
        mp.delenv("DBT_PROFILES_DIR", raising=False)
        land(home)
        run_cli("ingest")
        run_cli("build")
        before = _calibrate(home / "before")
        leads = before.leads
        late = land_after_as_of(
            home, list(zip(leads["contact_id"], leads["created_date"], leads["as_of"], strict=True))
        )
        run_cli("ingest")
        run_cli("build")
        after = _calibrate(home / "after")
    return home, before, after, late


def test_the_late_delivery_landed_and_would_change_a_score(before_and_after):
    home, before, _, late = before_and_after
    db = home / "warehouse.duckdb"
    assert late > 1000
    assert (
        query(db, "select count(*) from staging.stg_raw__events where properties like '%/apply%'")[0][0]
        == late
    )
    # the profile change is in the warehouse, after the as-of days
    changed = query(
        db,
        "select count(distinct contact_id) from intermediate.int_contact_profiles_versioned "
        "where valid_from > cast(created_at as date)",
    )[0][0]
    assert changed > 500
    # one day later than the as-of day, the same measures and fields differ: only the
    # as-of day keeps them out
    leads = before.leads
    shifted = leads.assign(as_of=leads["as_of"] + dt.timedelta(days=1))
    seconds = Source("sum", "page_view", sum_property="seconds")
    with attached(db) as con:
        values = {}
        for name, frame in (("as_of", leads), ("day_after", shifted)):
            extract.load_leads(con, frame)
            extract.load_events(con, OUTCOME_DAYS)
            values[name] = extract.measures(con, [seconds], len(frame))[:, 0]
            origin = extract.fields(con)
            values[name + "_origin"] = set(
                origin.loc[
                    origin["field"] == "contact.attributes.Lead Origin", ["lead_idx", "value_text"]
                ].itertuples(index=False, name=None)
            )
    assert (values["day_after"] - values["as_of"] >= 15000).mean() > 0.9
    assert values["as_of_origin"] != values["day_after_origin"]


def test_features_points_and_figures_are_unchanged(before_and_after):
    _, before, after, _ = before_and_after
    pd.testing.assert_frame_equal(
        before.leads[["contact_id", "as_of", "label", "is_train"]],
        after.leads[["contact_id", "as_of", "label", "is_train"]],
    )
    assert [f.key for f in before.features] == [f.key for f in after.features]
    assert [f.cuts for f in before.features] == [f.cuts for f in after.features]
    assert (before.matrix != after.matrix).nnz == 0
    assert before.report["rules"] == after.report["rules"]
    assert before.report["levels"] == after.report["levels"]
    assert before.report["evaluation"] == after.report["evaluation"]
    assert np.array_equal(before.leads["score"], after.leads["score"])
