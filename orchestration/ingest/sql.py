"""SQL quoting and the raw schema's DDL: the raw tables, raw.quarantine, raw.load_log, the key index.

Everything here is generated from orchestration.ingest.contract, so adding an optional column
to the contract adds it to the raw table (ensure_raw_schema also ALTERs existing tables)
and to validation (orchestration.ingest.validation) without touching this file.
"""

from __future__ import annotations

from datetime import datetime

from orchestration.ingest import contract as C

# Storage type of each contract kind in the raw tables.
SQL_TYPES = {
    C.TEXT: "VARCHAR",
    C.INTEGER: "BIGINT",
    C.DECIMAL: "DECIMAL(18,2)",
    C.TIMESTAMP: "TIMESTAMP",  # naive, always UTC
    C.DATE: "DATE",
    C.BOOLEAN: "BOOLEAN",
    C.JSON_OBJECT: "VARCHAR",  # minified JSON text of an object
}

META_COLUMNS = (
    ("_extra", "VARCHAR"),
    ("_file", "VARCHAR"),
    ("_row_number", "BIGINT"),
    ("_checksum", "VARCHAR"),
    ("_row_hash", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)

QUARANTINE_COLUMNS = (
    ("file", "VARCHAR"),
    ("entity", "VARCHAR"),
    ("checksum", "VARCHAR"),
    ("row_number", "BIGINT"),
    ("reason_code", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("raw_content", "VARCHAR"),
    ("quarantined_at", "TIMESTAMP"),
)

LOAD_LOG_COLUMNS = (
    ("file", "VARCHAR"),
    ("entity", "VARCHAR"),
    ("checksum", "VARCHAR"),
    ("format", "VARCHAR"),
    ("bytes", "BIGINT"),
    ("status", "VARCHAR"),
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_quarantined", "BIGINT"),
    ("rows_duplicate", "BIGINT"),
    ("loaded_at", "TIMESTAMP"),
    ("duration_seconds", "DOUBLE"),
    ("error", "VARCHAR"),
    ("note", "VARCHAR"),
)


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value) -> str:
    """A SQL literal for str / int / float / datetime / None."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    return "'" + str(value).replace("'", "''") + "'"


def raw_table(entity: C.Entity) -> str:
    return f"raw.{ident(entity.name)}"


# The key index: per entity, a 64-bit hash of each loaded row's natural key and where the
# row is. The duplicate check probes it (8 bytes a row) instead of the raw table's key
# columns, and reads raw rows only for the few keys whose hash is already there.
KEY_INDEX_COLUMNS = (
    ("_key_hash", "UBIGINT"),
    ("_file", "VARCHAR"),
    ("_row_number", "BIGINT"),
)
# DuckDB's hash() may differ between DuckDB versions: the index records the hash of this
# string and is rebuilt from the raw tables when the running DuckDB hashes it differently.
KEY_HASH_CANARY = "leadscore key index"


def key_index_table(entity: C.Entity) -> str:
    return f"raw.{ident('_keys__' + entity.name)}"


def key_hash_expr(entity: C.Entity, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return f"hash({', '.join(prefix + ident(k) for k in entity.key)})"


def entity_columns_ddl(entity: C.Entity) -> list[tuple[str, str]]:
    cols = [(c.name, SQL_TYPES[c.kind]) for c in entity.columns]
    return cols + list(META_COLUMNS)


def create_table_sql(table: str, columns) -> str:
    body = ", ".join(f"{ident(n)} {t}" for n, t in columns)
    return f"CREATE TABLE IF NOT EXISTS {table} ({body})"
