"""What changed in the warehouse since the last publish: which months a publish re-examines.

Publishing score history used to compare a checksum of every month of history between the
warehouse and the serving copy, so its cost grew with the length of history. Yet a daily
run changes history only from its window on: the incremental history models (config
`window_column`, strategy replace_window) delete and re-insert their rows from
history_window_start() on (the run's first day minus lookback_days) and leave the rows
before untouched. This ledger records, for every write to the warehouse made through
leadscore, from which day each such model may have changed, so that the next publish
re-examines only those months (serving.publish, `recheck_from`).

It lives in $LEADSCORE_HOME/.publish/ledger.json and is only written under the run lock.
It is trusted only as far as it can be checked, and otherwise the publish re-examines every
month, as it always did:

- a write begins by marking itself pending and ends by recording what it changed: a run
  killed in between leaves the mark, and the next publish examines everything;
- the dbt build records, per windowed model, the day its delete started from, read from
  the SQL dbt ran (target/run/...): a full recompute (a new table, a new model version, a
  --full-refresh, no history_start), or SQL it does not recognise, counts as everything;
- every recorded write ends by storing the warehouse file's size and modification time
  (and its WAL's): a write made any other way (dbt by hand, a script) no longer matches
  them, and the next publish examines everything;
- the project (models, seeds, macros, dbt_project.yml) as dbt last built it is
  fingerprinted: a publish after a change of it examines everything (a seed edit changes
  every month of a mart that joins the seed);
- the ledger names the serving version it is relative to; a serving copy that is not the
  one last published (deleted, restored from a backup) is examined in full.

After a publish swapped in its new version, the ledger starts over from it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.runtime import config

LEDGER_VERSION = 1


def ledger_path() -> Path:
    return config.home() / ".publish" / "ledger.json"


def _stat(path: Path) -> list[int]:
    try:
        st = path.stat()
        return [st.st_size, st.st_mtime_ns]
    except FileNotFoundError:
        return [-1, -1]


def warehouse_stat(warehouse: Path) -> list[int]:
    """Size and mtime of the warehouse file and of its write-ahead log."""
    return [*_stat(warehouse), *_stat(Path(str(warehouse) + ".wal"))]


@dataclass
class Ledger:
    warehouse: str = ""
    stat: list[int] = field(default_factory=list)
    published: str | None = None  # serving version the changes below are relative to
    published_project: str | None = None
    project: str | None = None  # fingerprint of the project as dbt last built it
    everything: bool = True  # history may have changed anywhere
    since: dict[str, str] = field(default_factory=dict)  # windowed model -> first day changed
    pending: dict[str, str] = field(default_factory=dict)  # writes begun, not ended

    @classmethod
    def load(cls) -> Ledger:
        try:
            raw = json.loads(ledger_path().read_text())
        except (OSError, ValueError):
            return cls()
        if raw.get("version") != LEDGER_VERSION:
            return cls()
        raw.pop("version")
        try:
            return cls(**raw)
        except TypeError:
            return cls()

    def save(self) -> None:
        path = ledger_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "w") as f:
            json.dump({"version": LEDGER_VERSION, **self.__dict__}, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def check_warehouse(self, warehouse: Path) -> None:
        """A write not recorded here happened (or another warehouse is used): everything."""
        if self.warehouse != str(warehouse) or self.stat != warehouse_stat(warehouse):
            self.everything = True
            self.warehouse = str(warehouse)

    def changed(self, model: str, since: dt.date) -> None:
        old = self.since.get(model)
        if old is None or since.isoformat() < old:
            self.since[model] = since.isoformat()


class Write:
    """What a write changed, told by the code that made it (default: everything)."""

    def __init__(self) -> None:
        self.everything = True
        self.since: dict[str, dt.date] = {}
        self.project: str | None = None

    def history_untouched(self) -> None:
        self.everything = False

    def history_changed(self, since: Mapping[str, dt.date], everything: bool = False) -> None:
        self.everything = everything
        self.since = dict(since)


@contextlib.contextmanager
def warehouse_write(what: str, warehouse: Path | None = None) -> Iterator[Write]:
    """Record a write to the warehouse (hold the run lock around it)."""
    warehouse = (warehouse or config.warehouse_path()).absolute()
    ledger = Ledger.load()
    ledger.check_warehouse(warehouse)
    token = uuid.uuid4().hex[:12]
    ledger.pending[token] = what
    ledger.save()
    write = Write()
    try:
        yield write
    finally:
        ledger = Ledger.load()  # nobody else writes it while we hold the run lock
        ledger.pending.pop(token, None)
        if write.everything:
            ledger.everything = True
        for model, since in write.since.items():
            ledger.changed(model, since)
        if write.project is not None:
            ledger.project = write.project
        ledger.warehouse = str(warehouse)
        ledger.stat = warehouse_stat(warehouse)
        ledger.save()


def recheck_from(
    monthly: Mapping[str, list[str] | None], serving_version: str | None, warehouse: Path | None = None
) -> dict[str, dt.date]:
    """For each monthly public table (name -> the windowed models it reads, or None when it
    reads anything else that may change), the first day whose rows may differ from the
    serving copy: dt.date.max when none may. Tables left out are examined in full."""
    warehouse = (warehouse or config.warehouse_path()).absolute()
    ledger = Ledger.load()
    if (
        ledger.everything
        or ledger.pending
        or ledger.published is None
        or ledger.published != serving_version
        or ledger.project is None
        or ledger.project != ledger.published_project
        or ledger.warehouse != str(warehouse)
        or ledger.stat != warehouse_stat(warehouse)
    ):
        return {}
    out: dict[str, dt.date] = {}
    for name, models in monthly.items():
        if models is None:
            continue
        days = [dt.date.fromisoformat(ledger.since[m]) for m in models if m in ledger.since]
        out[name] = min(days) if days else dt.date.max
    return out


def published(version: str, warehouse: Path | None = None) -> None:
    """The serving copy is now `version`, made from the warehouse as it is now (the run lock
    is held, nothing wrote since the publish read it): later changes count from here."""
    warehouse = (warehouse or config.warehouse_path()).absolute()
    ledger = Ledger.load()
    ledger.published = version
    ledger.published_project = ledger.project
    ledger.since = {}
    ledger.everything = False
    ledger.pending = {}
    ledger.warehouse = str(warehouse)
    ledger.stat = warehouse_stat(warehouse)
    ledger.save()


# --------------------------------------------------------------------------- dbt builds


def project_fingerprint(manifest: Mapping[str, Any], project_dir: Path) -> str:
    """What the data depends on in the project dbt built: models, seeds (their files'
    checksums and configs), every macro, and dbt_project.yml. Tests are left out."""
    h = hashlib.sha256()
    nodes = manifest.get("nodes", {})
    for uid in sorted(nodes):
        node = nodes[uid]
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            continue
        h.update(
            json.dumps([uid, node.get("checksum"), node.get("config")], sort_keys=True, default=str).encode()
        )
    macros = manifest.get("macros", {})
    for uid in sorted(macros):
        h.update(json.dumps([uid, macros[uid].get("macro_sql")]).encode())
    with contextlib.suppress(OSError):
        h.update((project_dir / "dbt_project.yml").read_bytes())
    return h.hexdigest()


def windowed_models(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """unique_id -> node of every enabled incremental model with a window_column."""
    return {
        uid: node
        for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "model"
        and (node.get("config") or {}).get("materialized") == "incremental"
        and (node.get("config") or {}).get("window_column")
    }


def _window_start(sql: str, relation: str, column: str) -> dt.date | None:
    """The day a replace_window run deleted from, or None when its SQL is anything else
    (a full recompute, a table created anew, a shape not known here)."""
    rel = re.escape(relation)
    col = re.escape(column)
    # A run that recomputed the leads it touched only (config touched_key) narrows the
    # delete by `and (...)`: what it changed still starts on that day.
    pattern = (
        rf"^\s*delete\s+from\s+{rel}\s+where\s+\"?{col}\"?\s*>=\s*"
        rf"cast\(\s*'(\d{{4}}-\d{{2}}-\d{{2}})'\s+as\s+date\s*\)(?:\s+and\s+\([^;]*\))?\s*;"
    )
    m = re.match(pattern, sql, flags=re.IGNORECASE)
    if not m:
        return None
    # Exactly one delete, and it is the windowed one.
    if len(re.findall(r"\bdelete\s+from\b", sql, flags=re.IGNORECASE)) != 1:
        return None
    return dt.date.fromisoformat(m.group(1))


def dbt_build_changes(target_path: Path, write: Write) -> None:
    """Fill `write` with what a dbt build writing into target_path changed in history
    (left as "everything" when its artifacts do not say it for sure)."""
    try:
        _dbt_build_changes(target_path, write)
    except Exception:  # noqa: BLE001 - anything unexpected: everything changed
        write.history_changed({}, everything=True)


def _dbt_build_changes(target_path: Path, write: Write) -> None:
    try:
        results = json.loads((target_path / "run_results.json").read_text())
        manifest = json.loads((target_path / "manifest.json").read_text())
    except (OSError, ValueError):
        return  # dbt did not get far enough to say: everything (the default)
    write.project = project_fingerprint(manifest, config.PROJECT_DIR)
    status = {r.get("unique_id"): r.get("status") for r in results.get("results", [])}
    since: dict[str, dt.date] = {}
    for uid, node in windowed_models(manifest).items():
        if status.get(uid) in (None, "skipped"):
            continue  # not run: unchanged
        if status.get(uid) != "success":
            return  # failed (its transaction should have rolled back; not relied upon)
        run_file = target_path / "run" / node["package_name"] / node["original_file_path"]
        try:
            sql = run_file.read_text()
        except OSError:
            return
        relation = node.get("relation_name") or ""
        start = _window_start(sql, relation, node["config"]["window_column"])
        if start is None:
            return
        since[node["name"]] = start
    write.history_changed(since)
