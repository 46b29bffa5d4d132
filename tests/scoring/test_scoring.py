"""The scoring core end to end: landing files -> ingest -> dbt build -> marts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from support import PROJECT_DIR, query, run_cli

SCORE_DATE = "2026-03-10"


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _land_worked_example(home: Path) -> None:
    landing = home / "landing"
    contacts = [
        # no profile attributes at all: fit 0
        {"contact_id": "ex1", "created_at": "2026-02-01T09:00:00Z", "updated_at": "2026-02-01T09:00:00Z"},
        {"contact_id": "ex2", "created_at": "2026-02-01T09:00:00Z", "updated_at": "2026-02-01T09:00:00Z"},
        # a VP on the score date, promoted out of the segment's interest only after it
        {
            "contact_id": "asof",
            "seniority": "manager",
            "created_at": "2026-02-01T09:00:00Z",
            "updated_at": "2026-02-01T09:00:00Z",
        },
        {
            "contact_id": "asof",
            "seniority": "c_level",
            "created_at": "2026-02-01T09:00:00Z",
            "updated_at": "2026-03-11T00:00:00Z",
        },
    ]
    _write_jsonl(landing / "contacts" / "contacts.jsonl", contacts)
    events = [
        ("b1", "ex1", "page_view", {"url": "/blog/what-is-lead-scoring"}, "2026-03-01T10:00:00Z"),
        ("b2", "ex1", "page_view", {"url": "/blog/mql-vs-sql"}, "2026-03-02T10:00:00Z"),
        ("b3", "ex1", "page_view", {"url": "/blog/decay"}, "2026-03-03T10:00:00Z"),
        ("g1", "ex1", "content_download", {"content_type": "guide"}, "2026-03-04T10:00:00Z"),
        ("o1", "ex1", "email_open", {}, "2026-03-05T10:00:00Z"),
        ("w1", "ex1", "webinar_registration", {}, "2026-03-06T10:00:00Z"),
        ("n1", "ex2", "newsletter_subscribe", {}, "2026-03-06T10:00:00Z"),
        ("q1", "ex2", "quote_request", {}, "2026-03-07T10:00:00Z"),
        # the last second of the score date counts; the first of the next day does not
        ("edge_in", "asof", "email_open", {}, "2026-03-10T23:59:59Z"),
        ("edge_out", "asof", "quote_request", {}, "2026-03-11T00:00:00Z"),
    ]
    _write_jsonl(
        landing / "events" / "events.jsonl",
        [
            {"event_id": e, "contact_id": c, "event_type": t, "properties": p, "occurred_at": at}
            for e, c, t, p, at in events
        ],
    )


def test_worked_example_scores_exactly_as_written(home):
    _land_worked_example(home)
    run_cli("ingest")
    run_cli("build", "--date", SCORE_DATE)
    db = home / "warehouse.duckdb"

    scores = {
        row[0]: row[1:]
        for row in query(
            db,
            "select contact_id, fit_score, engagement_score, total_score, band, is_mql, score_date "
            "from marts.lead_scores where model_id = 'core' order by contact_id",
        )
    }
    assert scores["ex1"][:5] == (Decimal("0"), Decimal("50"), Decimal("50"), "hot", True)
    assert str(scores["ex1"][5]) == SCORE_DATE
    assert scores["ex2"][:5] == (Decimal("0"), Decimal("35"), Decimal("35"), "warm", False)
    # as of the score date: manager (+3 fit), one email open (+5); the later promotion
    # and the quote request of the next day are not seen
    assert scores["asof"][:4] == (Decimal("3"), Decimal("5"), Decimal("8"), "cold")

    why = query(
        db,
        "select rule_id, points, occurrences from marts.score_contributions "
        "where contact_id = 'ex1' and model_id = 'core' and is_active_version order by rule_id",
    )
    assert why == [
        ("blog_post", Decimal("15"), 3),
        ("email_open", Decimal("5"), 1),
        ("guide_download", Decimal("10"), 1),
        ("webinar_registration", Decimal("20"), 1),
    ]
    # no PII column in any mart
    columns = {
        r[0]
        for r in query(db, "select column_name from information_schema.columns where table_schema = 'marts'")
    }
    assert not columns & {"email", "first_name", "last_name", "phone"}


def _copy_project(dst: Path) -> Path:
    dst.mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.example.yml"):
        shutil.copy(PROJECT_DIR / name, dst / name)
    for name in ("models", "seeds", "macros"):
        shutil.copytree(PROJECT_DIR / name, dst / name)
    shutil.copytree(PROJECT_DIR / "tests" / "dbt", dst / "tests" / "dbt")
    return dst


def test_editing_a_shipped_rule_is_caught_by_the_unit_tests(home, tmp_path):
    from orchestration.ingest.loader import ensure_raw_schema
    from orchestration.runtime import config

    con = config.connect(home / "warehouse.duckdb")
    ensure_raw_schema(con)
    con.close()
    project = _copy_project(tmp_path / "project")
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    shutil.copy(project / "profiles.example.yml", profiles / "profiles.yml")
    dbt = str(Path(sys.executable).parent / "dbt")
    common = [
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(profiles),
        "--vars",
        json.dumps({"score_date": SCORE_DATE}),
    ]
    # the analytics engineer's warehouse is built before the edit
    first = subprocess.run([dbt, "build", *common], cwd=project, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stdout[-3000:]

    seed = project / "seeds" / "engagement_rules.csv"
    text = seed.read_text()
    edited = text.replace(
        "core,1,blog_post,Blog post read,page_view,url,starts_with,/blog/,5,",
        "core,1,blog_post,Blog post read,page_view,url,starts_with,/blog/,7,",
    )
    assert edited != text
    seed.write_text(edited)

    proc = subprocess.run(
        [dbt, "build", *common, "--select", "engagement_rules+"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert "FAIL 1 int_event_rule_matches::shipped_rules_score_the_worked_example" in proc.stdout
