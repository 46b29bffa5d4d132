"""The warehouse, read-only: the built tables calibrate reads, and what it needs to know
about the model being calibrated.

The warehouse file is attached read-only (as `wh`) to an in-memory DuckDB, so calibrate's
own working tables live in memory and nothing is ever written to the warehouse. The caller
holds the run lock while reading (as a run would), so a daily run that starts meanwhile
waits instead of failing to open the file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.calibrate.options import CalibrateError, WarehouseBusyError
from orchestration.runtime import config

# What calibrate reads, all built by `leadscore build` (or a run).
REQUIRED = [
    ("intermediate", "int_lead_outcomes"),
    ("intermediate", "int_score_dates"),
    ("intermediate", "int_contact_profiles_versioned"),
    ("intermediate", "int_contact_fields_unpivoted"),
    ("intermediate", "int_segment_memberships"),
    ("staging", "stg_raw__events"),
    ("staging", "stg_raw__contacts"),
    ("staging", "stg_raw__opportunities"),
    ("marts", "lead_score_history"),
    ("rules", "scoring_models"),
    ("rules", "segment_conditions"),
    ("rules", "engagement_rules"),
    ("rules", "score_bands"),
]


@contextlib.contextmanager
def attached(path: Path | None = None) -> Iterator:
    """An in-memory DuckDB connection with the warehouse attached read-only as `wh`."""
    import duckdb

    path = Path(path or config.warehouse_path())
    if not path.exists():
        raise CalibrateError(
            f"no warehouse at {path}: land files and run `leadscore ingest` and `leadscore build` "
            "(or `leadscore run`) first"
        )
    con = duckdb.connect(
        ":memory:", config={"threads": config.duckdb_threads(), "memory_limit": config.duckdb_memory_limit()}
    )
    try:
        con.execute("set TimeZone = 'UTC'")
        try:
            con.execute("attach ? as wh (read_only)", [str(path)])
        except duckdb.Error as e:
            if "lock" in str(e).lower():
                raise WarehouseBusyError(
                    f"the warehouse {path} is open for writing by another process (a run, a build "
                    "or plain dbt): try again when it has finished"
                ) from None
            raise CalibrateError(f"cannot open the warehouse {path}: {e}") from None
        _check_built(con, path)
        yield con
    finally:
        con.close()


def _check_built(con, path: Path) -> None:
    found = set(
        con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'wh' "
            "union all select schema_name, view_name from duckdb_views() where database_name = 'wh'"
        ).fetchall()
    )
    missing = [f"{s}.{t}" for s, t in REQUIRED if (s, t) not in found]
    if missing:
        raise CalibrateError(
            f"the warehouse {path} has not been built ({', '.join(missing[:3])}"
            f"{' …' if len(missing) > 3 else ''} missing): run `leadscore build` (or `leadscore run`) first"
        )


@dataclass
class ModelInfo:
    """The model being calibrated, as the warehouse's rules hold it."""

    model_id: str
    active_version: int | None  # None: a new model id
    versions: list[int] = field(default_factory=list)
    active_row: dict | None = None  # its scoring_models row
    segment_conditions: list[dict] = field(default_factory=list)  # the active version's
    top_band_min: float | None = None  # the active version's highest band starts here
    bands: list[tuple[str, float]] = field(default_factory=list)  # its (band, min_score), coldest first

    @property
    def is_new(self) -> bool:
        return self.active_version is None


def _dicts(cur) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def model_info(con, model_id: str) -> ModelInfo:
    rows = _dicts(con.execute("select * from wh.rules.scoring_models where model_id = ?", [model_id]))
    versions = sorted(int(r["model_version"]) for r in rows)
    active = [r for r in rows if r["is_active"]]
    if not active:
        return ModelInfo(model_id, None, versions)
    row = active[0]
    version = int(row["model_version"])
    conditions = _dicts(
        con.execute(
            "select * from wh.rules.segment_conditions where model_id = ? and model_version = ? "
            "order by condition_id",
            [model_id, version],
        )
    )
    bands = con.execute(
        "select band, min_score from wh.rules.score_bands where model_id = ? and model_version = ? "
        "order by band_rank",
        [model_id, version],
    ).fetchall()
    top = bands[-1:]
    return ModelInfo(
        model_id,
        version,
        versions,
        active_row=row,
        segment_conditions=conditions,
        top_band_min=float(top[0][1]) if top else None,
        bands=[(str(b), float(m)) for b, m in bands],
    )


def engagement_filters(con) -> list[tuple[str, str, str, str]]:
    """The distinct filters of every engagement rule the warehouse holds (any model):
    (event_type, property, operator, value), event type lower-case; candidate features."""
    rows = con.execute(
        "select distinct lower(event_type), property, operator, value from wh.rules.engagement_rules "
        "where event_type is not null and property is not null and operator is not null "
        "order by all"
    ).fetchall()
    return [tuple(r) for r in rows]
