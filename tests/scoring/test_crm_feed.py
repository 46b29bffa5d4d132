"""The CRM feed: a sync reading crm_sync by detected_on sees every change exactly once
while each day is run once, crossings that late data causes in days already synced
included; reruns of past days add nothing; a backfill's findings are read once by a sync
by detected_at (docs/bi.md, "CRM feed")."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
from support import PROJECT_DIR

from orchestration.demo_data.generate import generate
from orchestration.ingest.loader import ingest
from orchestration.runtime import config
from orchestration.runtime.dbt import dbt_env, profiles_dir

START = dt.date(2026, 1, 1)
FIRST_RUN_DAYS = 20  # scored in one first run
DAILY_DAYS = 8  # then one run per day
SELECT = ["--select", "+crm_sync", "+mql_crossings", "lead_score_history"]
MODEL = ("core", 1)  # active, every lead in its segment, MQL at 50 points


def _dbt(*args: str) -> None:
    dbt = str(Path(sys.executable).parent / "dbt")
    proc = subprocess.run(
        [dbt, *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(profiles_dir())],
        cwd=PROJECT_DIR,
        env=dbt_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


def _run(score_date: dt.date, history_start: dt.date | None) -> None:
    vars = {"score_date": score_date.isoformat()}
    if history_start:
        vars["history_start"] = history_start.isoformat()
    _dbt("run", *SELECT, "--exclude", "resource_type:seed", "--vars", json.dumps(vars))


def _land_day(source: Path, landing: Path, day: dt.date) -> None:
    for path in sorted(source.glob(f"*/*_{day.isoformat()}*")):
        target = landing / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _query(sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(config.warehouse_path()), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


class Sync:
    """A reverse-ETL sync as docs/bi.md describes it: read the rows whose `cursor_column`
    (detected_on or detected_at) is after the cursor, upsert them by change_id, move the
    cursor to the latest value read."""

    def __init__(self, cursor_column: str) -> None:
        self.column = cursor_column
        self.cursor = dt.datetime(1970, 1, 1) if cursor_column == "detected_at" else dt.date(1970, 1, 1)
        self.seen: Counter[str] = Counter()
        self.crossings: dict[str, tuple] = {}

    def __call__(self) -> int:
        rows = _query(
            "select change_id, change_type, crossing_id, contact_id, model_id, model_version, "
            f"crossing_date, detected_on, {self.column} from marts.crm_sync "
            f"where {self.column} > ? order by {self.column}, change_id",
            self.cursor,
        )
        for change_id, kind, crossing_id, contact, model_id, version, day, detected_on, cursor in rows:
            self.seen[change_id] += 1
            if kind == "mql_crossing":
                self.crossings[crossing_id] = (contact, (model_id, version), day, detected_on)
            self.cursor = max(self.cursor, cursor)
        return len(rows)

    def crossing(self, contact: str, day: dt.date) -> list[tuple]:
        """The crossings of `contact` under MODEL on `day` read so far, with detected_on."""
        return [(c, d, det) for c, m, d, det in self.crossings.values() if (c, m, d) == (contact, MODEL, day)]


def _late_contact(day: dt.date, last: dt.date, exclude: tuple[str, ...] = ()) -> str:
    """A lead of MODEL below the threshold from `day` to `last`, never MQL then."""
    rows = _query(
        "select contact_id from marts.lead_score_history "
        "where model_id = ? and model_version = ? and is_in_segment "
        "and valid_from <= ? and (valid_to is null or valid_to > ?) and total_score < 40 "
        "and contact_id not in (select contact_id from marts.lead_score_history "
        "  where model_id = ? and model_version = ? and is_mql "
        "  and (valid_to is null or valid_to > ?) and valid_from <= ?) "
        "order by contact_id",
        *MODEL,
        day,
        day,
        *MODEL,
        day,
        last,
    )
    candidates = [r[0] for r in rows if r[0] not in exclude]
    assert candidates, "no lead below the threshold to make cross with late events"
    return candidates[0]


def _land_late_events(landing: Path, contact: str, day: dt.date) -> None:
    """Decision actions (30 points each) that occurred on `day`, landing only now."""
    path = landing / "events" / f"late_{day.isoformat()}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        {
            "event_id": f"ev_late_{contact}_{day.isoformat()}_{i}",
            "contact_id": contact,
            "event_type": event_type,
            "occurred_at": f"{day.isoformat()}T1{i}:00:00Z",
            "properties": "{}",
        }
        for i, event_type in enumerate(["demo_request", "meeting_booked", "quote_request"])
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_a_sync_by_detected_on_sees_every_crossing_once_late_data_included(tmp_path, monkeypatch):
    source = tmp_path / "generated"
    generate(source, 150, FIRST_RUN_DAYS + DAILY_DAYS + 1, start=START, seed=11)
    home = tmp_path / "home"
    monkeypatch.setenv("LEADSCORE_HOME", str(home))
    landing = home / "landing"
    _dbt("seed")
    by_day, by_time = Sync("detected_on"), Sync("detected_at")

    def sync() -> tuple[int, int]:
        return by_day(), by_time()

    # the first run scores the first days at once, then one run per day, a sync after each
    first_last = START + dt.timedelta(days=FIRST_RUN_DAYS - 1)
    for offset in range(FIRST_RUN_DAYS):
        _land_day(source, landing, START + dt.timedelta(days=offset))
    ingest(landing, config.warehouse_path())
    _run(first_last, None)
    assert sync()[0] > 0
    assert by_day.crossings, "the first run records the crossings of its history"
    for offset in range(FIRST_RUN_DAYS, FIRST_RUN_DAYS + DAILY_DAYS):
        day = START + dt.timedelta(days=offset)
        _land_day(source, landing, day)
        ingest(landing, config.warehouse_path())
        _run(day, day)
        sync()
    last = START + dt.timedelta(days=FIRST_RUN_DAYS + DAILY_DAYS - 1)
    assert by_day.cursor == last

    # late events for a day already synced make a lead cross on that day; the next day's
    # run finds the crossing
    late_day = last - dt.timedelta(days=3)
    contact = _late_contact(late_day, last)
    cursor_before = by_day.cursor
    _land_late_events(landing, contact, late_day)
    next_day = last + dt.timedelta(days=1)
    _land_day(source, landing, next_day)
    ingest(landing, config.warehouse_path())
    _run(next_day, next_day)
    assert _query(
        "select count(*) from marts.mql_events where contact_id = ? and model_id = ? "
        "and model_version = ? and event_date = ? and direction = 'up'",
        contact,
        *MODEL,
        late_day,
    ) == [(1,)], "the late events were meant to make the lead cross on the day they occurred"
    sync()
    # read once, dated by its detection: a read by crossing day after the cursor misses it
    assert by_day.crossing(contact, late_day) == [(contact, late_day, next_day)]
    assert by_time.crossing(contact, late_day) == [(contact, late_day, next_day)]
    assert late_day <= cursor_before
    # so far each score date was run once: the sync by day read every change, once
    all_changes = {r[0] for r in _query("select change_id from marts.crm_sync")}
    assert set(by_day.seen) == all_changes
    assert max(by_day.seen.values()) == 1

    # a rerun of the same day, and a rerun of a past day followed by the present again,
    # record nothing new: no crossing twice, none undone, no detection dated in the past
    entries = _query("select count(*) from intermediate.int_mql_crossings_recorded")
    _run(next_day, next_day)
    backfill = next_day - dt.timedelta(days=4)
    _run(backfill, backfill)
    assert sync() == (0, 0), "a rerun of a past day changed what a sync reads"
    _run(next_day, next_day)
    assert _query("select count(*) from intermediate.int_mql_crossings_recorded") == entries
    assert sync() == (0, 0)

    # events later than the lookback: a backfill of the range up to today finds the
    # crossing; it is dated with the latest detection day (not its own day in the past),
    # and the sync by detected_at reads it once
    old_day = next_day - dt.timedelta(days=12)
    other = _late_contact(old_day, next_day, exclude=(contact,))
    _land_late_events(landing, other, old_day)
    ingest(landing, config.warehouse_path())
    _run(next_day, old_day)
    by_time()
    assert by_time.crossing(other, old_day) == [(other, old_day, next_day)]

    # every change of the feed was read by the sync by detected_at, each exactly once
    all_changes = {r[0] for r in _query("select change_id from marts.crm_sync")}
    assert set(by_time.seen) == all_changes
    assert max(by_time.seen.values()) == 1
    # the ledger's open crossings are exactly the crossings of the history
    open_crossings = _query(
        "select contact_id, model_id, model_version, crossing_date, direction "
        "from marts.mql_crossings where undone_on is null order by all"
    )
    history = _query(
        "select contact_id, model_id, model_version, event_date, direction from marts.mql_events order by all"
    )
    assert open_crossings == history
    assert len(history) > 10
