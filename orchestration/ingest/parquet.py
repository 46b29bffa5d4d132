"""The Parquet reader: a Parquet file's rows as the staged relation, read in place (files of
one schema by one scan). Row numbers are file_row_number + 1.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.ingest import contract as C
from orchestration.ingest.sql import ident, lit
from orchestration.ingest.staged import FileUnreadable, Staged, Temps, first_line, match_columns

_NESTED_PREFIXES = ("STRUCT", "MAP", "UNION")


def _is_nested(sql_type: str) -> bool:
    t = sql_type.upper()
    return t.startswith(_NESTED_PREFIXES) or t.endswith("]")


def stage_parquet(con, path: Path, entity: C.Entity, size: int, t: Temps) -> Staged:
    """Nothing is made: the staged relation reads the file in place. Files of one schema
    are best read together, by one scan (parquet_files_sql), which DuckDB parallelises."""
    if size == 0:
        raise FileUnreadable("empty file (0 bytes): not a Parquet file")
    src = f"read_parquet({lit(str(path))}, file_row_number=true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit(str(path))})").fetchall()
    except Exception as e:  # duckdb raises various error classes for a bad footer
        raise FileUnreadable(f"not a readable Parquet file: {first_line(e)}") from e
    types = {row[0]: row[1] for row in described}
    names = [n for n in types if n != "file_row_number"]
    matched = match_columns(entity, names, "Parquet schema")
    col_of = {c: names[i] for c, i in matched.contract.items()}  # contract name -> the file's

    def as_text(n: str) -> str:
        col = ident(n)
        if _is_nested(types[n]):
            return f"to_json({col})::VARCHAR"
        return f"CAST({col} AS VARCHAR)"

    vcols = ", ".join(
        f"{as_text(col_of[c.name]) if c.name in col_of else 'NULL::VARCHAR'} AS {ident('v_' + c.name)}"
        for c in entity.columns
    )
    extras = [names[i] for _, i in matched.extra]
    if extras:
        all_null = " AND ".join(f"{ident(n)} IS NULL" for n in extras)
        packed = ", ".join(f"{ident(n)} := {ident(n)}" for n in extras)
        extra = f"CASE WHEN {all_null} THEN NULL ELSE to_json(struct_pack({packed}))::VARCHAR END"
    else:
        extra = "NULL::VARCHAR"
    select = f"NULL::VARCHAR AS _pre_code, NULL::VARCHAR AS _pre_reason, {vcols}, {extra} AS _extra"
    every = ", ".join(f"{ident(n)} := {ident(n)}" for n in names if n != "file_row_number")

    def raw_content_sql(q: str) -> str:
        return f"""SELECT file_row_number + 1 AS _row_number,
                          to_json(struct_pack({every}))::VARCHAR AS raw_content
                   FROM {src} WHERE file_row_number + 1 IN (SELECT _row_number FROM {q})"""

    return Staged(
        f"(SELECT file_row_number + 1 AS _row_number, {select} FROM {src})",
        "parquet",
        raw_content_sql,
        path,
        tuple(described),
        select,
    )


def parquet_files_sql(files: list[tuple[int, Staged]]) -> str:
    """The staged rows, with _f, of Parquet files of one schema (same select list): one scan."""
    paths = "[" + ", ".join(lit(str(st.path)) for _, st in files) + "]"
    fs = "[" + ", ".join(str(f) for f, _ in files) + "]"
    return (
        f"SELECT {fs}[(file_index + 1)::BIGINT] AS _f, file_row_number + 1 AS _row_number, "
        f"{files[0][1].select} "
        f"FROM read_parquet({paths}, file_row_number=true)"
    )
