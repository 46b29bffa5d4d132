"""Awkward keys in `attributes` and `properties` never stop the daily run (issue 16).

One real `leadscore run` (Dagster, dbt, the checks, the publish) of a copy of the project
whose rule seeds name awkward but valid keys, over a small home: a contact whose
attributes hold a quote, a dot, `$`, brackets and unicode in their keys (loaded); two
contacts whose attributes cannot be scored unambiguously (a repeated key, an empty key:
quarantined at ingest); and a contact and an event with both, written straight into raw
as a warehouse of an older version holds them. The run succeeds, publishes, the good lead
is scored, and the rules naming the awkward keys match.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from support import PROJECT_DIR, query
from support.bad_input import contacts_csv, ct, evo, jsonl_bytes
from support.reliability import cli_env, figures

DAY = "2024-03-10"
QUOTE_KEY = 'plan "pro"'
AWKWARD = {QUOTE_KEY: "yes", "a.b": "dot", "$": 1, "[0]": 2, "größe": "groß"}


def _append_csv(path: Path, row: dict) -> None:
    with open(path, newline="") as f:
        header = next(csv.reader(f))
    with open(path, "a", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow([row.get(c, "") for c in header])


def _project_copy(dest: Path) -> Path:
    """The project (package included, so `python -m orchestration.cli` runs this copy)
    with two rules naming awkward keys."""
    dest.mkdir()
    for name in ("dbt_project.yml", "profiles.example.yml", "orchestration", "macros", "models", "seeds"):
        src = PROJECT_DIR / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(src, dest / name)
    shutil.copytree(PROJECT_DIR / "tests" / "dbt", dest / "tests" / "dbt")
    _append_csv(
        dest / "seeds" / "fit_rules.csv",
        {
            "model_id": "core",
            "model_version": "1",
            "rule_id": "awkward_quote_key",
            "description": "An attribute whose key holds double quotes",
            "field": f"contact.attributes.{QUOTE_KEY}",
            "operator": "equals",
            "value": "yes",
            "points": "3",
            "component": "fit",
        },
    )
    _append_csv(
        dest / "seeds" / "engagement_rules.csv",
        {
            "model_id": "core",
            "model_version": "1",
            "rule_id": "awkward_dot_property",
            "description": "A form sent from an ad: the property key holds a dot",
            "event_type": "form_submit",
            "property": "utm.source",
            "operator": "equals",
            "value": "ads",
            "points": "4",
            "buying_stage": "evaluation",
            "component": "engagement",
            "cap_window_days": "30",
        },
    )
    return dest


def _cli(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = cli_env(home)
    env["PYTHONPATH"] = str(project)
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_awkward_keys_are_scored_or_quarantined_and_the_run_publishes(tmp_path, capsys):
    project = _project_copy(tmp_path / "project")
    home = tmp_path / "home"
    landing = home / "landing"
    (landing / "contacts").mkdir(parents=True)
    (landing / "events").mkdir(parents=True)
    (landing / "contacts" / "day1.csv").write_bytes(
        contacts_csv(
            ct("k_awk", attributes=json.dumps(AWKWARD)),
            ct("k_dup", attributes='{"tier": "smb", "tier": "enterprise"}'),
            ct("k_empty", attributes='{"": "x"}'),
            ct("k_good", attributes='{"tier": "smb"}'),
        )
    )
    (landing / "events" / "day1.jsonl").write_bytes(
        jsonl_bytes(
            evo("ev_awk", contact="k_awk", etype="form_submit", properties={"utm.source": "ads", "$": 1}),
            evo("ev_good", contact="k_good", etype="page_view", properties={"url": "/blog/a"}),
            {
                **evo("ev_dup", contact="k_good", etype="form_submit"),
                "properties": {"utm.source": "ads", "": 1},
            },
        )
    )
    ingested = _cli(project, home, "ingest")
    assert ingested.returncode == 0, ingested.stdout[-3000:] + ingested.stderr[-3000:]
    wh = home / "warehouse.duckdb"
    assert query(wh, "select reason_code, count(*) from raw.quarantine group by 1 order by 1") == [
        ("json_bad_key", 2),
        ("json_duplicate_key", 1),
    ]
    # A warehouse of an older version holds rows that ingestion now quarantines.
    con = duckdb.connect(str(wh))
    try:
        con.execute(
            "insert into raw.contacts select * replace ('k_stale' as contact_id, "
            """'{"tier":"smb","tier":"enterprise","":1,"plan \\"pro\\"":"yes","plan \\"pro\\"":"no"}' """
            "as attributes) from raw.contacts where contact_id = 'k_good'"
        )
        con.execute(
            "insert into raw.events select * replace ('ev_stale' as event_id, 'k_stale' as contact_id, "
            """'{"utm.source":"ads","utm.source":"other","":2}' as properties) """
            "from raw.events where event_id = 'ev_awk'"
        )
    finally:
        con.close()

    run = _cli(project, home, "run", "--date", DAY)
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-5000:]

    serving = home / "serving" / "leadscore.duckdb"
    scored = dict(
        query(serving, "select contact_id, total_score from lead_scores where model_id = 'core' order by 1")
    )
    assert set(scored) == {"k_awk", "k_good", "k_stale"}, scored
    assert scored["k_good"] > 0
    points = dict(
        query(
            wh,
            "select contact_id || ':' || rule_id, points from marts.score_contributions "
            "where model_id = 'core' and rule_id like 'awkward_%'",
        )
    )
    # the rules naming a key with quotes and a key with a dot match it, and only it; a
    # stale object's repeated key is read as its first value (yes, ads), on every engine
    assert points == {
        "k_awk:awkward_quote_key": 3,
        "k_awk:awkward_dot_property": 4,
        "k_stale:awkward_quote_key": 3,
        "k_stale:awkward_dot_property": 4,
    }, points
    fields = {
        f
        for (f,) in query(
            wh,
            "select distinct field from intermediate.int_contact_fields_unpivoted "
            "where contact_id in ('k_awk', 'k_stale') and field like '%attributes%'",
        )
    }
    assert fields == {f"contact.attributes.{k}" for k in AWKWARD} | {
        "contact.attributes.tier",
        "contact.attributes.",
    }, fields
    figures(
        capsys,
        "awkward JSON keys: 3 quarantined at ingest, 2 stale rows in raw; `leadscore run` "
        f"exit 0, published {len(scored)} core scores; rules on a quoted and a dotted key matched",
    )
