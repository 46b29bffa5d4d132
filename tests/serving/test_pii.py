"""PII: the emails, names and phones of the landing files never reach the serving copy or
the public marts (they are dropped in staging; only the email domain goes on), nor the
run logs; credentials come only from environment variables.

Scans the reference home of tests/support/reliability.py (every file landed, a backfill and a
daily run) and the output of the command-line runs made on it.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest
from support import PROJECT_DIR
from support import reliability as R

from orchestration.ingest import contract as C

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RUN = re.compile(r"\+?\d[\d ()./-]{6,}\d")
WORD = re.compile(r"\w+", re.UNICODE)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return R._memo.get("base") or R._memo.setdefault("base", tmp_path_factory.mktemp("reliability"))


class Pii:
    """What the landing files say about people, and a finder for it in any text."""

    def __init__(self, landing: Path):
        self.emails, self.phones, self.names, self.full_names = set(), set(), set(), set()
        for path in sorted((landing / "contacts").iterdir()):
            assert path.suffix == ".csv", path  # the generator writes contacts as CSV
            with open(path, newline="", encoding="utf-8", errors="replace") as f:
                for row in csv.DictReader(f):
                    if row.get("email"):
                        self.emails.add(row["email"].strip().lower())
                    if row.get("phone"):
                        self.phones.add(re.sub(r"\D", "", row["phone"]))
                    first, last = (row.get("first_name") or "").strip(), (row.get("last_name") or "").strip()
                    self.names.update(n.lower() for n in (first, last) if n)
                    if first and last:
                        self.full_names.add(f"{first} {last}".lower())
        self.phones.discard("")

    def find(self, text: str) -> list[str]:
        low = text.lower()
        hits = [e for e in EMAIL.findall(low) if e in self.emails]
        hits += [p for p in PHONE_RUN.findall(text) if re.sub(r"\D", "", p) in self.phones]
        words = WORD.findall(low)
        hits += [f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if f"{a} {b}" in self.full_names]
        if low.strip() in self.names:  # a value that is exactly a first or last name
            hits.append(low.strip())
        return hits


PII_COLUMNS = {c.name for e in C.ENTITIES.values() for c in e.columns if c.pii}


def _scan_relations(
    con, relations: list[str], pii: Pii, pii_columns_allowed: bool = False
) -> tuple[int, dict]:
    """Every column of every relation, every distinct value as text: (values scanned, hits)."""
    scanned, hits = 0, {}
    for rel in relations:
        for col, *_ in con.execute(f"describe select * from {rel}").fetchall():
            assert pii_columns_allowed or col.lower() not in PII_COLUMNS, (rel, col)
            for (value,) in con.execute(
                f'select distinct cast("{col}" as varchar) from {rel} where "{col}" is not null'
            ).fetchall():
                scanned += 1
                found = pii.find(value)
                if found:
                    hits.setdefault(f"{rel}.{col}", []).extend(found[:3])
    return scanned, hits


def test_no_email_name_or_phone_in_any_serving_table_or_public_mart(base, capsys):
    ref = R.reference(base)
    pii = Pii(ref.home / "landing")
    assert len(pii.emails) >= 100 and len(pii.phones) >= 100 and len(pii.full_names) >= 100
    serving = duckdb.connect(str(ref.home / "serving" / "leadscore.duckdb"), read_only=True)
    try:
        tables = [
            f'main."{t}"'
            for (t,) in serving.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        ]
        assert {t.split('"')[1] for t in tables} >= R.public_mart_names()
        n_serving, hits = _scan_relations(serving, tables, pii)
    finally:
        serving.close()
    assert hits == {}, hits
    parquet = R.parquet_relations((ref.home / "serving" / "parquet").resolve())
    con = duckdb.connect()
    try:
        n_pq, hits = _scan_relations(con, list(parquet.values()), pii)
    finally:
        con.close()
    assert set(parquet) >= R.public_mart_names() - {"lead_score_history"} and hits == {}, hits
    wh = duckdb.connect(str(ref.home / "warehouse.duckdb"), read_only=True)
    try:
        marts = [
            f'marts."{t}"'
            for (t,) in wh.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        n_marts, hits = _scan_relations(wh, marts, pii)
        assert hits == {}, hits
        # the scan can fail: it finds the PII where it is (raw), and the domain where it is kept
        _, in_raw = _scan_relations(wh, ["raw.contacts"], pii, pii_columns_allowed=True)
        [(domains,)] = wh.execute(
            "select count(distinct email_domain) from staging.stg_raw__contacts"
        ).fetchall()
    finally:
        wh.close()
    assert {"raw.contacts.email", "raw.contacts.phone"} <= set(in_raw)
    assert domains > 1
    R.figures(
        capsys,
        f"PII: {len(pii.emails)} emails, {len(pii.phones)} phones, {len(pii.full_names)} names "
        f"searched in {n_serving} serving values, {n_pq} Parquet values, {n_marts} mart values: 0 found",
    )


def test_no_landing_email_or_phone_in_run_output_or_logs(base, capsys):
    ref = R.reference(base)
    pii = Pii(ref.home / "landing")
    again = R.reruns(base)  # three command-line runs on this home: their stdout and stderr
    texts = {
        f"run {i} {stream}": text
        for i, (_, _, out, err) in enumerate(again.procs)
        for stream, text in (("stdout", out), ("stderr", err))
    }
    assert any("succeeded" in t for t in texts.values())
    # dbt's logs and artefacts of every run, and the Dagster instance (event log, runs)
    scanned = 0
    for folder in (ref.home / "dbt_runs", ref.home / "dagster"):
        for path in folder.rglob("*"):
            if path.is_file():
                texts[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    for name, text in texts.items():
        scanned += len(text)
        lowered = text.lower()
        assert not [e for e in pii.emails if e in lowered], name
        assert not [p for p in PHONE_RUN.findall(text) if re.sub(r"\D", "", p) in pii.phones], name
    R.figures(
        capsys,
        f"PII: {len(texts)} run outputs and log files ({scanned // 1024} KiB) scanned: "
        "no landing email or phone",
    )


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
