"""`leadscore sql`: a read-only SQL client of DuckDB 2.x on the serving copy.

DuckDB 2.x files cannot be opened by a 1.x client, and PyPI's `duckdb-cli` is 1.x: this
client uses the duckdb package the project pins. A query given as an argument, or a
script on standard input, runs and exits (1 on the first error); on a terminal without a
query it reads statements ending with `;` until `.quit` or end of input, and an error
is printed without ending the session. The file is opened read-only: a write is refused
by DuckDB and nothing can block a run.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

PROMPT, MORE = "leadscore> ", "      ...> "
MAX_ROWS = 40


def _show(cur, fmt: str, out) -> None:
    if cur.description is None:
        return
    columns = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)
        return
    cells = [columns] + [["NULL" if v is None else str(v) for v in r] for r in rows[:MAX_ROWS]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    line = "+".join("-" * (w + 2) for w in widths)
    for n, row in enumerate(cells):
        print(" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)), file=out)
        if n == 0:
            print(line, file=out)
    more = f", {MAX_ROWS} shown (use --csv for all)" if len(rows) > MAX_ROWS else ""
    print(f"({len(rows)} row{'' if len(rows) == 1 else 's'}{more})", file=out)


def run_script(con, sql: str, fmt: str, out, err) -> bool:
    """Run every statement of `sql`, printing each result; False at the first error."""
    import duckdb

    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as e:
        print(f"error: {e}", file=err)
        return False
    for statement in statements:
        try:
            cur = con.execute(statement.query)
        except duckdb.Error as e:
            print(f"error: {e}", file=err)
            return False
        _show(cur, fmt, out)
    return True


def _interactive(con, fmt: str) -> int:
    buffer: list[str] = []
    while True:
        try:
            line = input(MORE if buffer else PROMPT)
        except EOFError:
            return 0
        if not buffer and line.strip() in (".quit", ".exit", "\\q"):
            return 0
        buffer.append(line)
        if line.rstrip().endswith(";"):
            run_script(con, "\n".join(buffer), fmt, sys.stdout, sys.stderr)
            buffer = []


def sql_shell(path: Path, query: str | None, fmt: str = "table") -> int:
    """Run `query` (or the script on stdin, or a session on a terminal) against `path`."""
    import duckdb

    if not path.exists():
        print(
            f"leadscore sql: {path} does not exist (run `leadscore run` or `leadscore demo` first)",
            file=sys.stderr,
        )
        return 1
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:
        print(f"leadscore sql: cannot open {path} read-only: {e}", file=sys.stderr)
        return 1
    try:
        con.execute("set TimeZone = 'UTC'")
        if query is None and sys.stdin.isatty():
            print(f"DuckDB {duckdb.__version__}, {path} (read-only). End statements with ;  .quit to leave.")
            return _interactive(con, fmt)
        sql = query if query is not None else sys.stdin.read()
        return 0 if run_script(con, sql, fmt, sys.stdout, sys.stderr) else 1
    finally:
        con.close()
