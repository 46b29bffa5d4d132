"""The dbt descriptions on the serving copy: table and column comments BI tools show.

dbt writes each mart's descriptions into the warehouse as comments (`persist_docs`); the
serving copy is built with `create table ... as select`, which carries no comments, so
they are copied from the warehouse relation to the published one after each publish.
The publisher's own relations (the month-table behind the history view, the version
record in schema `leadscore_publish`) get a comment saying they are bookkeeping.
"""

from __future__ import annotations

from orchestration.serving.relations import quote, relation_type, sql_str

PUBLISHER_TABLE_COMMENT = (
    "Bookkeeping of the leadscore publisher (the version of this serving copy), not a mart: "
    "BI tools can ignore schema leadscore_publish."
)


def source_comments(con, catalog: str, schema: str, table: str) -> tuple[str | None, dict[str, str]]:
    """The comment of a warehouse relation and those of its columns (None / absent: none)."""
    rows = con.execute(
        "select comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ? "
        "union all "
        "select comment from duckdb_views() where database_name = ? and schema_name = ? and view_name = ?",
        [catalog, schema, table] * 2,
    ).fetchall()
    relation_comment = rows[0][0] if rows else None
    columns = {
        name: comment
        for name, comment in con.execute(
            "select column_name, comment from duckdb_columns() "
            "where database_name = ? and schema_name = ? and table_name = ? and comment is not null",
            [catalog, schema, table],
        ).fetchall()
        if comment
    }
    return relation_comment, columns


def apply_comments(con, name: str, relation_comment: str | None, columns: dict[str, str]) -> int:
    """Comment the relation main.<name> of the copy and those of its columns that exist.

    Returns the number of comments written.
    """
    kind = "view" if relation_type(con, name) == "VIEW" else "table"
    target = f"main.{quote(name)}"
    written = 0
    if relation_comment:
        con.execute(f"comment on {kind} {target} is {sql_str(relation_comment)}")
        written += 1
    present = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = current_database() and table_schema = 'main' and table_name = ?",
            [name],
        ).fetchall()
    }
    for column, comment in sorted(columns.items()):
        if column in present:
            con.execute(f"comment on column {target}.{quote(column)} is {sql_str(comment)}")
            written += 1
    return written


def history_changes_comment(view_name: str) -> str:
    return (
        f"Storage of {view_name}, published by month: its rows without valid_to. "
        f"Query {view_name} instead, which adds valid_to."
    )
