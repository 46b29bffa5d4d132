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


def parquet_form(con, relation: str) -> str:
    """`relation` as its Parquet files hold it: a subquery whose DECIMAL columns are DOUBLE.

    The DuckDB copy keeps the warehouse's exact decimals (sums in SQL stay exact); readers
    of the files that do not know decimals (pandas through pyarrow gives Python Decimal
    objects) get plain numbers.
    """
    exprs = ", ".join(
        f"cast({quote(name)} as double) as {quote(name)}"
        if str(type_).upper().startswith("DECIMAL")
        else quote(name)
        for name, type_, *_ in con.execute(f"describe {relation}").fetchall()
    )
    return f"(select {exprs} from {relation})"
