"""The bad-input corpus (tests/support/bad_input.py) through the real loader: every case's
expected outcome — loaded, quarantined with its reason code, duplicate, file failed with
its reason, skipped — and exact reconciliation for every file; then SQL-looking strings
in the rule seeds, through a real dbt build of a copy of the project."""

from __future__ import annotations

import collections
import csv
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from support import PROJECT_DIR
from support.bad_input import CASES, SQLISH, Case
from support.reliability import assert_load_log_truthful, figures

from orchestration.ingest.loader import ingest


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad_input")
    landing, wh = base / "landing", base / "warehouse.duckdb"
    landing.mkdir()
    for case in CASES:
        case.land(landing)
    said: list[str] = []
    summary = ingest(landing, wh, progress=said.append)
    con = duckdb.connect(str(wh), read_only=True)
    yield summary, con, wh, said
    con.close()


def _log(con, file: str):
    rows = con.execute(
        "select status, rows_read, rows_loaded, rows_quarantined, rows_duplicate, error, note "
        "from raw.load_log where file = ?",
        [file],
    ).fetchall()
    assert len(rows) == 1, f"{file}: {len(rows)} load_log rows"
    return rows[0]


def test_corpus_has_at_least_60_kinds_across_entities_and_formats(capsys):
    kinds = {c.kind for c in CASES}
    entities = {c.entity for c in CASES if c.entity}
    formats = {Path(c.name).suffix for c in CASES}
    assert len(kinds) == len(CASES) >= 60
    assert len({c.file for c in CASES}) == len(CASES)
    assert entities == {
        "events",
        "contacts",
        "companies",
        "opportunities",
        "lead_dispositions",
        "marketing_spend",
    }
    assert {".csv", ".jsonl", ".parquet"} <= formats
    codes = {r for c in CASES for r in c.expected.values()} - {"loaded", "duplicate"}
    from orchestration.ingest.validation import REASON_CODES

    assert codes == set(REASON_CODES), set(REASON_CODES) - codes  # every reason code is exercised
    outcomes = collections.Counter(
        "failed"
        if c.failed
        else "refused"
        if c.refused
        else "logged"
        if c.logged
        else "skipped"
        if c.skipped
        else "quarantined"
        if set(c.expected.values()) - {"loaded", "duplicate"}
        else "loaded"
        for c in CASES
    )
    figures(
        capsys,
        f"bad input: {len(kinds)} kinds tried, {len(entities)} entities, formats "
        f"{sorted(formats)}; {sum(len(c.rows) for c in CASES)} rows; files by outcome {dict(outcomes)}; "
        f"{len(codes)} reason codes",
    )


@pytest.mark.parametrize("case", CASES, ids=[repr(c.file)[1:-1] for c in CASES])
def test_case_outcome(loaded, case: Case):
    _, con, _, said = loaded
    if case.check:
        sql, rows = case.check
        assert con.execute(sql).fetchall() == rows
    if case.logged:
        # no load_log row, one logged line
        assert not con.execute("select 1 from raw.load_log where file = ?", [case.file]).fetchall()
        name = case.file.rstrip("/").rsplit("/", 1)[-1]
        lines = [line for line in said if name in line]
        assert len(lines) == 1 and case.logged in lines[0], lines
        return
    status, read, n_loaded, n_quarantined, n_dup, error, note = _log(con, case.file)
    if case.refused:
        assert status == "refused" and error and case.refused in error, (status, error)
        assert (read, n_loaded, n_quarantined, n_dup) == (0, 0, 0, 0)
        [(checksum, size, entity)] = con.execute(
            "select checksum, bytes, entity from raw.load_log where file = ?", [case.file]
        ).fetchall()
        assert checksum is None and size is None  # nothing was read
        assert entity == (case.entity or None) or case.file.endswith("/")
        for other in case.also:
            assert _log(con, other)[0] == "refused", other
        return
    if case.failed:
        assert status == "failed" and error and case.failed in error, (status, error)
        assert (read, n_loaded, n_quarantined, n_dup) == (0, 0, 0, 0)
        return
    if case.skipped:
        assert status == "skipped" and "same content" in note, (status, note)
        assert (read, n_loaded, n_quarantined, n_dup) == (0, 0, 0, 0)
        return
    assert status == "loaded", (status, error)
    expected = case.expected
    quarantined = dict(
        con.execute(
            "select row_number, reason_code from raw.quarantine where file = ? order by 1", [case.file]
        ).fetchall()
    )
    raw_rows = {
        n
        for (n,) in con.execute(
            f'select _row_number from raw."{case.entity}" where _file = ?', [case.file]
        ).fetchall()
    }
    assert quarantined == {n: r for n, r in expected.items() if r not in ("loaded", "duplicate")}
    assert raw_rows == {n for n, r in expected.items() if r == "loaded"}
    # exact reconciliation
    assert (read, n_loaded, n_quarantined, n_dup) == (
        len(expected),
        len(raw_rows),
        len(quarantined),
        sum(r == "duplicate" for r in expected.values()),
    )
    assert read == n_loaded + n_quarantined + n_dup
    # every quarantined row keeps a reason sentence and its raw content
    for reason, raw in con.execute(
        "select reason, raw_content from raw.quarantine where file = ?", [case.file]
    ).fetchall():
        assert reason and raw is not None


def _read(c: Case) -> bool:
    return not (c.failed or c.skipped or c.refused or c.logged)


def test_whole_load_reconciles_and_nothing_is_lost(loaded):
    summary, con, wh, said = loaded
    entries = sum(1 + len(c.also) for c in CASES if not c.logged)
    assert summary.files_seen == entries
    assert summary.files_failed == sum(bool(c.failed) for c in CASES)
    assert summary.files_refused == sum(bool(c.refused) + len(c.also) for c in CASES)
    assert summary.files_skipped == sum(c.skipped for c in CASES)
    # every entry has exactly one load_log row (or, for the logged cases, none)
    assert con.execute("select count(*), count(distinct file) from raw.load_log").fetchone() == (
        entries,
        entries,
    )
    assert summary.rows_read == sum(len(c.rows) for c in CASES if _read(c))
    assert summary.rows_read == summary.rows_loaded + summary.rows_quarantined + summary.rows_duplicate
    assert summary.rows_loaded == sum(r == "loaded" for c in CASES for r in c.expected.values() if _read(c))
    # the SQL-looking strings did nothing: every raw table is still there
    assert {
        t
        for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    } >= {"contacts", "events", "quarantine", "load_log"}
    con.close()  # the loader opens the file for writing next
    assert_load_log_truthful(wh)
    # rerunning changes nothing
    again = ingest(wh.parent / "landing", wh)
    assert again.files_loaded == 0 and again.rows_read == 0
    assert again.files_failed == summary.files_failed  # failed files are retried, still fail
    assert again.files_refused == summary.files_refused  # and refused entries refused again
    assert_load_log_truthful(wh)


# --------------------------------------------------------------------------- rule seeds


def _append_csv(path: Path, row: dict) -> None:
    with open(path, newline="") as f:
        header = next(csv.reader(f))
    with open(path, "a", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow([row.get(c, "") for c in header])


def test_sql_looking_strings_in_rule_seeds_are_data_not_sql(tmp_path, capsys):
    """A copy of the project whose seeds hold SQL-looking descriptions and values: dbt
    builds it, the rules match exactly the literal strings, and nothing else happens."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.example.yml", "macros", "models", "seeds", "tests"):
        src = PROJECT_DIR / name
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, project / name)
    shutil.rmtree(project / "tests")
    shutil.copytree(PROJECT_DIR / "tests" / "dbt", project / "tests" / "dbt")
    url = "/x'; DROP TABLE raw.events; --"
    title = "CTO' OR '1'='1"
    _append_csv(
        project / "seeds" / "engagement_rules.csv",
        {
            "model_id": "core",
            "model_version": "1",
            "rule_id": "sqlish_page",
            "description": SQLISH,
            "event_type": "page_view",
            "property": "url",
            "operator": "equals",
            "value": url,
            "points": "7",
            "buying_stage": "discovery",
            "component": "engagement",
            "cap_window_days": "30",
        },
    )
    _append_csv(
        project / "seeds" / "fit_rules.csv",
        {
            "model_id": "core",
            "model_version": "1",
            "rule_id": "sqlish_title",
            "description": "'; --",
            "field": "contact.job_title",
            "operator": "equals",
            "value": title,
            "points": "4",
            "component": "fit",
        },
    )
    home = tmp_path / "home"
    landing = home / "landing"
    (landing / "contacts").mkdir(parents=True)
    (landing / "events").mkdir(parents=True)
    ts = "2024-03-10T12:00:00Z"
    (landing / "contacts" / "c.csv").write_text(
        "contact_id,job_title,seniority,created_at,updated_at\n"
        f'ct_a,"{title}",manager,{ts},{ts}\nct_b,CTO,manager,{ts},{ts}\n'
    )
    (landing / "events" / "e.jsonl").write_text(
        f'{{"event_id": "e1", "contact_id": "ct_a", "event_type": "page_view", "occurred_at": "{ts}", '
        f'"properties": {{"url": "{url}"}}}}\n'
        f'{{"event_id": "e2", "contact_id": "ct_b", "event_type": "page_view", "occurred_at": "{ts}", '
        f'"properties": {{"url": "/x"}}}}\n'
    )
    wh = home / "warehouse.duckdb"
    assert ingest(landing, wh).rows_loaded == 4
    (home / ".dbt").mkdir()
    shutil.copyfile(project / "profiles.example.yml", home / ".dbt" / "profiles.yml")
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("LEADSCORE_DUCKDB_PATH", "DBT_PROFILES_DIR")
    }
    env.update(LEADSCORE_HOME=str(home), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    dbt = str(Path(sys.executable).parent / "dbt")
    proc = subprocess.run(
        [
            dbt,
            "build",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(home / ".dbt"),
            "--select",
            "+score_contributions",
            "--exclude",
            "resource_type:unit_test",
            "resource_type:test",
            "--vars",
            '{"score_date": "2024-03-10"}',
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-5000:]
    con = duckdb.connect(str(wh), read_only=True)
    try:
        points = dict(
            con.execute(
                "select contact_id || ':' || rule_id, points from marts.score_contributions "
                "where model_id = 'core' and rule_id like 'sqlish%'"
            ).fetchall()
        )
        [(description,)] = con.execute(
            "select distinct description from marts.score_contributions where rule_id = 'sqlish_page'"
        ).fetchall()
        assert con.execute("select count(*) from raw.events").fetchone()[0] == 2
        assert con.execute("select count(*) from raw.contacts").fetchone()[0] == 2
    finally:
        con.close()
    # the literal strings matched, and only them
    assert points.get("ct_a:sqlish_page") == 7 and not points.get("ct_b:sqlish_page")
    assert points.get("ct_a:sqlish_title") == 4 and not points.get("ct_b:sqlish_title")
    assert description == SQLISH
    figures(capsys, "bad input: SQL-looking strings in 2 rule seeds (engagement, fit) built by dbt as data")


# --------------------------------------------------------------------------- re-processing


def test_quarantined_rows_exported_fixed_and_relanded_are_loaded(home):
    """`leadscore quarantine export` writes a file's quarantined rows as they arrived; fixed
    and landed under a new name, they load; the original quarantine rows stay."""
    from support import run_cli
    from support.bad_input import TS, ev, events_csv, parquet_bytes

    landing = home / "landing" / "events"
    landing.mkdir(parents=True)
    (landing / "day1.csv").write_bytes(
        events_csv(
            ev("q1"), ev("q2", at="10/03/2024"), ev("q3", contact=""), ev("q4", props='{"url": "/a, b"}')
        )
    )
    (landing / "day1.parquet").write_bytes(
        parquet_bytes(
            {
                "event_id": ["p1", "p2"],
                "contact_id": ["c1", "c1"],
                "event_type": ["page_view", "email_open"],
                "occurred_at": [TS, "soon"],
            }
        )
    )
    wh = home / "warehouse.duckdb"
    first = ingest(home / "landing", wh)
    assert (first.rows_loaded, first.rows_quarantined) == (3, 3)

    out = run_cli("quarantine", "export", "events/day1.csv")
    assert "wrote 2 quarantined rows" in out.stdout and "bad_timestamp 1" in out.stdout
    exported = home / "quarantine" / "events" / "day1.quarantined.csv"
    text = exported.read_text()
    assert text.splitlines()[0] == "event_id,contact_id,event_type,occurred_at,properties"
    assert len(text.splitlines()) == 3 and "q2,c1" in text and "q3,," in text
    fixed = text.replace("10/03/2024", TS).replace("q3,,", "q3,c1,")
    (landing / "day1.fixed.csv").write_text(fixed)

    run_cli("quarantine", "export", "events/day1.parquet")
    exported_pq = home / "quarantine" / "events" / "day1.quarantined.jsonl"
    (landing / "day1.fixed.jsonl").write_text(exported_pq.read_text().replace('"soon"', f'"{TS}"'))

    second = ingest(home / "landing", wh)
    assert (second.files_loaded, second.rows_loaded, second.rows_quarantined) == (2, 3, 0)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        ids = {r[0] for r in con.execute("select event_id from raw.events").fetchall()}
        assert ids == {"q1", "q2", "q3", "q4", "p1", "p2"}
        assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 3  # the record stays
    finally:
        con.close()
    # nothing to export: a clear error, exit 1
    none = run_cli("quarantine", "export", "events/day1.fixed.csv", check=False)
    assert none.returncode == 1 and "no quarantined rows" in none.stderr
    unknown = run_cli("quarantine", "export", "events/nope.csv", check=False)
    assert unknown.returncode == 1 and "not a loaded landing file" in unknown.stderr


# --------------------------------------------------------------------------- landing entries (issue 16)


def test_headerless_contacts_file_leaks_no_pii(home):
    """The first row of a headerless contacts file is data: its email, names and phone
    appear nowhere (load_log, quarantine, stdout, stderr); the file fails, exit 3."""
    from support import run_cli
    from support.bad_input import PII_ROW, contacts_csv, csv_bytes, ct

    folder = home / "landing" / "contacts"
    folder.mkdir(parents=True)
    row = ct(PII_ROW[0], email=PII_ROW[1], first_name=PII_ROW[2], last_name=PII_ROW[3], phone=PII_ROW[4])
    (folder / "headerless.csv").write_bytes(csv_bytes(row, [ct("m08_2")]))
    (folder / "good.csv").write_bytes(contacts_csv(ct("m08_3")))
    out = run_cli("ingest", check=False)
    assert out.returncode == 3, out.stderr
    assert "looks like data" in out.stdout and "failed: contacts/headerless.csv" in out.stdout
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        texts = [str(v) for r in con.execute("select * from raw.load_log").fetchall() for v in r]
        texts += [r[0] for r in con.execute("select reason from raw.quarantine").fetchall()]
        assert con.execute("select count(*) from raw.contacts").fetchone()[0] == 1
    finally:
        con.close()
    for value in PII_ROW[1:]:
        for where, text in [("stdout", out.stdout), ("stderr", out.stderr), ("raw tables", " ".join(texts))]:
            assert value not in text, (value, where)


def test_long_quarantined_row_is_exported_byte_identical(home):
    from support import run_cli
    from support.bad_input import BIG, TS, ev, events_csv

    folder = home / "landing" / "events"
    folder.mkdir(parents=True)
    header = b"event_id,contact_id,event_type,occurred_at,properties\n"
    long_rows = (
        f"x1,c1,{BIG},{TS},,surplus\n".encode() + f'x2,c1,"{BIG}'.encode() + b'"",x",' + b"y" * 30_000 + b"\n"
    )
    (folder / "long.csv").write_bytes(events_csv(ev("x0")) + long_rows)
    run_cli("ingest")
    out = run_cli("quarantine", "export", "events/long.csv")
    assert "wrote 2 quarantined rows" in out.stdout, out.stdout
    exported = (home / "quarantine" / "events" / "long.quarantined.csv").read_bytes()
    assert exported == header + long_rows


def test_symlinked_entity_folder_is_refused_and_nothing_outside_is_read(home, tmp_path):
    from support import run_cli
    from support.bad_input import ev, events_csv

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "e.csv").write_bytes(events_csv(ev("outside_1")))
    landing = home / "landing"
    landing.mkdir()
    (landing / "events").symlink_to(elsewhere, target_is_directory=True)
    (landing / "contacts").mkdir()
    out = run_cli("ingest", check=False)
    assert out.returncode == 3
    assert "refused: events/: a symbolic link" in out.stdout, out.stdout
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw.events").fetchone()[0] == 0
        assert con.execute("select status, entity from raw.load_log").fetchall() == [("refused", "events")]
    finally:
        con.close()


def test_a_missing_landing_folder_is_an_error(home):
    from support import run_cli

    out = run_cli("ingest", check=False)
    assert out.returncode == 1
    assert "does not exist" in out.stderr and str(home / "landing") in out.stderr
    assert "files:" not in out.stdout  # no summary of an empty success


def test_a_clean_ingest_exits_0(home):
    from support import run_cli
    from support.bad_input import ev, events_csv

    (home / "landing" / "events").mkdir(parents=True)
    (home / "landing" / "events" / "ok.csv").write_bytes(events_csv(ev("ok_1")))
    out = run_cli("ingest", check=False)
    assert out.returncode == 0 and "0 failed, 0 refused" in out.stdout, (out.stdout, out.stderr)


def test_a_line_over_the_line_limit_fails_its_file(tmp_path, monkeypatch):
    """A line longer than MAX_LINE_BYTES cannot be kept whole: the file fails, naming the
    line; a smaller limit stands in for the 64 MiB one."""
    from support.bad_input import TS, evo, jsonl_bytes

    from orchestration.ingest import lines

    monkeypatch.setattr(lines, "MAX_LINE_BYTES", 1 << 20)
    folder = tmp_path / "landing" / "events"
    folder.mkdir(parents=True)
    (folder / "big.jsonl").write_bytes(
        jsonl_bytes(evo("b1"), evo("b2", etype="z" * (2 << 20)), evo("b3", at=TS))
    )
    s = ingest(tmp_path / "landing", tmp_path / "wh.duckdb")
    assert s.files_failed == 1 and s.rows_read == 0
    assert "line 2 is longer than 1 MiB" in s.failed[0][1]


def test_the_landing_check_fails_on_entries_not_loaded(tmp_path):
    """The warning check's data: failed and refused entries still under landing/, on their
    entity's raw asset (an entry outside any entity folder on every one); gone ones drop out."""
    from support.bad_input import ev, events_csv

    from orchestration.defs.checks.landing import not_loaded

    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    (landing / "events").mkdir(parents=True)
    (landing / "events" / "ok.csv").write_bytes(events_csv(ev("ok_1")))
    (landing / "events" / "bad.xlsx").write_bytes(b"PK")
    (landing / "events" / "link.csv").symlink_to("ok.csv")
    (landing / "top.csv").write_bytes(b"x")
    ingest(landing, wh)
    rows = not_loaded(wh, landing)
    assert [(f, e, s) for f, e, s, _ in rows] == [
        ("events/bad.xlsx", "events", "failed"),
        ("events/link.csv", "events", "refused"),
        ("top.csv", None, "refused"),
    ]
    (landing / "top.csv").unlink()
    (landing / "events" / "bad.xlsx").unlink()
    assert [f for f, *_ in not_loaded(wh, landing)] == ["events/link.csv"]
