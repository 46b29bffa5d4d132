"""The landing-entries check: every landing entry that was not loaded (`failed` or
`refused` in raw.load_log) fails a warning check on its entity's raw asset, so that an
alert can act on it; the run goes on and publishes.

One check per raw asset, `landing_files_loaded`, evaluated together after ingestion. It
reads the `failed` and `refused` rows of raw.load_log (ingestion settles those entries
again on every run, so their rows say how the last ingest found them) of entries still
present under the landing folder (an entry removed since is history, not a problem).
An entry outside any entity folder whose entity cannot be told (a file directly in
landing/) concerns every entity: it fails every raw asset's check.
"""

import os

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    MetadataValue,
    multi_asset_check,
)

from orchestration.defs.assets.raw import raw_key
from orchestration.ingest import contract as C
from orchestration.runtime import config

CHECK_NAME = "landing_files_loaded"
WARNING = "Warning (non-blocking): a failure is recorded, the run goes on and publishes."
SHOWN = 10  # entries named in a check's result; all are in its metadata


def not_loaded(warehouse=None, landing=None) -> list[tuple[str, str | None, str, str]]:
    """(file, entity, status, error) of the landing entries the last ingest did not load."""
    warehouse = warehouse or config.warehouse_path()
    landing = landing or config.landing_dir()
    if not os.path.exists(warehouse):
        return []
    con = config.connect(warehouse, read_only=True)
    try:
        have = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'load_log'"
        ).fetchone()[0]
        rows = (
            con.execute(
                "select file, entity, status, coalesce(error, '') from raw.load_log "
                "where status in ('failed', 'refused') order by file"
            ).fetchall()
            if have
            else []
        )
    finally:
        con.close()
    return [r for r in rows if os.path.lexists(os.path.join(landing, r[0].rstrip("/")))]


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            CHECK_NAME,
            asset=raw_key(name),
            blocking=False,
            description=f"{WARNING} Every entry under landing/{name}/ was loaded (or skipped as a copy): "
            "none is logged `failed` (cannot be read) or `refused` (a link, a folder, a FIFO, a file "
            "outside the entity folders) in raw.load_log. A failure names the entries and why.",
        )
        for name in C.ENTITIES
    ],
)
def landing_files_loaded(context: AssetCheckExecutionContext):
    rows = not_loaded()
    for name in C.ENTITIES:
        mine = [r for r in rows if r[1] in (name, None)]
        shown = "; ".join(f"{f} ({status}: {error})" for f, _, status, error in mine[:SHOWN])
        more = f"; and {len(mine) - SHOWN} more" if len(mine) > SHOWN else ""
        yield AssetCheckResult(
            asset_key=raw_key(name),
            check_name=CHECK_NAME,
            passed=not mine,
            severity=AssetCheckSeverity.WARN,
            description=None if not mine else f"{len(mine)} landing entries not loaded: {shown}{more}"[:2000],
            metadata={
                "entries_not_loaded": MetadataValue.int(len(mine)),
                "entries": MetadataValue.json([{"file": f, "status": s, "error": e} for f, _, s, e in mine]),
            },
        )


LANDING_CHECKS = [landing_files_loaded]
