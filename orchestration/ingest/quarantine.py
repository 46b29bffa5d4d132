"""Re-process quarantined rows: export the quarantined rows of one landing file as a new
landing file, to be fixed and landed again under a new name.

    leadscore quarantine export events/events_2024-03-05.csv
        -> $LEADSCORE_HOME/quarantine/events/events_2024-03-05.quarantined.csv

The export holds the rows as they arrived (raw_content, kept whole however long: a
record's lines joined with LF): a CSV export starts with the
original file's header row (read from the landing file, which the loader never edits or
deletes) followed by the quarantined records; a JSONL export holds the original lines; a
Parquet file's rows are exported as JSONL objects (one per row, as quarantined). It is
written outside the landing folder so that nothing loads before it is fixed. Once fixed,
move it into landing/<entity>/ under a name of its own: it is new content (a new sha256),
so the next ingest loads it like any file, and quarantines again whatever is still wrong.
The original file's quarantine rows stay, as the record of what arrived.
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.runtime import config


class ExportError(RuntimeError):
    """The export cannot be written (unknown file, nothing quarantined, header missing)."""


def default_out(file: str) -> Path:
    entity, name = file.split("/", 1)
    stem, _, ext = name.rpartition(".")
    ext = "jsonl" if ext == "parquet" else ext
    return config.home() / "quarantine" / entity / f"{stem}.quarantined.{ext}"


def export(
    file: str, out: Path | None = None, warehouse: Path | None = None, landing: Path | None = None
) -> tuple[Path, int, dict[str, int]]:
    """Write the quarantined rows of `file` (as named in raw.load_log, e.g. events/x.csv).

    Returns (path written, rows, rows per reason code)."""
    warehouse = warehouse or config.warehouse_path()
    landing = landing or config.landing_dir()
    if not warehouse.exists():
        raise ExportError(f"no warehouse at {warehouse}: nothing was ingested yet")
    con = config.connect(warehouse, read_only=True)
    try:
        logged = con.execute(
            "select format from raw.load_log where file = ? and status = 'loaded' "
            "order by loaded_at desc limit 1",
            [file],
        ).fetchall()
        rows = con.execute(
            "select reason_code, raw_content from raw.quarantine where file = ? "
            "order by checksum, row_number",
            [file],
        ).fetchall()
    finally:
        con.close()
    if not logged:
        raise ExportError(f"{file} is not a loaded landing file (see raw.load_log for the names)")
    if not rows:
        raise ExportError(f"{file} has no quarantined rows")
    fmt = logged[0][0]
    out = Path(out) if out else default_out(file)
    lines = [raw for _, raw in rows]
    if fmt == "csv":
        original = landing / file
        if not original.is_file() or original.is_symlink():
            raise ExportError(
                f"the landing file {original} is gone (or no longer a regular file): its header row "
                "is needed for a CSV export"
            )
        # never through a link (the loader refuses them, so must the export)
        fd = os.open(original, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            header = f.readline().decode("utf-8-sig", errors="replace").rstrip("\r\n")
        lines = [header, *lines]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    tmp.replace(out)
    reasons: dict[str, int] = {}
    for code, _ in rows:
        reasons[code] = reasons.get(code, 0) + 1
    return out, len(rows), reasons
