"""Tests for the demo-data generator (orchestration.demo_data.generate).

The files are read back with plain readers (csv, json, pyarrow.parquet) and checked
against the landing contract independently of the generator's own bookkeeping.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from orchestration.demo_data.day_writer import EXT
from orchestration.demo_data.generate import generate
from orchestration.ingest.contract import (
    BOOLEAN,
    DATE,
    DECIMAL,
    DISPOSITIONS,
    ENTITIES,
    INTEGER,
    JSON_OBJECT,
    STANDARD_EVENT_TYPES,
    TIMESTAMP,
)

START = dt.date(2026, 1, 1)
DAYS = 60
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NAME_RE = re.compile(
    r"^(?P<entity>[a-z_]+)_(?P<date>\d{4}-\d{2}-\d{2})(?P<resend>_resend)?\.(?P<ext>[a-z]+)$"
)


# ------------------------------------------------------------------------- helpers
def read_rows(path: Path) -> list[dict]:
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    if path.suffix == ".jsonl":
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh]
    return pq.read_table(path).to_pylist()


def file_date(path: Path) -> dt.date:
    return dt.date.fromisoformat(NAME_RE.match(path.name)["date"])


def data_files(out: Path, entity: str, resend: bool = False) -> list[Path]:
    """Files in load order (by day); resend copies excluded unless asked for."""
    files = sorted((out / entity).iterdir())
    return [f for f in files if resend or "_resend" not in f.name]


def load(out: Path, entity: str) -> list[tuple[dt.date, dict]]:
    return [(file_date(f), row) for f in data_files(out, entity) for row in read_rows(f)]


def parse_ts(value) -> dt.datetime | None:
    if not isinstance(value, str) or not TS_RE.match(value):
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None


def row_defects(entity: str, row: dict, fdate: dt.date) -> list[str]:
    """The contract rules (docs/landing-contract.md, "Bad input") a row breaks."""
    ent = ENTITIES[entity]
    out = []
    horizon = dt.datetime.combine(fdate + dt.timedelta(days=1), dt.time())
    for col in ent.columns:
        v = row.get(col.name)
        if v is None or v == "":
            if col.required:
                out.append("missing_required")
            continue
        if col.kind in (TIMESTAMP, DATE):
            if col.kind == TIMESTAMP:
                t = parse_ts(v)
            else:
                try:
                    t = dt.datetime.combine(dt.date.fromisoformat(v), dt.time()) if DATE_RE.match(v) else None
                except ValueError:
                    t = None
            if t is None:
                out.append("bad_timestamp")
            elif col.name in ent.no_future and t >= horizon:
                out.append("future_timestamp")
        elif col.kind in (DECIMAL, INTEGER):
            x = float(v)
            if x < 0:
                out.append("negative_amount")
            if col.kind == INTEGER:
                assert float(x).is_integer()
        elif col.kind == JSON_OBJECT:
            obj = json.loads(v) if isinstance(v, str) else v
            if not isinstance(obj, dict):
                out.append("bad_json")
        elif col.kind == BOOLEAN:
            assert v in ("true", "false", True, False)
    return out


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Rank correlation (ties ranked by position: enough for a lower bound)."""
    rx, ry = np.argsort(np.argsort(x, kind="stable")), np.argsort(np.argsort(y, kind="stable"))
    return float(np.corrcoef(rx, ry)[0, 1])


def sha_tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def event_audit(out: Path):
    """Replay the events in load order: exact duplicates, id conflicts, late rows."""
    seen: dict[str, tuple] = {}
    dups = conflicts = late = 0
    for fdate, row in load(out, "events"):
        eid = row["event_id"]
        content = tuple(row[c] for c in ENTITIES["events"].column_names)
        if eid in (None, ""):
            continue
        if eid in seen:
            if seen[eid] == content:
                dups += 1
            else:
                conflicts += 1
            continue
        seen[eid] = content
        t = parse_ts(row["occurred_at"])
        if t is not None and t.date() < fdate:
            late += 1
            assert (fdate - t.date()).days <= 5
    return dups, conflicts, late


# ------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("landing")
    lines: list[str] = []
    summary = generate(out, contacts=2000, days=DAYS, start=START, seed=7, progress=lines.append)
    return out, summary, lines


# --------------------------------------------------------------------------- tests
def test_layout_one_file_per_entity_per_day(run):
    out, summary, _ = run
    end = START + dt.timedelta(days=DAYS - 1)
    assert summary["start"] == START.isoformat() and summary["end"] == end.isoformat()
    assert sorted(p.name for p in out.iterdir()) == sorted(ENTITIES)
    total = 0
    for entity in ENTITIES:
        names = [p.name for p in (out / entity).iterdir()]
        assert not [n for n in names if n.endswith(".tmp")]
        per_day = Counter()
        for name in names:
            m = NAME_RE.match(name)
            assert m and m["entity"] == entity and m["ext"] == EXT[entity], name
            assert START <= dt.date.fromisoformat(m["date"]) <= end
            if not m["resend"]:
                per_day[m["date"]] += 1
        assert set(per_day.values()) == {1}
        total += len(names)
        assert len(names) == summary["files"][entity]
        if entity in ("events", "marketing_spend", "contacts"):
            assert len(per_day) == DAYS  # something happens every day
    assert total == summary["files_written"]
    assert EXT == {
        "companies": "jsonl",
        "contacts": "csv",
        "events": "parquet",
        "opportunities": "csv",
        "lead_dispositions": "jsonl",
        "marketing_spend": "csv",
    }


def test_files_readable_with_contract_columns(run):
    out, summary, _ = run
    for entity, ent in ENTITIES.items():
        n = 0
        for f in data_files(out, entity):
            if f.suffix == ".csv":
                with open(f, newline="", encoding="utf-8") as fh:
                    assert next(csv.reader(fh)) == ent.column_names
            elif f.suffix == ".parquet":
                schema = pq.read_schema(f)
                assert schema.names == ent.column_names
                assert all(str(t) == "string" for t in schema.types)  # bad rows can exist
            rows = read_rows(f)
            assert rows, f
            for r in rows:
                assert list(r) == ent.column_names
            n += len(rows)
        assert n == summary["rows"][entity]
    # JSON columns: nested objects in JSONL, JSON strings in CSV and Parquet.
    co = read_rows(data_files(out, "companies")[0])
    assert isinstance(co[0]["attributes"], dict) and isinstance(co[0]["employee_count"], int)
    ev = read_rows(data_files(out, "events")[0])
    assert isinstance(ev[0]["properties"], str)


def test_contract_breaking_rows_are_exactly_the_injected_ones(run):
    out, summary, _ = run
    for entity in ENTITIES:
        found = Counter()
        for fdate, row in load(out, entity):
            defects = row_defects(entity, row, fdate)
            assert len(defects) <= 1, (entity, row, defects)
            found.update(defects)
        expected = {k: v for k, v in summary["dirty"].get(entity, {}).items() if k != "id_conflict"}
        assert dict(found) == expected, entity
    # Every kind of dirt is present in a run of this size.
    assert set(summary["dirty"]["events"]) == {
        "missing_required",
        "bad_timestamp",
        "future_timestamp",
        "bad_json",
        "id_conflict",
    }
    assert summary["dirty_by_kind"]["negative_amount"] >= 2
    for entity in ("companies", "contacts", "opportunities", "lead_dispositions", "marketing_spend"):
        assert summary["dirty"][entity]["missing_required"] >= 1
        assert summary["dirty"][entity]["bad_timestamp"] >= 1
    events = summary["rows"]["events"]
    assert sum(summary["dirty"]["events"].values()) < 0.01 * events


def test_event_ids_unique_apart_from_injected_duplicates_and_conflicts(run):
    out, summary, _ = run
    dups, conflicts, late = event_audit(out)
    assert dups == summary["duplicate_event_rows"] > 0
    assert conflicts == summary["dirty"]["events"]["id_conflict"] > 0
    assert late == summary["late_events"] > 0
    rows = summary["rows"]["events"]
    assert 0.0005 < dups / rows < 0.005
    assert 0.005 < late / rows < 0.02
    ids = [r["event_id"] for _, r in load(out, "events") if r["event_id"]]
    assert len(ids) - len(set(ids)) == dups + conflicts
    assert all(re.match(r"^ev_\d{8}_\d{7}$", i) for i in ids)


def test_resend_files_are_byte_identical(run):
    out, summary, _ = run
    resends = [p for p in (out / "events").iterdir() if "_resend" in p.name]
    assert len(resends) == summary["duplicate_files"] == 2  # every ~30 days
    for r in resends:
        original = r.with_name(r.name.replace("_resend", ""))
        assert r.read_bytes() == original.read_bytes()


def test_nothing_lies_after_its_file_date(run):
    """Apart from the injected far-future rows, no timestamp is later than its file's day."""
    out, _, _ = run
    for entity, ent in ENTITIES.items():
        for fdate, row in load(out, entity):
            if row_defects(entity, row, fdate):
                continue
            for col in ent.columns:
                if col.kind == TIMESTAMP and row[col.name] not in (None, ""):
                    assert parse_ts(row[col.name]).date() <= fdate, (entity, row)


def test_deterministic_for_a_seed(tmp_path):
    a = generate(tmp_path / "a", 300, 30, START, seed=1)
    generate(tmp_path / "b", 300, 30, START, seed=1)
    generate(tmp_path / "c", 300, 30, START, seed=2)
    ha, hb, hc = (sha_tree(tmp_path / x) for x in "abc")
    assert ha == hb
    assert len(ha) == a["files_written"]
    common = set(ha) & set(hc)
    assert sum(ha[k] != hc[k] for k in common) > 0.9 * len(common)


def test_default_start_ends_yesterday(tmp_path):
    s = generate(tmp_path, 50, 3)
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    assert s["end"] == yesterday.isoformat()
    assert max(file_date(p) for p in (tmp_path / "events").iterdir()) == yesterday


def clean_events(out: Path) -> list[tuple[str, dt.datetime, str, dict]]:
    """(contact, time, type, properties) of the events that keep the contract, once each."""
    seen, rows = set(), []
    for fdate, r in load(out, "events"):
        if row_defects("events", r, fdate) or not r["contact_id"] or r["event_id"] in seen:
            continue
        seen.add(r["event_id"])
        rows.append(
            (r["contact_id"], parse_ts(r["occurred_at"]), r["event_type"], json.loads(r["properties"]))
        )
    return rows


def test_page_views_carry_the_seconds_spent_as_a_number(run):
    out, _, _ = run
    by_section = defaultdict(list)
    for _, _, etype, props in clean_events(out):
        if etype != "page_view":
            assert "seconds" not in props
            continue
        seconds = props["seconds"]
        assert type(seconds) is int and 1 <= seconds <= 3600, props
        assert isinstance(props["url"], str) and props["url"].startswith("/")
        by_section[props["url"].split("/")[1]].append(seconds)
    median = {k: sorted(v)[len(v) // 2] for k, v in by_section.items() if len(v) >= 50}
    # People read documentation and blog posts longer than they glance at the home page.
    assert median["docs"] > 2 * median[""] and median["blog"] > 1.8 * median[""]
    # In CSV, Parquet and JSON alike the object is plain JSON text: "seconds": 143.
    first = next(r for _, r in load(out, "events") if r["event_type"] == "page_view" and r["properties"])
    assert re.search(r'"seconds": [0-9]+}$', first["properties"])


def test_buyers_visit_more_read_longer_and_return_on_more_days(run):
    """In the 30 days before its first opportunity a lead viewed more pages, spent more
    seconds and came back on more days than the leads without one, in the same days."""
    out, _, _ = run
    events = defaultdict(list)
    for cid, t, etype, props in clean_events(out):
        events[cid].append((t, etype, props.get("seconds", 0)))
    opp_created = {}
    for _, r in load(out, "opportunities"):
        t = parse_ts(r["created_at"])
        if r["contact_id"] and t is not None:
            opp_created[r["contact_id"]] = min(t, opp_created.get(r["contact_id"], t))
    contacts = {
        r["contact_id"]: parse_ts(r["created_at"])
        for _, r in load(out, "contacts")
        if r["contact_id"] and parse_ts(r["created_at"])
    }

    def signals(cid: str, lo: dt.datetime, hi: dt.datetime) -> tuple[int, int, int, int]:
        mine = [(t, e, s) for t, e, s in events[cid] if lo <= t < hi]
        views = [(t, s) for t, e, s in mine if e == "page_view"]
        visit_days = {t.date() for t, _ in views}
        return len(views), sum(s for _, s in views), len(visit_days), len({t.date() for t, _, _ in mine})

    t0 = dt.datetime.combine(START, dt.time())
    buyers, others = [], []
    for cid, created in opp_created.items():
        if created < t0 + dt.timedelta(days=30):
            continue
        lo = created - dt.timedelta(days=30)
        buyers.append(signals(cid, lo, created))
        rest = [signals(c, lo, created) for c, ct in contacts.items() if c not in opp_created and ct < lo]
        others.append(tuple(sum(x) / len(rest) for x in zip(*rest, strict=True)))
    assert len(buyers) >= 10
    mean = [sum(x) / len(buyers) for x in zip(*buyers, strict=True)]
    base = [sum(x) / len(others) for x in zip(*others, strict=True)]
    views, seconds, visit_days, active_days = (m / b for m, b in zip(mean, base, strict=True))
    # (everyone opens the odd newsletter: active days differ less than days with a visit)
    assert views > 5 and seconds > 5 and visit_days > 3 and active_days > 1.5, (mean, base)


def test_most_leads_are_quiet_and_a_few_read_a_lot(run):
    out, _, _ = run
    since = dt.datetime.combine(START + dt.timedelta(days=DAYS - 30), dt.time())
    contacts = {
        r["contact_id"] for _, r in load(out, "contacts") if (parse_ts(r["created_at"]) or since) < since
    }
    views = Counter(
        c for c, t, e, _ in clean_events(out) if e == "page_view" and t >= since and c in contacts
    )
    per_lead = sorted((views[c] for c in contacts), reverse=True)
    assert sum(v == 0 for v in per_lead) > 0.5 * len(per_lead)
    assert sum(per_lead[: len(per_lead) // 10]) > 0.7 * sum(per_lead)


def test_fields_lean_together_through_the_hidden_fit(run):
    """Company size, seniority, budget and product interest all lean with one hidden factor,
    so they correlate with each other (single-attribute lifts then overstate their sum)."""
    out, _, _ = run
    size = {}
    for _, r in load(out, "companies"):  # latest row wins
        if r["company_id"] and isinstance(r["employee_count"], int) and r["employee_count"] > 0:
            size[r["company_id"]] = r["employee_count"]
    latest = {}
    for _, r in load(out, "contacts"):
        if r["contact_id"] and r["company_id"] in size and r["seniority"] != "student":
            latest[r["contact_id"]] = r
    ranks = {"individual": 0, "manager": 1, "director": 2, "vp": 3, "c_level": 4}
    budgets = {"<10k": 0, "10k-50k": 1, "50k-250k": 2, ">250k": 3}
    rows = []
    for r in latest.values():
        attrs = json.loads(r["attributes"]) if r["attributes"] else {}
        if r["seniority"] in ranks and isinstance(attrs, dict):
            rows.append(
                (
                    size[r["company_id"]],
                    ranks[r["seniority"]],
                    attrs.get("budget"),
                    attrs.get("product_interest"),
                )
            )
    assert len(rows) > 1000
    emp = np.log([e for e, _, _, _ in rows])
    assert spearman(emp, np.array([s for _, s, _, _ in rows])) > 0.1
    with_budget = [(e, budgets[b]) for e, _, b, _ in rows if b in budgets]
    assert spearman(np.log([e for e, _ in with_budget]), np.array([b for _, b in with_budget])) > 0.5
    cut = np.quantile(emp, [1 / 3, 2 / 3])
    products = [(np.log(e), p == "platform") for e, _, _, p in rows if p]
    small = [x for e, x in products if e <= cut[0]]
    large = [x for e, x in products if e > cut[1]]
    assert sum(large) / len(large) > 1.3 * sum(small) / len(small)


def test_won_amounts_grow_with_company_size(run):
    out, _, _ = run
    size = {}
    for _, r in load(out, "companies"):  # latest row wins
        if r["company_id"] and r["employee_count"] is not None:
            size[r["company_id"]] = r["employee_count"]
    won = [
        (size[r["company_id"]], float(r["amount"]))
        for _, r in load(out, "opportunities")
        if r["stage"] == "closed_won" and r["company_id"] in size and float(r["amount"]) >= 0
    ]
    assert len(won) >= 10
    won.sort()
    half = len(won) // 2
    small = sum(a for _, a in won[:half]) / half
    large = sum(a for _, a in won[half:]) / (len(won) - half)
    assert large > 1.5 * small
    for _, r in load(out, "opportunities"):
        assert r["stage"] in ("open", "closed_won", "closed_lost")
        assert r["is_won"] == {"open": "", "closed_won": "true", "closed_lost": "false"}[r["stage"]]
        assert (r["closed_at"] == "") == (r["stage"] == "open")


def test_contact_update_rows_form_a_history(run):
    out, _, _ = run
    rows = defaultdict(list)
    for _, r in load(out, "contacts"):
        if r["contact_id"] and parse_ts(r["created_at"]) and parse_ts(r["updated_at"]):
            rows[r["contact_id"]].append(r)
    histories = [rs for rs in rows.values() if len(rs) > 1]
    assert len(histories) > 0.03 * len(rows)
    changed = Counter()
    for rs in histories:
        first, later = rs[0], rs[1:]
        assert first["created_at"] == first["updated_at"]
        for r in later:
            assert r["created_at"] == first["created_at"]
            assert parse_ts(r["updated_at"]) > parse_ts(r["created_at"])
            changed["seniority"] += r["seniority"] != first["seniority"]
            changed["attributes"] += r["attributes"] != first["attributes"]
    assert changed["seniority"] > 0 and changed["attributes"] > 0


def test_every_standard_event_type_appears(tmp_path):
    generate(tmp_path, 1000, 60, START, seed=42)
    types = Counter(r["event_type"] for _, r in load(tmp_path, "events"))
    assert set(STANDARD_EVENT_TYPES) <= set(types)
    unknown = set(types) - set(STANDARD_EVENT_TYPES)
    assert unknown and sum(types[t] for t in unknown) < 0.02 * sum(types.values())


def test_realistic_entities(run):
    out, summary, lines = run
    companies = [r for _, r in load(out, "companies")]
    domains = {r["company_id"]: r["domain"] for r in companies if r["company_id"]}
    assert len(set(domains.values())) == len(domains)  # unique per company
    assert "rivalcorp.com" in domains.values()
    contacts = [r for _, r in load(out, "contacts")]
    emails = [r["email"] for r in contacts]
    assert any(e.endswith(".edu") for e in emails)
    assert any(e.endswith("@gmail.com") for e in emails)
    assert sum(r["company_id"] == "" for r in contacts) > 0.05 * len(contacts)
    assert {r["seniority"] for r in contacts} == {
        "c_level",
        "vp",
        "director",
        "manager",
        "individual",
        "student",
    }
    for r in contacts:
        if r["seniority"] == "student":
            assert r["job_title"] in (
                "Student",
                "Graduate Student",
                "MBA Candidate",
                "Marketing Intern",
                "PhD Candidate",
            )
    disp = [r for _, r in load(out, "lead_dispositions")]
    assert {r["disposition"] for r in disp} - {None, ""} == set(DISPOSITIONS)
    assert {"competitor", "student", "not_a_fit"} <= {r["reason"] for r in disp}
    spend = [r for _, r in load(out, "marketing_spend")]
    assert len(spend) == 7 * DAYS
    assert {r["channel"] for r in spend} - {""} == {
        "organic_search",
        "paid_ad",
        "linkedin",
        "referral",
        "event",
        "webinar",
        "email",
    }
    # ~100 events per contact-year, most contacts quiet.
    per_contact_day = summary["rows"]["events"] / (2000 * DAYS)
    assert 0.2 < per_contact_day < 0.4
    assert any(line.startswith("day 10/60") for line in lines) and lines[-1].startswith("done")


def test_existing_share_sets_how_many_contacts_exist_before_the_first_day(tmp_path):
    """The benchmark's near-steady volume: with existing_share 0.9 about 90 % of contacts
    land in the first contacts file; the default 0.4 lets most arrive through the days."""

    def first_day_share(share: float) -> float:
        out = tmp_path / f"share{share}"
        generate(out, contacts=2000, days=20, start=START, existing_share=share)
        per_file = {p.name: {r["contact_id"] for r in read_rows(p)} for p in (out / "contacts").iterdir()}
        first = per_file[f"contacts_{START.isoformat()}.csv"]
        everyone = set().union(*per_file.values())
        return len(first) / len(everyone)

    assert 0.85 < first_day_share(0.9) < 0.95
    assert 0.35 < first_day_share(0.4) < 0.5
    with pytest.raises(ValueError):
        generate(tmp_path / "bad", contacts=10, days=2, start=START, existing_share=1.5)
