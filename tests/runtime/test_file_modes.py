"""The warehouse holds raw PII: leadscore creates it, its write-ahead log and its folder
readable by the owner only (0600 / 0700), or by the group too with LEADSCORE_SHARE_GROUP=1
(0640 / 0750). Real `leadscore ingest` processes and real DuckDB files; modes read back
with stat."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support import PROJECT_DIR


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _ingest(home: Path, warehouse: Path, **env) -> subprocess.CompletedProcess:
    contacts = home / "landing" / "contacts"
    contacts.mkdir(parents=True)
    (contacts / "contacts.jsonl").write_text(
        json.dumps(
            {"contact_id": "c1", "created_at": "2024-02-01T09:00:00Z", "updated_at": "2024-02-01T09:00:00Z"}
        )
        + "\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "ingest"],
        cwd=PROJECT_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k != "LEADSCORE_SHARE_GROUP"},
            "LEADSCORE_HOME": str(home),
            "LEADSCORE_DUCKDB_PATH": str(warehouse),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.mark.parametrize(
    ("env", "file_mode", "folder_mode"),
    [({}, 0o600, 0o700), ({"LEADSCORE_SHARE_GROUP": "1"}, 0o640, 0o750)],
    ids=["owner-only", "share-group"],
)
def test_ingest_creates_the_warehouse_and_its_folder_owner_only(tmp_path, env, file_mode, folder_mode):
    os.chmod(tmp_path, 0o755)
    warehouse = tmp_path / "private" / "warehouse.duckdb"  # a folder ingest has to create
    _ingest(tmp_path / "home", warehouse, **env)
    assert _mode(warehouse) == file_mode
    assert _mode(warehouse.parent) == folder_mode
    # and so is anything else the command wrote (the run lock, the ledger)
    for path in (tmp_path / "home").rglob("*"):
        if "landing" not in path.relative_to(tmp_path / "home").parts:
            assert _mode(path) & 0o007 == 0, path
            assert (_mode(path) & 0o070 == 0) == (not env), path


def test_the_write_ahead_log_is_owner_only_and_an_older_warehouse_is_made_so(tmp_path, monkeypatch):
    from orchestration.runtime import config

    monkeypatch.delenv("LEADSCORE_SHARE_GROUP", raising=False)
    before = os.umask(0o022)
    try:
        old = tmp_path / "old.duckdb"
        con = config.connect(old)
        con.close()
        os.chmod(old, 0o644)  # as leadscore used to create it
        con = config.connect(old)
        try:
            assert _mode(old) == 0o600
            con.execute("create table t as select range as i from range(1000)")
            con.execute("insert into t select range from range(10)")
            wal = old.with_name(old.name + ".wal")
            assert wal.exists() and _mode(wal) == 0o600
        finally:
            con.close()
        # reading never changes modes (a BI user may read a copy it does not own)
        os.chmod(old, 0o644)
        config.connect(old, read_only=True).close()
        assert _mode(old) == 0o644
    finally:
        os.umask(before)
