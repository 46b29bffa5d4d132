"""PII: the emails, names and phones of the landing files never leave the warehouse's PII
zone (raw, and the staging views and intermediate tables that score the contact's own
text), however they arrive: in the PII columns, in a custom attribute
(`personal_email`, `mobile`, `assistant`) or inside a job title. Credentials come only
from environment variables.

A home of its own (the reliability tests' generated landing files plus twelve contacts
that put PII into attributes and job titles, landed before the first run): a backfill, a
daily run and the report, all from the command line. Then EVERY file under
$LEADSCORE_HOME outside landing/ is scanned — the serving copy and its Parquet versions,
the report, dbt's run folders and logs, Dagster's storage (sqlite event logs, compute
logs), the run lock and ledgers — plus the commands' stdout and stderr, and every schema of
the warehouse but the PII zone. Databases are opened and every cell read (DuckDB, Parquet,
sqlite); every file's raw bytes are searched as well.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from support import PROJECT_DIR
from support import reliability as R

from orchestration.ingest import contract as C

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RUN = re.compile(r"\+?\d[\d ()./-]{6,}\d")
WORD = re.compile(r"\w+", re.UNICODE)

# The warehouse's PII zone: raw PII by design, and the scoring's working relations that
# read the contact's own text (job titles and custom attributes are matched by rules).
# Nothing there is published; the warehouse file is owner-only (docs/operations.md).
PII_ZONE = {"raw", "staging", "intermediate"}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return R._memo.get("base") or R._memo.setdefault("base", tmp_path_factory.mktemp("reliability"))


# --------------------------------------------------------------------------- the data

PLANTED = 12


def _planted_contacts() -> list[dict]:
    """Contacts that put PII where no PII column is: an email, a mobile and a person's
    name in custom attributes, a name and a phone in the job title (a title that a fit
    rule matches: `(?i)(data|analytic)`). dbt's artefacts hold the dbt unit tests'
    fixtures: those must not use these values."""
    people = [
        ("Zebulon", "Quackenbush"),
        ("Ottilie", "Vanderslice"),
        ("Barnaby", "Featherstonehaugh"),
        ("Philippa", "Oyelaran"),
        ("Cosimo", "Wrigglesworth"),
        ("Henrietta", "Babbington"),
        ("Lysander", "Okonkwo"),
        ("Marisol", "Thistlewood"),
        ("Evander", "Pemberton"),
        ("Isolde", "Ravenscroft"),
        ("Thaddeus", "Ainsworth"),
        ("Seraphina", "Culpepper"),
    ]
    rows = []
    for i, (first, last) in enumerate(people):
        other_first, other_last = people[(i + 1) % len(people)]
        rows.append(
            {
                "contact_id": f"ct_pii_{i:02d}",
                "email": f"{first.lower()}.{last.lower()}@planted-work.example",
                "first_name": first,
                "last_name": last,
                "phone": f"+44 20 7946 {i:04d}",
                "job_title": f"Head of Data; {other_first} {other_last}'s assistant, "
                f"call +44 161 496 {i:04d}",
                "seniority": "director",
                "company_id": "co_000004",
                "country": "GB",
                "lead_source": "event",
                "attributes": json.dumps(
                    {
                        "personal_email": f"{first.lower()}{i}@planted-home.example",
                        "mobile": f"+44 7700 900{i:03d}",
                        "assistant": f"{other_first} {other_last}",
                        "budget": "50k-250k",
                    }
                ),
                "created_at": "2024-02-20T09:00:00Z",
                "updated_at": "2024-02-20T09:00:00Z",
            }
        )
    return rows


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


class Pii:
    """What the landing files say about people, and a finder for it in any text: every
    email anywhere in a contact row, every phone (the phone column and any phone-like run
    of digits in a job title or attribute), every full name (first and last name, and
    the names typed into an `assistant` attribute), every first and last name on its own
    when a value is exactly that name (a name alone inside longer text is too often a
    common word: Will, Mark, Data)."""

    def __init__(self, landing: Path):
        self.emails, self.phones, self.names, self.full_names = set(), set(), set(), set()
        for path in sorted((landing / "contacts").iterdir()):
            assert path.suffix == ".csv", path  # the generator writes contacts as CSV
            with open(path, newline="", encoding="utf-8", errors="replace") as f:
                for row in csv.DictReader(f):
                    text = " ".join(v or "" for v in row.values())
                    self.emails.update(e.lower() for e in EMAIL.findall(text))
                    if row.get("phone"):
                        self.phones.add(_digits(row["phone"]))
                    for free in (row.get("job_title") or "", row.get("attributes") or ""):
                        self.phones.update(
                            _digits(p) for p in PHONE_RUN.findall(free) if len(_digits(p)) >= 9
                        )
                    first, last = (row.get("first_name") or "").strip(), (row.get("last_name") or "").strip()
                    self.names.update(n.lower() for n in (first, last) if n)
                    if first and last:
                        self.full_names.add(f"{first} {last}".lower())
                    with_attrs = json.loads(row["attributes"]) if row.get("attributes") else {}
                    if isinstance(with_attrs, dict) and isinstance(with_attrs.get("assistant"), str):
                        self.full_names.add(with_attrs["assistant"].lower())
        self.phones.discard("")

    def find(self, text: str, whole_value: bool = True) -> list[str]:
        low = text.lower()
        hits = [e for e in EMAIL.findall(low) if e in self.emails]
        hits += [p for p in PHONE_RUN.findall(text) if _digits(p) in self.phones]
        words = WORD.findall(low)
        hits += [f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if f"{a} {b}" in self.full_names]
        if whole_value and low.strip() in self.names:  # a value that is exactly a first or last name
            hits.append(low.strip())
        return hits

    def find_in_bytes(self, data: bytes) -> list[str]:
        """Raw bytes of any file (binary too): every email and full name as a substring,
        every phone as landed and as bare digits."""
        low = data.lower()
        hits = [e for e in self.emails if e.encode() in low]
        hits += [n for n in self.full_names if n.encode() in low]
        digits = set(re.findall(rb"\d{9,}", data))
        hits += [p for p in self.phones if p.encode() in digits]
        hits += [p for p in PHONE_RUN.findall(data.decode("utf-8", "replace")) if _digits(p) in self.phones]
        return hits


# --------------------------------------------------------------------------- the home


class Home:
    def __init__(self, path: Path, outputs: dict[str, str]):
        self.path = path
        self.outputs = outputs  # "<command> stdout|stderr" -> text


@pytest.fixture(scope="module")
def home(base) -> Home:
    if "pii_home" in R._memo:
        return R._memo["pii_home"]
    src = R.landing_source(base)
    path = base / "pii"
    R.land(src, path, R.all_files(src))
    planted = _planted_contacts()
    extra = path / "landing" / "contacts" / "contacts_planted.csv"
    with open(extra, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(planted[0]))
        writer.writeheader()
        writer.writerows(planted)
    last = R.LAST
    commands = [
        ("backfill", "--start", R.FIRST.isoformat(), "--end", (last - dt.timedelta(days=1)).isoformat()),
        ("run", "--date", last.isoformat()),
        ("report",),
    ]
    outputs = {}
    for args in commands:
        proc = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", *args],
            cwd=PROJECT_DIR,
            env=R.cli_env(path),
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert proc.returncode == 0, (args, proc.stdout[-3000:], proc.stderr[-3000:])
        outputs[f"{args[0]} stdout"], outputs[f"{args[0]} stderr"] = proc.stdout, proc.stderr
    return R._memo.setdefault("pii_home", Home(path, outputs))


# --------------------------------------------------------------------------- scanning


def _scan_duckdb(con, pii: Pii, schemas: set[str] | None = None, skip: set[str] = frozenset()):
    """Every column of every table and view, every distinct value as text: (values, hits)."""
    scanned, hits = 0, {}
    relations = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() order by all"
    ).fetchall()
    for schema, table in relations:
        if (schemas is not None and schema not in schemas) or schema in skip:
            continue
        rel = f'"{schema}"."{table}"'
        for col, *_ in con.execute(f"describe select * from {rel}").fetchall():
            for (value,) in con.execute(
                f'select distinct cast("{col}" as varchar) from {rel} where "{col}" is not null'
            ).fetchall():
                scanned += 1
                if found := pii.find(value):
                    hits.setdefault(f"{schema}.{table}.{col}", []).extend(found[:3])
    return scanned, hits


def _scan_parquet(path: Path, pii: Pii):
    con = duckdb.connect()
    try:
        con.execute(f"create view t as select * from read_parquet('{path}')")
        return _scan_duckdb(con, pii, {"main"})
    finally:
        con.close()


def _scan_sqlite(path: Path, pii: Pii):
    scanned, hits = 0, {}
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        tables = [t for (t,) in con.execute("select name from sqlite_master where type = 'table'")]
        for table in tables:
            for row in con.execute(f'select * from "{table}"'):
                for value in row:
                    if value is None:
                        continue
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                    scanned += 1
                    if found := pii.find(text):
                        hits.setdefault(f"{table}", []).extend(found[:3])
    finally:
        con.close()
    return scanned, hits


def _kind(path: Path) -> str:
    head = path.open("rb").read(16)
    if head[8:12] == b"DUCK":
        return "duckdb"
    if head[:4] == b"PAR1":
        return "parquet"
    if head.startswith(b"SQLite format 3"):
        return "sqlite"
    return "file"


def _files_outside_landing(home: Path) -> list[Path]:
    warehouse = {home / "warehouse.duckdb", home / "warehouse.duckdb.wal"}
    return sorted(
        p
        for p in home.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and p.relative_to(home).parts[0] != "landing"
        and p not in warehouse
    )


# --------------------------------------------------------------------------- the tests


def test_the_data_puts_pii_into_attributes_and_job_titles(home):
    pii = Pii(home.path / "landing")
    assert len(pii.emails) >= 100 + 2 * PLANTED and len(pii.phones) >= 100 + 3 * PLANTED
    assert len(pii.full_names) >= 100
    for i in range(PLANTED):
        assert _digits(f"+44 161 496 {i:04d}") in pii.phones
        assert _digits(f"+44 7700 900{i:03d}") in pii.phones
    # the scan can fail: it finds the planted PII where it is, in the PII zone
    con = duckdb.connect(str(home.path / "warehouse.duckdb"), read_only=True)
    try:
        _, in_raw = _scan_duckdb(con, pii, {"raw"})
        _, in_zone = _scan_duckdb(con, pii, {"intermediate"})
        [(planted_fit,)] = con.execute(
            "select count(*) from marts.score_contributions where contact_id like 'ct_pii_%' "
            "and rule_id = 'title_data'"
        ).fetchall()
    finally:
        con.close()
    assert {
        "raw.contacts.email",
        "raw.contacts.phone",
        "raw.contacts.job_title",
        "raw.contacts.attributes",
    } <= set(in_raw)
    assert "intermediate.int_contact_fields_unpivoted.value_text" in in_zone
    # the planted job titles score (their evidence would have carried them)
    assert planted_fit >= PLANTED


def test_no_email_name_or_phone_in_any_file_outside_landing_nor_outside_the_pii_zone(home, capsys):
    pii = Pii(home.path / "landing")
    files = _files_outside_landing(home.path)
    kinds: dict[str, int] = {}
    hits: dict[str, list] = {}
    values = 0
    for path in files:
        rel = str(path.relative_to(home.path))
        kind = _kind(path)
        kinds[kind] = kinds.get(kind, 0) + 1
        if found := pii.find_in_bytes(path.read_bytes()):
            hits[f"{rel} (bytes)"] = found[:3]
        if kind == "duckdb":
            con = duckdb.connect(str(path), read_only=True)
            try:
                n, found = _scan_duckdb(con, pii)
            finally:
                con.close()
        elif kind == "parquet":
            n, found = _scan_parquet(path, pii)
        elif kind == "sqlite":
            n, found = _scan_sqlite(path, pii)
        else:
            n, found = 0, {}
        values += n
        hits.update({f"{rel}: {k}": v for k, v in found.items()})
    assert hits == {}, hits
    # what the scan covered: every kind of output a run leaves
    rels = [str(p.relative_to(home.path)) for p in files]
    assert "serving/leadscore.duckdb" in rels
    assert any(r.startswith("serving/parquet.versions/") and r.endswith(".parquet") for r in rels)
    assert any(r.startswith("serving/") and r.endswith(".html") for r in rels)  # the report
    assert any(r.startswith("dbt_runs/") and r.endswith("run_results.json") for r in rels)
    assert any(r.startswith("dbt_runs/") and r.endswith(".log") for r in rels)
    assert any(r.startswith("dbt/") for r in rels)
    assert any(r.startswith("dagster/") for r in rels) and kinds.get("sqlite", 0) >= 1
    assert kinds.get("parquet", 0) >= 5 and kinds.get("duckdb", 0) >= 1
    serving = duckdb.connect(str(home.path / "serving" / "leadscore.duckdb"), read_only=True)
    try:
        published = {
            t for (t,) in serving.execute("select table_name from information_schema.tables").fetchall()
        }
    finally:
        serving.close()
    assert published >= R.public_mart_names() | {"attribute_lift", "score_contributions"}

    # the warehouse: every schema but the PII zone, cell by cell
    con = duckdb.connect(str(home.path / "warehouse.duckdb"), read_only=True)
    try:
        schemas = {
            s
            for (s,) in con.execute("select distinct table_schema from information_schema.tables").fetchall()
        }
        n_wh, found = _scan_duckdb(con, pii, skip=PII_ZONE)
    finally:
        con.close()
    assert {"marts", "rules"} <= schemas - PII_ZONE and found == {}, found

    # what the commands printed
    for name, text in home.outputs.items():
        assert not pii.find(text, whole_value=False), name
    R.figures(
        capsys,
        f"PII: {len(pii.emails)} emails, {len(pii.phones)} phones, {len(pii.full_names)} full names "
        f"searched in {len(files)} files outside landing/ ({kinds}), {values} database values, "
        f"{n_wh} values of warehouse schemas {sorted(schemas - PII_ZONE)}, "
        f"{len(home.outputs)} command outputs: 0 found",
    )


def test_no_pii_column_in_any_published_table(home):
    pii_columns = {c.name for e in C.ENTITIES.values() for c in e.columns if c.pii}
    con = duckdb.connect(str(home.path / "serving" / "leadscore.duckdb"), read_only=True)
    try:
        cols = {
            c.lower() for (c,) in con.execute("select column_name from information_schema.columns").fetchall()
        }
    finally:
        con.close()
    assert cols and not (cols & pii_columns)


def test_written_files_are_owner_only(home):
    """Every file the runs wrote (warehouse, serving copy, Dagster, dbt) is its owner's only."""
    written = [p for p in home.path.rglob("*") if p.relative_to(home.path).parts[0] != "landing"]
    assert [p for p in written if not p.is_symlink() and p.stat().st_mode & 0o077] == []


def test_credentials_only_through_environment_variables():
    """Every credential-like setting of the dbt profile (also the commented examples) reads
    an environment variable; no password, token or key is written in the project."""
    secret_keys = re.compile(
        r"^\s*#?\s*(password|pass|token|secret|api_key|key|user|host|http_path)\s*:\s*(.*)$"
    )
    profile = (PROJECT_DIR / "profiles.example.yml").read_text().splitlines()
    settings = [m.groups() for line in profile if (m := secret_keys.match(line))]
    assert settings, "the example profile shows how to pass credentials"
    for key, value in settings:
        assert "env_var(" in value, f"{key}: {value}"
    literal = re.compile(r"""(password|token|secret|api_key)\s*[:=]\s*['"][^'"{]+['"]""", re.I)
    for path in list((PROJECT_DIR / "orchestration").glob("*.py")) + [PROJECT_DIR / "dbt_project.yml"]:
        assert not literal.search(path.read_text()), path
