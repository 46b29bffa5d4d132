"""`leadscore sql --parquet-views`: the serving copy as views over its Parquet files.

The serving copy's DuckDB file is a 2.x file, which a DuckDB 1.x engine cannot open; the
Parquet files beside it can be read by any version. Tools that embed DuckDB 1.x (the
Metabase DuckDB driver, Evidence's DuckDB connector, DBeaver with a 1.x JDBC driver)
connect to an in-memory DuckDB and run this script first (Metabase's "Init SQL", Evidence's
`initialize.sql`): every table of the copy becomes a view of the same name over its
Parquet file(s), every view of the copy (`lead_score_history`) is created again on top of
them, and the dbt descriptions are set as comments, as in the DuckDB file.

The paths go through the `parquet` link, so the views read whichever version was
published last; the script needs to be made again only when a table is added.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.serving.relations import quote, sql_str


def parquet_views_sql(serving_db: Path) -> str:
    """The script for the copy `serving_db` (opened read-only), with absolute paths."""
    import duckdb

    parquet = serving_db.parent.absolute() / "parquet"
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        tables = con.execute(
            "select table_name, comment from duckdb_tables() "
            "where schema_name = 'main' and database_name = current_database() order by table_name"
        ).fetchall()
        views = con.execute(
            "select view_name, sql, comment from duckdb_views() "
            "where not internal and schema_name = 'main' and database_name = current_database() "
            "order by view_name"
        ).fetchall()
        columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where schema_name = 'main' and database_name = current_database() and comment is not null "
            "order by table_name, column_index"
        ).fetchall()
    finally:
        con.close()

    lines = [
        f"-- leadscore serving copy as views over its Parquet files ({parquet}).",
        "-- Run in an in-memory DuckDB (any version from 1.1): see docs/bi.md.",
    ]
    made: set[str] = set()
    for name, _ in tables:
        if (parquet / f"{name}.parquet").exists():
            source = parquet / f"{name}.parquet"
        elif (parquet / name).is_dir():
            source = parquet / name / "*.parquet"
        else:
            lines.append(f"-- {name}: no Parquet file, left out")
            continue
        reader = f"read_parquet({sql_str(str(source))})"
        lines.append(f"create or replace view {quote(name)} as select * from {reader};")
        made.add(name)
    for name, sql, _ in views:
        lines.append(sql.strip().replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1).rstrip(";") + ";")
        made.add(name)
    for name, comment in [(n, c) for n, c in tables if n in made] + [(n, c) for n, _, c in views]:
        if comment:
            lines.append(f"comment on view {quote(name)} is {sql_str(comment)};")
    for table, column, comment in columns:
        if table in made:
            lines.append(f"comment on column {quote(table)}.{quote(column)} is {sql_str(comment)};")
    return "\n".join(lines) + "\n"
