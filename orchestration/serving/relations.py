"""SQL names and the relations of schema main of the serving copy being built."""

from __future__ import annotations


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def relation_type(con, name: str) -> str | None:
    rows = con.execute(
        "select table_type from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'main' and table_name = ?",
        [name],
    ).fetchall()
    return rows[0][0] if rows else None


def drop_view(con, name: str) -> None:
    if relation_type(con, name) == "VIEW":
        con.execute(f"drop view main.{quote(name)}")


def drop_table(con, name: str) -> None:
    if relation_type(con, name) == "BASE TABLE":
        con.execute(f"drop table main.{quote(name)}")
