"""The candidate in the warehouse: calibrate appends it to a copy of the project's seeds
(every existing byte kept), dbt builds it (seed tests included) beside the active version,
and the score dbt computes for each lead on its as-of day equals the score calibrate
computed in Python: two independent witnesses of the same rules."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest
from calibrate_landing import OUTCOME_DAYS, TRAIN_UNTIL, copy_home
from support import PROJECT_DIR

from orchestration.calibrate.options import Options
from orchestration.calibrate.run import calibrate
from orchestration.runtime import config
from orchestration.runtime.dbt import run_dbt


def _copy_project(to):
    """The dbt project (models, macros, seeds, its tests) in a folder of its own."""
    for name in ("dbt_project.yml", "profiles.example.yml"):
        shutil.copyfile(PROJECT_DIR / name, to / name)
    for folder in ("models", "macros", "seeds", "tests/dbt"):
        shutil.copytree(PROJECT_DIR / folder, to / folder)
    return to


@pytest.fixture(scope="module")
def candidate_built(built, tmp_path_factory):
    home = copy_home(built[0], tmp_path_factory.mktemp("candidate") / "home")
    project = _copy_project(tmp_path_factory.mktemp("project"))
    before = {p.name: p.read_bytes() for p in (project / "seeds").glob("*.csv")}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        mp.setattr(config, "PROJECT_DIR", project)
        core = calibrate(Options("core", TRAIN_UNTIL, outcome_days=OUTCOME_DAYS, bootstrap=10))
        courses = calibrate(Options("courses", TRAIN_UNTIL, outcome_days=OUTCOME_DAYS, bootstrap=10))
        assert run_dbt("build", quiet=True) == 0  # seeds, their tests, models, unit tests
    return home, project, before, core, courses


def test_append_keeps_every_other_byte(candidate_built):
    _, project, before, core, courses = candidate_built
    assert {p.name for p in core.seed_files} >= {"scoring_models.csv", "score_bands.csv", "score_grades.csv"}
    for path in (project / "seeds").glob("*.csv"):
        old, new = before[path.name], path.read_bytes()
        assert new.startswith(old), path.name
        added = new[len(old) :].decode().splitlines()
        for line in added:
            assert line.startswith(("core,3,", "courses,1,")), (path.name, line)
        # nothing is appended to the per-event and inactivity seeds
        if path.name in ("engagement_rules.csv", "inactivity_rules.csv", "email_domain_lists.csv"):
            assert new == old
    assert core.report["seeds"]["folder"] == str(project / "seeds")


def _history(db, model_id, version, leads: pd.DataFrame) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.register("leads", leads[["contact_id", "as_of", "score"]])
        return con.execute(
            """
            select leads.contact_id, leads.as_of, leads.score, h.total_score, h.is_in_segment
            from leads
            left join marts.lead_score_history as h
                on h.contact_id = leads.contact_id and h.model_id = ? and h.model_version = ?
                and h.valid_from <= leads.as_of and (h.valid_to is null or h.valid_to > leads.as_of)
            """,
            [model_id, version],
        ).df()
    finally:
        con.close()


@pytest.mark.parametrize("which", ["core", "courses"])
def test_dbt_scores_the_candidate_as_calibrate_did(candidate_built, which):
    home, _, _, core, courses = candidate_built
    outcome = {"core": core, "courses": courses}[which]
    version = outcome.report["model_version"]
    rows = _history(home / "warehouse.duckdb", which, version, outcome.leads)
    assert len(rows) == len(outcome.leads) > 500
    assert rows["is_in_segment"].all()
    assert (rows["total_score"].astype(float) == rows["score"]).all(), rows[
        rows["total_score"].astype(float) != rows["score"]
    ].head()
    # the scores differ between leads: the comparison is not between constants
    assert rows["score"].nunique() > 5


def test_candidate_sits_beside_the_active_version(candidate_built):
    home, *_ = candidate_built
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        versions = con.execute(
            "select model_version, bool_and(is_active_version), count(distinct contact_id) "
            "from marts.lead_score_history where model_id = 'core' group by 1 order by 1"
        ).fetchall()
        active = con.execute(
            "select model_id, model_version from marts.lead_scores where model_id in ('core', 'courses') "
            "group by all order by all"
        ).fetchall()
    finally:
        con.close()
    by_version = {v: (is_active, n) for v, is_active, n in versions}
    assert by_version[1][0] is True and by_version[3][0] is False
    assert by_version[3][1] == by_version[1][1] > 900  # the same leads, scored by both
    # lead_scores: core's active version 1 still; the new model, with no active version,
    # is scored in the history only (test_dbt_scores_the_candidate_as_calibrate_did)
    assert active == [("core", 1)]


AWKWARD = 'Banking, Investment And "Insurance" — Spé'


def test_awkward_values_survive_the_seed_files(tmp_path, monkeypatch):
    """Values with commas, quotes and unicode are written as CSV quotes them and read back
    by dbt exactly; the rows pass the seeds' tests."""
    from orchestration.calibrate import seeds

    (tmp_path / "project").mkdir()
    project = _copy_project(tmp_path / "project")
    monkeypatch.setenv("LEADSCORE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(config, "PROJECT_DIR", project)
    ids = {"model_id": "awk", "model_version": 1}
    rows = {name: [] for name in seeds.HEADERS}
    rows["scoring_models"] = [
        {**ids, "is_active": True, "label": "awk", "description": "a, b", "mql_threshold": 5,
         "min_score": -3, "max_score": 12, "decay_method": "none", "decay_full_days": 0,
         "decay_window_days": 365}
    ]  # fmt: skip
    rows["fit_rules"] = [
        {**ids, "rule_id": "spec", "description": f"Specialization = {AWKWARD}",
         "field": 'contact.attributes.Spé, "x"', "operator": "equals", "value": AWKWARD, "points": 7,
         "component": "fit"},
        {**ids, "rule_id": "visits_from_2_5", "description": "visits", "field": "contact.attributes.v",
         "operator": "at_least", "value": "2.5", "points": -3, "component": "negative"},
    ]  # fmt: skip
    rows["aggregate_rules"] = [
        {**ids, "rule_id": "secs", "description": "seconds, total", "measure": "sum",
         "event_type": "page_view", "property": "utm.source", "operator": "in", "value": 'a|b,"c"',
         "sum_property": "seconds",
         "window_days": 90, "min_value": lo, "max_value": hi, "points": p, "component": "engagement"}
        for lo, hi, p in (("1", "41.5", 2), ("41.5", None, 5))
    ]  # fmt: skip
    rows["score_bands"] = [{**ids, "band": b, "band_rank": i + 1, "min_score": m} for i, (b, m) in
                           enumerate((("cold", -3), ("hot", 5)))]  # fmt: skip
    rows["score_grades"] = [
        {**ids, "dimension": d, "grade": g, "grade_rank": i + 1, "min_points": m}
        for d in ("fit", "engagement")
        for i, (g, m) in enumerate((("A", 5), ("B", -3)))
    ]
    seeds.write(rows, project / "seeds", "awk", 1, append=True)
    assert (
        run_dbt("build", "--select", "resource_type:seed", "--indirect-selection", "cautious", quiet=True)
        == 0
    )
    con = duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True)
    try:
        fit = con.execute("select field, value from rules.fit_rules where rule_id = 'spec'").fetchall()
        agg = con.execute(
            "select property, value, min_value, max_value from rules.aggregate_rules where model_id = 'awk' "
            "order by min_value"
        ).fetchall()
    finally:
        con.close()
    assert fit == [('contact.attributes.Spé, "x"', AWKWARD)]
    assert agg == [("utm.source", 'a|b,"c"', 1.0, 41.5), ("utm.source", 'a|b,"c"', 41.5, None)]
