"""Sales feedback acts on the score (seed disposition_rules), end to end: landing files with
lead dispositions -> ingest -> dbt build -> lead_score_history, lead_scores and
score_contributions under the shipped `core` version 1."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from support import PROJECT_DIR, query, run_cli

from orchestration.runtime.dbt import dbt_env, profiles_dir

SCORE_DATE = "2026-03-10"


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _land(home: Path) -> None:
    landing = home / "landing"
    created = {"created_at": "2026-02-01T09:00:00Z", "updated_at": "2026-02-01T09:00:00Z", "country": "US"}
    _write_jsonl(
        landing / "contacts" / "contacts.jsonl",
        [
            {"contact_id": "rec", "seniority": "manager", **created},  # fit 3 + 2
            {"contact_id": "rej", "seniority": "c_level", **created},  # fit 10 + 2
            {"contact_id": "rej_now", "seniority": "c_level", **created},
            {"contact_id": "acc", "seniority": "c_level", **created},
            {"contact_id": "late", "seniority": "manager", **created},
        ],
    )
    events = [
        ("r1", "rec", "page_view", {"url": "/blog/lead-scoring"}, "2026-03-01T10:00:00Z"),  # +5
        ("r2", "rec", "email_open", {}, "2026-03-02T10:00:00Z"),  # +5
        ("r3", "rec", "webinar_registration", {}, "2026-03-03T10:00:00Z"),  # +20
        ("r4", "rec", "email_unsubscribe", {}, "2026-03-03T11:00:00Z"),  # -20, negative
        ("r5", "rec", "email_click", {}, "2026-03-08T10:00:00Z"),  # +10, after the recycle
        ("j1", "rej", "quote_request", {}, "2026-03-01T10:00:00Z"),
        ("n1", "rej_now", "quote_request", {}, "2026-03-01T10:00:00Z"),
        ("a1", "acc", "quote_request", {}, "2026-03-01T10:00:00Z"),
        ("l1", "late", "page_view", {"url": "/blog/decay"}, "2026-02-20T10:00:00Z"),  # +5
        ("l2", "late", "webinar_registration", {}, "2026-02-25T10:00:00Z"),  # +20
    ]
    _write_jsonl(
        landing / "events" / "events.jsonl",
        [
            {"event_id": e, "contact_id": c, "event_type": t, "properties": p, "occurred_at": at}
            for e, c, t, p, at in events
        ],
    )
    dispositions = [
        ("rec", "recycled", "not_ready", "2026-03-06T15:00:00Z"),
        ("rej", "rejected", "not_a_fit", "2026-03-04T15:00:00Z"),
        ("rej", "accepted", None, "2026-03-07T15:00:00Z"),
        # staging reads dispositions and reasons in lower case
        ("rej_now", "Rejected", "Not_A_Fit", "2026-03-04T15:00:00Z"),
        ("acc", "accepted", None, "2026-03-04T15:00:00Z"),
    ]
    _write_jsonl(
        landing / "lead_dispositions" / "lead_dispositions.jsonl",
        [{"contact_id": c, "disposition": d, "reason": r, "decided_at": at} for c, d, r, at in dispositions],
    )


def _history(db: Path, contact: str) -> dict[str, tuple]:
    """valid_from -> (fit, engagement, negative, total) under core version 1."""
    rows = query(
        db,
        "select valid_from, fit_score, engagement_score, negative_score, total_score "
        "from marts.lead_score_history where contact_id = ? and model_id = 'core' and model_version = 1 "
        "order by valid_from",
        [contact],
    )
    return {str(r[0]): tuple(r[1:]) for r in rows}


def test_dispositions_change_the_score_history_on_their_day(home):
    _land(home)
    run_cli("ingest")
    run_cli("build", "--date", SCORE_DATE)
    db = home / "warehouse.duckdb"

    # recycled on 03-06: the 30 engagement points of the events before drop to 0 that day,
    # the unsubscribe's -20 stays, and the click of 03-08 counts
    rec = _history(db, "rec")
    assert rec["2026-03-03"] == (Decimal(5), Decimal(30), Decimal(-20), Decimal(15))
    assert rec["2026-03-06"] == (Decimal(5), Decimal(0), Decimal(-20), Decimal(0))
    assert rec["2026-03-08"] == (Decimal(5), Decimal(10), Decimal(-20), Decimal(0))

    # rejected as not a fit on 03-04: -30 fit points (an MQL at 42 falls to 12), until the
    # acceptance of 03-07 takes them away
    rej = _history(db, "rej")
    assert rej["2026-03-01"] == (Decimal(12), Decimal(30), Decimal(0), Decimal(42))
    assert rej["2026-03-04"] == (Decimal(-18), Decimal(30), Decimal(0), Decimal(12))
    assert rej["2026-03-07"] == (Decimal(12), Decimal(30), Decimal(0), Decimal(42))

    # accepted: no change, so no new interval on its day
    acc = _history(db, "acc")
    assert "2026-03-04" not in acc
    assert acc["2026-03-01"] == rej["2026-03-01"]

    # the adjustment in force shows as a contribution of its own, and contributions add up
    why = query(
        db,
        "select contact_id, rule_id, rule_kind, component, points, evidence from marts.score_contributions "
        "where model_id = 'core' and model_version = 1 and rule_kind = 'disposition' order by contact_id",
    )
    assert why == [
        (
            "rej_now",
            "rejected_not_a_fit",
            "disposition",
            "fit",
            Decimal(-30),
            "rejected not_a_fit on 2026-03-04",
        )
    ]
    totals = query(
        db,
        "select s.contact_id, s.fit_score, s.engagement_score, s.total_score, sum(c.points) "
        "from marts.lead_scores as s inner join marts.score_contributions as c "
        "on s.contact_id = c.contact_id and s.model_id = c.model_id and c.is_active_version "
        "where s.model_id = 'core' group by all order by s.contact_id",
    )
    assert totals == [
        ("acc", Decimal(12), Decimal(30), Decimal(42), Decimal(42)),
        ("late", Decimal(5), Decimal(25), Decimal(30), Decimal(30)),
        ("rec", Decimal(5), Decimal(10), Decimal(0), Decimal(0)),
        ("rej", Decimal(12), Decimal(30), Decimal(42), Decimal(42)),
        ("rej_now", Decimal(-18), Decimal(30), Decimal(12), Decimal(12)),
    ]


def _dbt_run_day(day: str) -> None:
    """The daily run's dbt step for `day`, incremental: it recomputes from day - 7 on."""
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "run",
            "--exclude",
            "resource_type:seed",
            "--vars",
            json.dumps({"score_date": day, "history_start": day}),
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(profiles_dir()),
        ],
        cwd=PROJECT_DIR,
        env=dbt_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_a_late_disposition_acts_from_the_first_day_its_run_recomputes(home):
    _land(home)
    run_cli("ingest")
    run_cli("build", "--date", SCORE_DATE)
    db = home / "warehouse.duckdb"
    before = _history(db, "late")
    assert before["2026-02-25"] == (Decimal(5), Decimal(25), Decimal(0), Decimal(30))

    # a recycle decided on 02-27 lands only now: the run of 03-11 recomputes from 03-04,
    # so the reset acts from 03-04; the days already stored are not rewritten
    _write_jsonl(
        home / "landing" / "lead_dispositions" / "late.jsonl",
        [
            {
                "contact_id": "late",
                "disposition": "recycled",
                "reason": None,
                "decided_at": "2026-02-27T09:00:00Z",
            }
        ],
    )
    run_cli("ingest")
    _dbt_run_day("2026-03-11")
    after = _history(db, "late")
    assert after["2026-02-25"] == before["2026-02-25"]
    assert "2026-02-27" not in after
    assert after["2026-03-04"] == (Decimal(5), Decimal(0), Decimal(0), Decimal(5))
    scores = query(
        db,
        "select engagement_score from marts.lead_scores where contact_id = 'late' and model_id = 'core'",
    )
    assert scores == [(Decimal(0),)]

    # a full rebuild dates it on its own day
    run_cli("build", "--date", "2026-03-11", "--full-refresh")
    rebuilt = _history(db, "late")
    assert rebuilt["2026-02-27"] == (Decimal(5), Decimal(0), Decimal(0), Decimal(5))
