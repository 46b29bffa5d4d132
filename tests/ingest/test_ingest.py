"""Tests of orchestration.ingest.loader: real DuckDB files and real landing files under tmp_path."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.ingest import contract as C
from orchestration.ingest.loader import (
    IngestSummary,
    LandingMissingError,
    WarehouseLockedError,
    ensure_raw_schema,
    ingest,
)
from orchestration.runtime import config

PROJECT = Path(__file__).resolve().parents[2]
TS = "2024-03-10T12:00:00Z"

# --------------------------------------------------------------------------- helpers


@pytest.fixture
def env(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    return landing, tmp_path / "wh.duckdb"


def put(landing: Path, entity: str, name: str, content: str | bytes) -> Path:
    folder = landing / entity
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def put_parquet(landing: Path, entity: str, name: str, table: pa.Table) -> Path:
    folder = landing / entity
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    pq.write_table(table, path)
    return path


def jl(*objs) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs)


def q(wh: Path, sql: str, params=None) -> list[tuple]:
    con = config.connect(wh, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def log(wh: Path) -> dict[str, tuple]:
    rows = q(
        wh,
        "SELECT file, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate, error, note "
        "FROM raw.load_log",
    )
    return {r[0]: r[1:] for r in rows}


def quarantine(wh: Path, file: str | None = None) -> list[tuple]:
    where = "WHERE file = ?" if file else ""
    return q(
        wh,
        f"SELECT file, row_number, reason_code, reason, raw_content FROM raw.quarantine {where} "
        "ORDER BY file, row_number",
        [file] if file else None,
    )


def snapshot(wh: Path, volatile: bool = True) -> dict[str, list]:
    """Every raw table, quarantine and load_log, sorted; volatile=False drops load times."""
    out = {}
    con = config.connect(wh, read_only=True)
    try:
        for table in [f"raw.{e}" for e in C.ENTITIES] + ["raw.quarantine", "raw.load_log"]:
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            if not volatile:
                cols = [
                    c
                    for c in cols
                    if c not in ("_loaded_at", "quarantined_at", "loaded_at", "duration_seconds")
                ]
            sel = ", ".join(f'"{c}"' for c in cols)
            out[table] = sorted(con.execute(f"SELECT {sel} FROM {table}").fetchall(), key=repr)
    finally:
        con.close()
    return out


def events_csv(*rows: str, header: str = "event_id,contact_id,event_type,occurred_at,properties") -> str:
    return header + "\n" + "".join(r + "\n" for r in rows)


# --------------------------------------------------------------------------- types per entity and format

GOOD = {
    "companies": {
        "company_id": "co1",
        "name": "Acme",
        "domain": "acme.com",
        "industry": "software",
        "employee_count": "120",
        "annual_revenue": "1500000.50",
        "country": "DE",
        "attributes": '{"tier": "gold"}',
        "updated_at": "2024-03-10T12:00:00+02:00",
    },
    "contacts": {
        "contact_id": "ct1",
        "email": "a@acme.com",
        "first_name": "Ann",
        "last_name": "Lee",
        "phone": "+49 1",
        "job_title": "CTO",
        "seniority": "c_level",
        "company_id": "unknown_co",
        "country": "DE",
        "lead_source": "referral",
        "attributes": '{"score": 3}',
        "created_at": "2024-03-01",
        "updated_at": "2024-03-10T12:00:00+02:00",
    },
    "events": {
        "event_id": "ev1",
        "contact_id": "ct1",
        "event_type": "a_brand_new_type",
        "occurred_at": "2024-03-10T12:00:00+02:00",
        "properties": '{"url": "/pricing"}',
    },
    "opportunities": {
        "opportunity_id": "op1",
        "contact_id": "ct1",
        "company_id": "co1",
        "created_at": "2024-03-01T00:00:00Z",
        "stage": "closed_won",
        "amount": "2500.5",
        "is_won": "true",
        "closed_at": "2024-03-09 08:00:00",
        "updated_at": "2024-03-10T12:00:00+02:00",
    },
    "lead_dispositions": {
        "contact_id": "ct1",
        "disposition": "rejected",
        "reason": "student",
        "decided_at": "2024-03-10T12:00:00+02:00",
    },
    "marketing_spend": {"spend_date": "2024-03-10", "channel": "paid_ad", "amount": "99.99"},
}

EXPECTED_TYPES = {
    C.TEXT: "VARCHAR",
    C.INTEGER: "BIGINT",
    C.DECIMAL: "DECIMAL(18,2)",
    C.TIMESTAMP: "TIMESTAMP",
    C.DATE: "DATE",
    C.BOOLEAN: "BOOLEAN",
    C.JSON_OBJECT: "VARCHAR",
}


def _variant(entity: str, tag: str) -> dict[str, str]:
    """GOOD row with its natural key made unique per format."""
    row = dict(GOOD[entity])
    for k in C.ENTITIES[entity].key:
        if C.ENTITIES[entity].column(k).kind == C.TEXT:
            row[k] = f"{row[k]}_{tag}"
        elif k == "spend_date":
            row[k] = {"csv": "2024-03-10", "jsonl": "2024-03-11", "parquet": "2024-03-12"}[tag]
    return row


def _csv_line(values) -> str:
    out = []
    for v in values:
        out.append('"' + v.replace('"', '""') + '"' if any(ch in v for ch in ',"\n') else v)
    return ",".join(out)


def test_each_entity_each_format_loads_typed(env):
    landing, wh = env
    for name in C.ENTITIES:
        cols = C.ENTITIES[name].column_names
        r = _variant(name, "csv")
        put(landing, name, "a.csv", ",".join(cols) + "\n" + _csv_line([r[c] for c in cols]) + "\n")
        r = _variant(name, "jsonl")
        obj = {
            c: (json.loads(r[c]) if C.ENTITIES[name].column(c).kind == C.JSON_OBJECT else r[c]) for c in cols
        }
        put(landing, name, "b.jsonl", jl(obj))
        r = _variant(name, "parquet")
        put_parquet(landing, name, "c.parquet", pa.table({c: [r[c]] for c in cols}))
    s = ingest(landing, wh)
    assert s.files_loaded == 18 and s.files_failed == 0 and s.rows_quarantined == 0
    assert all(n == 3 for n in s.rows_loaded_by_entity.values())

    for name, entity in C.ENTITIES.items():
        types = dict(
            q(
                wh,
                f"SELECT column_name, data_type FROM information_schema.columns "
                f"WHERE table_schema = 'raw' AND table_name = '{name}'",
            )
        )
        for c in entity.columns:
            assert types[c.name] == EXPECTED_TYPES[c.kind], (name, c.name)
        assert types["_row_number"] == "BIGINT" and types["_loaded_at"] == "TIMESTAMP"
        assert {"_extra", "_file", "_checksum", "_row_hash"} <= set(types)

    # +02:00 converted to UTC; the three formats give identical typed values.
    rows = q(wh, "SELECT _file, event_type, occurred_at, properties FROM raw.events ORDER BY _file")
    assert [r[2] for r in rows] == [datetime(2024, 3, 10, 10, 0)] * 3
    assert {r[1] for r in rows} == {"a_brand_new_type"}
    assert {json.loads(r[3])["url"] for r in rows} == {"/pricing"}
    comp = q(wh, "SELECT employee_count, annual_revenue, attributes, updated_at FROM raw.companies")
    assert set(comp) == {(120, Decimal("1500000.50"), '{"tier":"gold"}', datetime(2024, 3, 10, 10, 0))}
    opp = q(wh, "SELECT amount, is_won, closed_at, created_at FROM raw.opportunities")
    assert set(opp) == {(Decimal("2500.50"), True, datetime(2024, 3, 9, 8, 0), datetime(2024, 3, 1))}
    ms = q(wh, "SELECT spend_date, amount FROM raw.marketing_spend ORDER BY spend_date")
    assert ms == [
        (date(2024, 3, 10), Decimal("99.99")),
        (date(2024, 3, 11), Decimal("99.99")),
        (date(2024, 3, 12), Decimal("99.99")),
    ]
    # a contact naming a company that never landed is loaded
    assert q(wh, "SELECT DISTINCT company_id FROM raw.contacts") == [("unknown_co",)]


def test_timestamp_forms_are_utc(env):
    landing, wh = env
    put(
        landing,
        "events",
        "e.csv",
        events_csv(
            "a,c,x,2024-03-10T12:00:00+02:00,",
            "b,c,x,2024-03-10T12:00:00Z,",
            "c,c,x,2024-03-10 12:00:00,",
            "d,c,x,2024-03-10T17:30:00.250+0530,",
            "e,c,x,2024-03-10,",
            "f,c,x,2024-03-10T07:00:00-05,",
        ),
    )
    ingest(landing, wh)
    got = dict(q(wh, "SELECT event_id, occurred_at FROM raw.events"))
    assert got == {
        "a": datetime(2024, 3, 10, 10),
        "b": datetime(2024, 3, 10, 12),
        "c": datetime(2024, 3, 10, 12),
        "d": datetime(2024, 3, 10, 12, 0, 0, 250000),
        "e": datetime(2024, 3, 10),
        "f": datetime(2024, 3, 10, 12),
    }


def test_utc_offsets_in_use_are_accepted_and_no_others():
    """Every offset from -23:59 to +23:59 (and minutes 60-99) in the three forms (+hh:mm,
    +hhmm, +hh): accepted exactly when it lies within the contract's range, and then
    converted to UTC by it; the rest do not parse (bad_timestamp), never shifted."""
    from orchestration.ingest import validation as S

    rows = []
    for sign in (1, -1):
        for hh in range(24):
            for mm in range(100):
                minutes = sign * (hh * 60 + mm)
                ok = mm < 60 and C.MIN_UTC_OFFSET_MINUTES <= minutes <= C.MAX_UTC_OFFSET_MINUTES
                s = "+" if sign > 0 else "-"
                rows.append((f"2024-03-10T12:00:00{s}{hh:02d}:{mm:02d}", ok, minutes))
                rows.append((f"2024-03-10T12:00:00{s}{hh:02d}{mm:02d}", ok, minutes))
                if mm == 0:
                    rows.append((f"2024-03-10T12:00:00{s}{hh:02d}", ok, minutes))
    offsets = pa.table(  # noqa: F841 (read by DuckDB's replacement scan)
        {
            "n_v": [r[0] for r in rows],
            "ok": [r[1] for r in rows],
            "expected": [datetime(2024, 3, 10, 12) - timedelta(minutes=r[2]) for r in rows],
        }
    )
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    try:
        parsed = S.parse_expr(C.Column("v", C.TIMESTAMP))
        wrong = con.execute(
            f"SELECT n_v, ok, expected, {parsed} AS got FROM offsets "
            "WHERE CASE WHEN ok THEN got IS DISTINCT FROM expected ELSE got IS NOT NULL END"
        ).fetchall()
    finally:
        con.close()
    # -12:00..+14:00 is 26 * 60 + 1 offsets (zero written both +00:00 and -00:00), in two
    # forms, plus the whole hours +00..+14 and -00..-12 as +hh
    assert sum(r[1] for r in rows) == 2 * (26 * 60 + 2) + 15 + 13
    assert wrong == []


# --------------------------------------------------------------------------- exactly once


def _dirty_landing(landing: Path) -> None:
    put(
        landing,
        "events",
        "01.csv",
        events_csv(
            f'e1,c1,page_view,{TS},"{{""url"": ""/a""}}"',
            f"e2,,page_view,{TS},",
            f'e1,c1,page_view,{TS},"{{""url"": ""/a""}}"',
            "e3,c1,page_view",
            f"e4,c1,form_submit,{TS},{{}}",
        ),
    )
    put(
        landing,
        "events",
        "02.jsonl",
        jl(
            {
                "event_id": "e4",
                "contact_id": "c1",
                "event_type": "form_submit",
                "occurred_at": TS,
                "properties": {},
            },
            {"event_id": "e5", "contact_id": "c2", "event_type": "email_open", "occurred_at": TS, "extra": 1},
            "{broken",
            {"event_id": "e1", "contact_id": "c9", "event_type": "page_view", "occurred_at": TS},
        ),
    )
    put_parquet(
        landing,
        "companies",
        "c.parquet",
        pa.table(
            {
                "company_id": ["co1", "co2", "co1"],
                "employee_count": [10, -1, 10],
                "updated_at": [TS, TS, TS],
                "attributes": ['{"a":1}', "[]", '{"a":1}'],
            }
        ),
    )
    put(
        landing,
        "marketing_spend",
        "m.csv",
        "spend_date,channel,amount\n2024-01-01,paid_ad,10\n2024-01-02,paid_ad,x\n",
    )


def test_exactly_once(env):
    landing, wh = env
    _dirty_landing(landing)
    first = ingest(landing, wh)
    assert first.files_loaded == 4 and first.files_failed == 0
    before = snapshot(wh)
    second = ingest(landing, wh)
    assert second.files_unchanged == 4
    assert (second.files_loaded, second.files_skipped, second.files_failed, second.rows_read) == (0, 0, 0, 0)
    assert snapshot(wh) == before


def test_same_content_new_name_is_skipped(env):
    landing, wh = env
    body = events_csv(f"e1,c1,page_view,{TS},")
    put(landing, "events", "a.csv", body)
    ingest(landing, wh)
    before = snapshot(wh)["raw.events"]
    put(landing, "events", "b_copy.csv", body)
    s = ingest(landing, wh)
    assert s.files_skipped == 1 and s.files_loaded == 0
    entry = log(wh)["events/b_copy.csv"]
    assert entry[:5] == ("skipped", 0, 0, 0, 0)
    assert "events/a.csv" in entry[6]
    assert snapshot(wh)["raw.events"] == before
    # and skipping is itself done once
    s = ingest(landing, wh)
    assert s.files_skipped == 0 and s.files_unchanged == 2
    assert q(wh, "SELECT count(*) FROM raw.load_log") == [(2,)]


# --------------------------------------------------------------------------- reason codes


def test_every_reason_code(env):
    landing, wh = env
    big_json = '"{""k"": ""' + "x" * (C.MAX_JSON_CHARS + 10) + '""}"'
    long_text = "y" * (C.MAX_TEXT_CHARS + 1)
    lines = [
        f"e1,c1,page_view,{TS},",  # 1 loaded
        f"e2,  ,page_view,{TS},",  # 2 missing_required (blank after trim)
        "e3,c1,page_view,yesterday,",  # 3 bad_timestamp
        "e4,c1,page_view,2999-01-01T00:00:00Z,",  # 4 future_timestamp
        f'e5,c1,page_view,{TS},"{{broken"',  # 5 json_not_object (not even JSON)
        f"e6,c1,page_view,{TS},{big_json}",  # 6 json_too_large
        f"e7,c1,{long_text},{TS},",  # 7 text_too_long
        "e8,c1,page_view",  # 8 unparseable_row
        f"e1,c1,email_open,{TS},",  # 9 conflicting_duplicate (key e1 seen at row 1)
        f"e1,c1,page_view,{TS},",  # 10 exact duplicate of row 1
    ]
    put(landing, "events", "ev.csv", events_csv(*lines))
    put(
        landing,
        "companies",
        "co.csv",
        f"company_id,employee_count,annual_revenue,updated_at\nco1,many,1,{TS}\nco2,5,-3.5,{TS}\n",
    )
    opp_ok = {"opportunity_id": "o1", "contact_id": "c1", "created_at": TS, "stage": "open", "updated_at": TS}
    put(
        landing,
        "opportunities",
        "op.jsonl",
        jl(
            opp_ok,
            {**opp_ok, "opportunity_id": "o2", "is_won": "maybe"},
            '{"opportunity_id": "o3", ',
            "[1, 2, 3]",
        ),
    )
    put_parquet(
        landing,
        "marketing_spend",
        "ms.parquet",
        pa.table(
            {
                "spend_date": ["2024-01-01", "2024-13-45"],
                "channel": ["paid_ad", "paid_ad"],
                "amount": ["1", "2"],
            }
        ),
    )
    ingest(landing, wh)

    got = {(f, rn): (code, reason, raw) for f, rn, code, reason, raw in quarantine(wh)}
    ev = "events/ev.csv"
    expect = {
        (ev, 2): "missing_required",
        (ev, 3): "bad_timestamp",
        (ev, 4): "future_timestamp",
        (ev, 5): "json_not_object",
        (ev, 6): "json_too_large",
        (ev, 7): "text_too_long",
        (ev, 8): "unparseable_row",
        (ev, 9): "conflicting_duplicate",
        ("companies/co.csv", 1): "bad_number",
        ("companies/co.csv", 2): "negative_number",
        ("opportunities/op.jsonl", 2): "bad_boolean",
        ("opportunities/op.jsonl", 3): "invalid_json",
        ("opportunities/op.jsonl", 4): "json_not_object",
        ("marketing_spend/ms.parquet", 2): "bad_date",
    }
    assert {k: v[0] for k, v in got.items()} == expect
    # raw_content is the original line (CSV, JSONL) ...
    for i in (2, 3, 4, 5, 6, 7, 8, 9):
        assert got[(ev, i)][2] == lines[i - 1], i
    assert got[("companies/co.csv", 1)][2] == f"co1,many,1,{TS}"
    assert got[("opportunities/op.jsonl", 3)][2] == '{"opportunity_id": "o3", '
    assert got[("opportunities/op.jsonl", 4)][2] == "[1, 2, 3]"
    assert got[("opportunities/op.jsonl", 4)][1] == "line is a JSON array, not an object"
    # ... and a JSON rendering of the row for Parquet
    assert json.loads(got[("marketing_spend/ms.parquet", 2)][2])["spend_date"] == "2024-13-45"
    # reasons are sentences naming the column / the earlier row
    assert "contact_id" in got[(ev, 2)][1]
    assert "row 1" in got[(ev, 9)][1] and "e1" in got[(ev, 9)][1]
    assert "is_won" in got[("opportunities/op.jsonl", 2)][1]
    assert log(wh)[ev][:5] == ("loaded", 10, 1, 8, 1)
    assert q(wh, "SELECT event_id, _row_number FROM raw.events") == [("e1", 1)]


def test_duplicates_within_and_across_files(env):
    landing, wh = env
    put(
        landing,
        "events",
        "a.csv",
        events_csv(f"e1,c1,page_view,{TS},", f"e2,c1,page_view,{TS},", f"e1,c1,page_view,{TS},"),
    )
    # b: e2 identical (duplicate across files, even with other whitespace/format), e1 conflicting, e3 new
    put(
        landing,
        "events",
        "b.jsonl",
        jl(
            {
                "event_id": "e2",
                "contact_id": "c1",
                "event_type": "page_view",
                "occurred_at": "2024-03-10T14:00:00+02:00",
            },
            {"event_id": "e1", "contact_id": "c1", "event_type": "email_open", "occurred_at": TS},
            {"event_id": "e3", "contact_id": "c1", "event_type": "page_view", "occurred_at": TS},
        ),
    )
    s = ingest(landing, wh)
    lg = log(wh)
    assert lg["events/a.csv"][:5] == ("loaded", 3, 2, 0, 1)
    assert lg["events/b.jsonl"][:5] == ("loaded", 3, 1, 1, 1)
    assert s.rows_duplicate == 2
    conflict = quarantine(wh, "events/b.jsonl")
    assert [(r[1], r[2]) for r in conflict] == [(2, "conflicting_duplicate")]
    assert "events/a.csv row 1" in conflict[0][3]
    assert q(wh, "SELECT event_id, _file, _row_number FROM raw.events ORDER BY event_id") == [
        ("e1", "events/a.csv", 1),
        ("e2", "events/a.csv", 2),
        ("e3", "events/b.jsonl", 3),
    ]


def test_reconciliation_for_every_file(env):
    landing, wh = env
    _dirty_landing(landing)
    put(landing, "events", "03.csv", events_csv("x,y,z,bad,", f"e9,c1,t,{TS},", "", f"e9,c1,t,{TS},"))
    ingest(landing, wh)
    rows = q(
        wh,
        "SELECT file, entity, rows_read, rows_loaded, rows_quarantined, rows_duplicate FROM raw.load_log "
        "WHERE status = 'loaded'",
    )
    assert len(rows) == 5
    for file, entity, read, loaded, quarantined, dup in rows:
        assert read == loaded + quarantined + dup, file
        assert q(wh, f"SELECT count(*) FROM raw.{entity} WHERE _file = ?", [file]) == [(loaded,)]
        assert q(wh, "SELECT count(*) FROM raw.quarantine WHERE file = ?", [file]) == [(quarantined,)]
    assert log(wh)["events/03.csv"][1:5] == (3, 1, 1, 1)


# --------------------------------------------------------------------------- batches


def _batch_landing(landing: Path) -> None:
    """Files of one entity that interact: duplicates and conflicts across files, the same
    key twice in a file, a copy of a file under another name, bad rows."""
    put(
        landing,
        "events",
        "a.csv",
        events_csv(
            f"e1,c1,page_view,{TS},", f"e2,c1,page_view,{TS},", f"e1,c1,page_view,{TS},", "e9,c1,x,bad,"
        ),
    )
    put(
        landing,
        "events",
        "b.jsonl",
        jl(
            {
                "event_id": "e2",
                "contact_id": "c1",
                "event_type": "page_view",
                "occurred_at": "2024-03-10T14:00:00+02:00",
            },
            {"event_id": "e1", "contact_id": "c1", "event_type": "email_open", "occurred_at": TS},
            {"event_id": "e3", "contact_id": "c1", "event_type": "page_view", "occurred_at": TS},
            {"event_id": "e3", "contact_id": "c1", "event_type": "email_open", "occurred_at": TS},
            "{broken",
        ),
    )
    put_parquet(
        landing,
        "events",
        "c.parquet",
        pa.table(
            {
                "event_id": ["e3", "e4", "e5", "e4"],
                "contact_id": ["c1"] * 4,
                "event_type": ["other", "x", "y", "z"],
                "occurred_at": [TS] * 4,
            }
        ),
    )
    put(landing, "events", "d.csv", events_csv(f"e5,c1,yy,{TS},", f"e6,c1,x,{TS},"))
    put(landing, "events", "e_copy.csv", (landing / "events" / "d.csv").read_bytes())
    put(landing, "contacts", "c1.csv", f"contact_id,created_at,updated_at\nct1,{TS},{TS}\nct1,{TS},{TS}\n")
    put(
        landing,
        "contacts",
        "c2.csv",
        f"contact_id,email,created_at,updated_at\nct1,x@y,{TS},{TS}\nct2,,{TS},{TS}\n",
    )


def test_batched_load_equals_loading_files_one_by_one(env, tmp_path, monkeypatch):
    landing, wh = env
    _batch_landing(landing)
    batched = ingest(landing, wh)
    monkeypatch.setattr("orchestration.ingest.loader.MAX_BATCH_FILES", 1)
    single = tmp_path / "single.duckdb"
    one_by_one = ingest(landing, single)
    assert snapshot(wh, volatile=False) == snapshot(single, volatile=False)
    assert (
        batched.files_loaded,
        batched.files_skipped,
        batched.rows_loaded,
        batched.rows_duplicate,
        batched.rows_quarantined,
    ) == (
        one_by_one.files_loaded,
        one_by_one.files_skipped,
        one_by_one.rows_loaded,
        one_by_one.rows_duplicate,
        one_by_one.rows_quarantined,
    )
    # the batched load really loaded a.csv .. d.csv together (one load time), the other one by one
    times = (
        "SELECT count(DISTINCT loaded_at) FROM raw.load_log WHERE file IN "
        "('events/a.csv', 'events/b.jsonl', 'events/c.parquet', 'events/d.csv')"
    )
    assert q(wh, times) == [(1,)] and q(single, times) == [(4,)]
    lg = log(wh)
    assert lg["events/e_copy.csv"][0] == "skipped" and "events/d.csv" in lg["events/e_copy.csv"][6]
    conflicts = {(r[0], r[1]): r[3] for r in quarantine(wh) if r[2] == "conflicting_duplicate"}
    assert "was already loaded from events/a.csv row 1" in conflicts[("events/b.jsonl", 2)]
    assert "appears earlier in this file (row 3)" in conflicts[("events/b.jsonl", 4)]
    assert "was already loaded from events/b.jsonl row 3" in conflicts[("events/c.parquet", 1)]
    assert "appears earlier in this file (row 2)" in conflicts[("events/c.parquet", 4)]
    assert "was already loaded from events/c.parquet row 3" in conflicts[("events/d.csv", 1)]
    assert lg["events/d.csv"][:5] == ("loaded", 2, 1, 1, 0)
    assert lg["contacts/c2.csv"][:5] == ("loaded", 2, 1, 1, 0)


def test_a_file_that_breaks_its_batch_fails_alone(env, tmp_path, monkeypatch):
    landing, wh = env
    _batch_landing(landing)
    # a Parquet file whose footer reads but whose data does not: only reading it fails
    good = put_parquet(
        landing,
        "events",
        "c2_corrupt.parquet",
        pa.table(
            {
                "event_id": [f"x{i}" for i in range(1000)],
                "contact_id": ["c1"] * 1000,
                "event_type": ["x"] * 1000,
                "occurred_at": [TS] * 1000,
            }
        ),
    )
    data = bytearray(good.read_bytes())
    data[4:300] = b"\xab" * 296
    good.write_bytes(bytes(data))
    # and files of the same batch that cannot be read at all (found before and after the error)
    put(landing, "events", "c3_garbage.csv", b"\x89PNG\r\n\x1a\n\xff\xfe\xfd" * 50)
    put(landing, "events", "c4_garbage.jsonl", b"not json\nstill not\n")
    s = ingest(landing, wh)
    assert sorted(f for f, _ in s.failed) == [
        "events/c2_corrupt.parquet",
        "events/c3_garbage.csv",
        "events/c4_garbage.jsonl",
    ]
    assert s.files_failed == 3
    assert q(wh, "SELECT count(*) FROM raw.load_log WHERE status = 'failed'") == [(3,)]
    assert log(wh)["events/c2_corrupt.parquet"][0] == "failed"
    assert "cannot be read as parquet" in log(wh)["events/c2_corrupt.parquet"][5]
    monkeypatch.setattr("orchestration.ingest.loader.MAX_BATCH_FILES", 1)
    single = tmp_path / "single.duckdb"
    ingest(landing, single)
    assert snapshot(wh, volatile=False) == snapshot(single, volatile=False)


# --------------------------------------------------------------------------- unreadable files


def test_unreadable_files_fail_and_others_load(env):
    landing, wh = env
    good = put_parquet(
        landing,
        "events",
        "good.parquet",
        pa.table(
            {"event_id": ["e1"], "contact_id": ["c1"], "event_type": ["page_view"], "occurred_at": [TS]}
        ),
    )
    put(landing, "events", "truncated.parquet", good.read_bytes()[: good.stat().st_size // 2])
    put(landing, "events", "garbage.parquet", b"\x00\x01garbage" * 100)
    put(landing, "events", "garbage.csv", b"\x89PNG\r\n\x1a\n\xff\xfe\xfd" * 50)
    put(landing, "events", "garbage.jsonl", b"\x89PNG\r\n\x1a\n\xff\xfe\xfd" * 50)
    put(landing, "events", "semicolon.csv", f"event_id;contact_id;event_type;occurred_at\ne1;c1;x;{TS}\n")
    put(landing, "events", "noheader.csv", f"e5,c1,page_view,{TS},\n")
    put(landing, "events", "export.xlsx", b"PK\x03\x04")
    put(landing, "events", "empty.csv", b"")
    put(landing, "events", "empty.parquet", b"")
    put(landing, "events", "empty.jsonl", b"")
    put(landing, "events", "header_only.csv", "event_id,contact_id,event_type,occurred_at\n")
    put(landing, "events", ".hidden.csv", b"junk")
    put(landing, "events", "in_flight.csv.tmp", b"junk")
    put(landing, "contacts", "ok.csv", f"contact_id,created_at,updated_at\nct1,{TS},{TS}\n")
    s = ingest(landing, wh)
    lg = log(wh)
    failed = {f: e[5] for f, e in lg.items() if e[0] == "failed"}
    assert set(failed) == {
        "events/truncated.parquet",
        "events/garbage.parquet",
        "events/garbage.csv",
        "events/garbage.jsonl",
        "events/semicolon.csv",
        "events/noheader.csv",
        "events/export.xlsx",
        "events/empty.csv",
        "events/empty.parquet",
    }
    assert "unsupported format" in failed["events/export.xlsx"]
    assert "empty file" in failed["events/empty.csv"] and "empty file" in failed["events/empty.parquet"]
    assert "delimiter" in failed["events/semicolon.csv"]
    assert "lacks required column" in failed["events/noheader.csv"]
    assert "UTF-8" in failed["events/garbage.csv"]
    assert "not a JSONL file" in failed["events/garbage.jsonl"]
    assert "Parquet" in failed["events/truncated.parquet"]
    assert all(e for e in failed.values())
    assert s.files_failed == 9 and {f for f, _ in s.failed} == set(failed)
    assert lg["events/good.parquet"][:2] == ("loaded", 1)
    assert lg["events/empty.jsonl"][:2] == ("loaded", 0)
    assert lg["events/header_only.csv"][:2] == ("loaded", 0)
    assert lg["contacts/ok.csv"][:2] == ("loaded", 1)
    assert ".hidden.csv" not in str(lg) and "in_flight" not in str(lg)
    assert q(wh, "SELECT count(*) FROM raw.events") == [(1,)]


def test_failed_file_is_retried_and_replaced_by_good_version(env):
    landing, wh = env
    path = put(landing, "events", "e.csv", "event_id;contact_id\n")
    ingest(landing, wh)
    assert log(wh)["events/e.csv"][0] == "failed"
    s = ingest(landing, wh)  # retried, still failing: still one row
    assert s.files_failed == 1 and q(wh, "SELECT count(*) FROM raw.load_log") == [(1,)]
    path.write_text(events_csv(f"e1,c1,page_view,{TS},"))
    s = ingest(landing, wh)
    assert s.files_loaded == 1
    assert q(wh, "SELECT file, status, rows_loaded FROM raw.load_log") == [("events/e.csv", "loaded", 1)]
    assert q(wh, "SELECT event_id FROM raw.events") == [("e1",)]


# --------------------------------------------------------------------------- columns, schema, numbering


def test_extra_columns_kept_in_extra(env):
    landing, wh = env
    put(
        landing,
        "events",
        "a.csv",
        events_csv(
            f"e1,c1,page_view,{TS},,web,7",
            f"e2,c1,page_view,{TS},,,",
            header="event_id,contact_id,event_type,occurred_at,properties,channel,n",
        ),
    )
    put(
        landing,
        "events",
        "b.jsonl",
        jl(
            {
                "event_id": "e3",
                "contact_id": "c1",
                "event_type": "x",
                "occurred_at": TS,
                "utm": {"source": "li"},
                "n": 7,
            }
        ),
    )
    put_parquet(
        landing,
        "events",
        "c.parquet",
        pa.table(
            {"event_id": ["e4"], "contact_id": ["c1"], "event_type": ["x"], "occurred_at": [TS], "n": [7]}
        ),
    )
    ingest(landing, wh)
    got = {k: (json.loads(v) if v else None) for k, v in q(wh, "SELECT event_id, _extra FROM raw.events")}
    assert got == {
        "e1": {"channel": "web", "n": "7"},
        "e2": None,
        "e3": {"utm": {"source": "li"}, "n": 7},
        "e4": {"n": 7},
    }


def test_raw_tables_exist_and_are_empty_without_files(env, tmp_path):
    landing, wh = env
    s = ingest(landing, wh)
    assert isinstance(s, IngestSummary) and s.files_seen == 0
    for name in C.ENTITIES:
        assert q(wh, f"SELECT count(*) FROM raw.{name}") == [(0,)]
    assert q(wh, "SELECT count(*) FROM raw.quarantine") == [(0,)]
    assert q(wh, "SELECT count(*) FROM raw.load_log") == [(0,)]
    # a landing folder that does not exist is an error, not an empty success
    with pytest.raises(LandingMissingError, match="does not exist"):
        ingest(tmp_path / "nowhere", tmp_path / "other.duckdb")
    assert not (tmp_path / "other.duckdb").exists()
    con = config.connect(wh)
    try:
        ensure_raw_schema(con)  # idempotent
        ensure_raw_schema(con)
    finally:
        con.close()


def test_row_numbers_with_rejects_blank_lines_and_multiline_fields(env):
    landing, wh = env
    body = (
        "event_id,contact_id,event_type,occurred_at,properties\r\n"
        f"e1,c1,page_view,{TS},\r\n"  # 1
        "e2,c1\r\n"  # 2 unparseable
        f'e3,c1,"two\r\nlines",{TS},\r\n'  # 3 (one record over two lines)
        "\r\n"  # 4 blank: not a row
        f"e5,c1,page_view,{TS},,x\r\n"  # 5 unparseable (too many fields)
        f"e6,c1,page_view,{TS},\r\n"  # 6
        "e7,c1,page_view,not-a-time,\r\n"  # 7 bad_timestamp
        f"e8,c1,page_view,{TS},\r\n"  # 8
    )
    put(landing, "events", "crlf.csv", body)
    ingest(landing, wh)
    assert q(wh, "SELECT event_id, _row_number FROM raw.events ORDER BY 2") == [
        ("e1", 1),
        ("e3", 3),
        ("e6", 6),
        ("e8", 8),
    ]
    assert [(r[1], r[2], r[4]) for r in quarantine(wh)] == [
        (2, "unparseable_row", "e2,c1"),
        (5, "unparseable_row", f"e5,c1,page_view,{TS},,x"),
        (7, "bad_timestamp", "e7,c1,page_view,not-a-time,"),
    ]
    assert log(wh)["events/crlf.csv"][1:5] == (7, 4, 3, 0)
    # JSONL: physical line numbers, blank lines skipped but counted, invalid UTF-8 quarantined
    good = json.dumps({"event_id": "j1", "contact_id": "c1", "event_type": "x", "occurred_at": TS})
    put(
        landing,
        "events",
        "j.jsonl",
        (good + "\n\n   \n").encode() + b'{"event_id": "\xff"}\n' + b'{"a": 1}\n',
    )
    ingest(landing, wh)
    assert [(r[1], r[2]) for r in quarantine(wh, "events/j.jsonl")] == [
        (4, "invalid_json"),
        (5, "missing_required"),
    ]
    assert log(wh)["events/j.jsonl"][1:5] == (3, 1, 2, 0)


def test_locked_warehouse_raises_clear_error(env):
    landing, wh = env
    ingest(landing, wh)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(wh)!r}); "
            "print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseLockedError) as err:
            ingest(landing, wh)
        assert str(wh) in str(err.value) and "another process holds it" in str(err.value)
    finally:
        holder.kill()
        holder.wait()


# --------------------------------------------------------------------------- crash safety

N_BIG = 200_000


def _big_landing(landing: Path) -> dict[str, int]:
    """Three events files of N_BIG rows (CSV and Parquet) with some bad rows and duplicates."""
    (landing / "events").mkdir(parents=True)
    (landing / "contacts").mkdir(parents=True)
    con = duckdb.connect()
    for i, fmt in enumerate(["csv", "parquet", "csv"]):
        start = i * N_BIG
        opts = "(HEADER)" if fmt == "csv" else "(FORMAT PARQUET)"
        con.execute(f"""
            COPY (SELECT 'ev' || (CASE WHEN n % 1000 = 500 THEN n - 1 ELSE m END) AS event_id,  -- conflicts
                         'c' || (m % 5000) AS contact_id, 'page_view' AS event_type,
                         CASE WHEN m % 5000 = 3 THEN 'not a time'
                              ELSE strftime(TIMESTAMP '2024-01-01' + to_seconds(m), '%Y-%m-%dT%H:%M:%SZ')
                         END AS occurred_at,
                         '{{"url": "/p/' || (m % 50) || '"}}' AS properties
                  FROM (SELECT n, CASE WHEN n % 1000 = 7 THEN n - 1 ELSE n END AS m  -- exact duplicates
                        FROM range({start}, {start + N_BIG}) t(n))
                  ORDER BY n) TO '{landing}/events/big_{i}.{fmt}' {opts}""")
    con.close()
    # a late unparseable line in a CSV: its row number must survive DuckDB's parallel reader
    with open(landing / "events" / "big_2.csv", "a") as f:
        f.write("broken,line\n")
    put(landing, "contacts", "c.csv", f"contact_id,created_at,updated_at\nct1,{TS},{TS}\n")
    return {"events/big_2.csv": N_BIG + 1}


def _run_ingest_process(landing: Path, wh: Path) -> subprocess.Popen:
    code = (
        "import sys; from pathlib import Path; from orchestration.ingest.loader import ingest; "
        "ingest(Path(sys.argv[1]), Path(sys.argv[2]))"
    )
    env = dict(os.environ, PYTHONPATH=str(PROJECT), LEADSCORE_DUCKDB_THREADS="2")
    return subprocess.Popen([sys.executable, "-c", code, str(landing), str(wh)], env=env, cwd=PROJECT)


def _assert_consistent(wh: Path) -> None:
    con = config.connect(wh, read_only=True)
    try:
        logged = dict(
            con.execute("SELECT file, rows_loaded FROM raw.load_log WHERE status = 'loaded'").fetchall()
        )
        for entity in ("events", "contacts"):
            in_raw = dict(con.execute(f"SELECT _file, count(*) FROM raw.{entity} GROUP BY ALL").fetchall())
            for file, n in in_raw.items():
                assert file in logged, f"raw rows for unlogged file {file}"
                assert n == logged[file], file
        for file, n in logged.items():
            entity = file.split("/")[0]
            assert (
                con.execute(f"SELECT count(*) FROM raw.{entity} WHERE _file = ?", [file]).fetchone()[0] == n
            )
        for file, read, loaded, quarantined, dup in con.execute(
            "SELECT file, rows_read, rows_loaded, rows_quarantined, rows_duplicate FROM raw.load_log "
            "WHERE status = 'loaded'"
        ).fetchall():
            assert read == loaded + quarantined + dup
            assert (
                con.execute("SELECT count(*) FROM raw.quarantine WHERE file = ?", [file]).fetchone()[0]
                == quarantined
            )
        orphans = con.execute(
            "SELECT count(*) FROM raw.quarantine "
            "WHERE file NOT IN (SELECT file FROM raw.load_log WHERE status = 'loaded')"
        ).fetchone()[0]
        assert orphans == 0
    finally:
        con.close()


def test_crash_at_any_point_then_resume_equals_uninterrupted(tmp_path):
    landing = tmp_path / "landing"
    late = _big_landing(landing)
    # The uninterrupted reference, in a real process, timed to spread the kills over it.
    reference = tmp_path / "reference.duckdb"
    t0 = time.perf_counter()
    assert _run_ingest_process(landing, reference).wait() == 0
    full = time.perf_counter() - t0
    assert q(reference, "SELECT count(*) FROM raw.load_log WHERE status = 'loaded'") == [(4,)]
    assert q(
        reference,
        "SELECT row_number FROM raw.quarantine WHERE file = 'events/big_2.csv' "
        "AND reason_code = 'unparseable_row'",
    ) == [(late["events/big_2.csv"],)]
    assert q(reference, "SELECT sum(rows_duplicate) > 0, sum(rows_quarantined) > 0 FROM raw.load_log") == [
        (True, True)
    ]
    expected = snapshot(reference, volatile=False)

    interrupted = 0
    for i, fraction in enumerate((0.25, 0.5, 0.7, 0.9)):
        wh = tmp_path / f"crashed_{i}.duckdb"
        proc = _run_ingest_process(landing, wh)
        time.sleep(full * fraction)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            interrupted += 1
        proc.wait()
        if wh.exists():
            _assert_consistent(wh)
        final = ingest(landing, wh)  # resume
        assert final.files_failed == 0
        _assert_consistent(wh)
        assert snapshot(wh, volatile=False) == expected, f"kill at {fraction:.0%} of the run"
    assert interrupted >= 2  # most kill points fall inside the run


# --------------------------------------------------------------------------- fast paths


def test_fast_paths_give_the_values_of_the_general_expressions():
    """Typing and hashing use cheaper SQL for the usual forms: on edge cases, the same
    values as the general expressions (which define the contract's typing rules)."""
    import itertools
    import random

    from orchestration.ingest import validation as S

    rng = random.Random(11)
    stamps = {
        f"{y}-{m}-{d}{sep}{h}:{mi}:{s}{frac}{z}"
        for y, m, d, h, mi, s, sep, frac, z in itertools.product(
            ["0000", "1969", "2024"],
            ["00", "02", "13"],
            ["00", "29", "30", "31"],
            ["00", "23", "24"],
            ["00", "60"],
            ["00", "59", "60"],
            ["T", " ", "t"],
            ["", ".5", ".1234567"],
            ["", "Z", "z", "+02:00", "-05", "+0530"],
        )
    }
    pieces = ["", "Z", "z", "+02:00", "-05", "+0530", " ", "\t", ".5", ".1234567", ",5", "T", "t", ":00", "x"]
    for _ in range(20000):
        base = (
            f"{rng.choice(['2024', '1999', '0000', '9999'])}-{rng.choice(['02', '03', '13'])}"
            f"-{rng.choice(['10', '29', '31'])}"
        )
        stamps.add(
            rng.choice(["", " ", "\n"]) + base + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
        )
    objects = {
        "",
        " ",
        "{}",
        "[]",
        "null",
        "{broken",
        '{"a":1}{"b":2}',
        '{"a":1,}',
        '{"a":NaN}',
        ' {"a" : [1, {"b": null}]} ',
        '"{}"',
        '{"a":"\\u00e9\\n"}',
        "/*c*/{}",
        "\ufeff{}",
        '{"a":1} x',
        '{"a":"\\ud800"}',
    }
    for _ in range(5000):
        objects.add(
            rng.choice(["", " ", "\n"])
            + "{"
            + ",".join(
                f'"{rng.choice("abc")}" : '
                f"{rng.choice(['1', '-2.5e3', 'true', 'null', '[1, 2]', '{}', chr(34) + 'x y' + chr(34)])}"
                for _ in range(rng.randint(0, 3))
            )
            + rng.choice(["}", "}", "", "],"])
        )
    texts = [
        "",
        " ",
        "\t\n\r\x0c",
        "\x0b",
        " \x0b",
        "\u00a0",
        "a",
        " a ",
        "!",
        "\x00",
        '"',
        "\\",
        "é€𝄞",
        "\u2028",
        None,
    ]
    texts += [
        "".join(
            rng.choice([" ", "\t", "\n", "\x0b", "a", '"', "\\", "\x01", "é"])
            for _ in range(rng.randint(0, 6))
        )
        for _ in range(3000)
    ]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    try:
        for kind, values in ((C.TIMESTAMP, stamps), (C.JSON_OBJECT, objects)):
            corpus = pa.table({"n_v": pa.array(sorted(values), pa.string())})
            con.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM corpus")
            col = C.Column("v", kind)
            fast, general = S.parse_expr(col), S.parse_expr(col, general=True)
            assert (
                con.execute(
                    f"SELECT n_v, {general}, {fast} FROM t WHERE ({fast}) IS DISTINCT FROM ({general})"
                ).fetchall()
                == []
            ), kind
            assert con.execute(f"SELECT count({general}) FROM t").fetchone()[0] > 100  # real values compared
        # read by DuckDB's replacement scan ("FROM corpus"), which ruff cannot see
        corpus = pa.table(  # noqa: F841
            {
                "a": pa.array(texts, pa.string()),
                "b": pa.array([texts[(i * 7) % len(texts)] for i in range(len(texts))], pa.string()),
            }
        )
        con.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM corpus")
        fast, general = S._blank_to_null("a"), S._blank_to_null("a", general=True)
        assert con.execute(f"SELECT a FROM t WHERE ({fast}) IS DISTINCT FROM ({general})").fetchall() == []
        entity = C.Entity("x", (C.Column("a", C.TEXT), C.Column("b", C.TEXT)), key=("a",))
        fast, general = S.row_hash_expr(entity), S.row_hash_expr(entity, general=True)
        assert (
            con.execute(
                f'SELECT a, b FROM (SELECT a AS "p_a", b AS "p_b", a, b FROM t) '
                f"WHERE ({fast}) IS DISTINCT FROM ({general})"
            ).fetchall()
            == []
        )
    finally:
        con.close()


def test_a_killed_ingest_link_folder_is_removed_by_the_next(tmp_path, monkeypatch):
    """An ingest killed before closing its read-link folder leaves it behind; the next
    ingest's ReadLinks removes it (its process is gone) and keeps a live process's."""
    from orchestration.ingest import discovery

    code = (
        "import os, signal; from orchestration.ingest.discovery import ReadLinks; "
        "links = ReadLinks(); print(links.dir, flush=True); os.kill(os.getpid(), signal.SIGKILL)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    dead = Path(proc.stdout.strip())
    assert dead.parent == tmp_path and dead.is_dir()
    live = tmp_path / f"{discovery.READ_LINKS_PREFIX}{os.getppid()}-keep"
    live.mkdir()
    other = tmp_path / "leadscore-read-notapid"
    other.mkdir()

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    links = discovery.ReadLinks()
    try:
        assert not dead.exists()
        assert live.is_dir() and other.is_dir()
        assert Path(links.dir).parent == tmp_path and Path(links.dir).name.startswith(
            f"leadscore-read-{os.getpid()}-"
        )
    finally:
        links.close()
    assert not Path(links.dir).exists()
