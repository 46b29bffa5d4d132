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
    # lead_scores: core's active version 1 still; the new model's only version is active
    assert active == [("core", 1), ("courses", 1)]
