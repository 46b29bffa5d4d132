"""Readers: turn one landing file into the loader's uniform staged relation, in DuckDB.

Each reader creates temp tables/views on the connection, all named with the prefix it is
given (_ingest_<n>_*, one prefix per file of a batch, so several files can be staged side
by side) and recorded in a Temps object (Temps.drop drops them), and returns a Staged
object: the staged relation as a query over them (columns documented in validation) and a
way to fetch the original text of given rows for the quarantine. No Python runs per row.

Row numbers are 1-based record numbers within the file:
  CSV     1 = first record after the header (DuckDB's rejects line number minus one);
          blank lines count as records but are not rows, like DuckDB counts them.
  JSONL   the physical line number (blank lines are skipped but counted).
  Parquet file_row_number + 1.
DuckDB's CSV reader silently drops rejected and blank records, so the ordinal of a good
row is mapped back to its record number with the sorted set of dropped numbers (an ASOF
join on a table of gaps, as small as the number of dropped records).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestration.ingest import contract as C
from orchestration.ingest.sql import ident, lit

# Four control characters no JSON line and no sane CSV line contains: used as the
# "delimiter" when reading a file as physical lines, so a line is never split.
LINE_DELIM = "chr(1) || chr(2) || chr(3) || chr(4)"
HEADER_PROBE_BYTES = 1 << 20

PREFIX = "_ingest_"


class FileUnreadable(Exception):
    """The file cannot be read as its format at all: it is logged `failed`."""


def drop_temps(con, prefix: str = PREFIX) -> None:
    """Drop every temp table and view whose name starts with prefix (default: all of the loader's)."""
    views = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE temporary AND starts_with(view_name, ?)", [prefix]
    ).fetchall()
    for (v,) in views:
        con.execute(f"DROP VIEW IF EXISTS temp.{ident(v)}")
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, ?)", [prefix]
    ).fetchall()
    for (t,) in tables:
        con.execute(f"DROP TABLE IF EXISTS temp.{ident(t)}")


class Temps:
    """The temp tables and views made for one file (names starting with prefix p), so that
    exactly those are dropped (asking the catalog for them costs more than dropping)."""

    def __init__(self, p: str):
        self.p = p
        self.made: list[tuple[str, str]] = []

    def table(self, base: str) -> str:
        self.made.append(("TABLE", self.p + base))
        return self.p + base

    def view(self, base: str) -> str:
        self.made.append(("VIEW", self.p + base))
        return self.p + base

    def drop(self, con) -> None:
        for kind, name in reversed(self.made):
            con.execute(f"DROP {kind} IF EXISTS temp.{ident(name)}")
        self.made.clear()


@dataclass
class Staged:
    src: str  # the staged relation, a parenthesised query (see ingest_sql for its columns)
    fmt: str
    # Given a relation with a _row_number column (the quarantined rows), returns SQL
    # selecting (_row_number, raw_content) for them; may build helper tables lazily.
    raw_content_sql: Callable[[str], str]
    # Parquet: the file, its schema and the select list typing it (see parquet_files_sql)
    path: Path | None = None
    schema: tuple | None = None
    select: str | None = None


def _gaps_sql(skipped_sql: str) -> str:
    """Gaps table for mapping ordinals to numbers, from a relation of skipped numbers `s`.

    Output row k (1-based ordinal) has number k + add, where add comes from the row with
    the greatest g < k (none: 0).
    """
    return f"""
SELECT g, max(r) AS add FROM (
  SELECT s - row_number() OVER (ORDER BY s) AS g, row_number() OVER (ORDER BY s) AS r
  FROM (SELECT DISTINCT s FROM ({skipped_sql}))
) GROUP BY g
"""


def _numbered(inner: str, gaps: str | None, has_gaps: bool, ordinal: str = "_k") -> str:
    if not has_gaps:
        return f"SELECT {ordinal} AS _num, * FROM ({inner})"
    return (
        f"SELECT s.{ordinal} + coalesce(m.add, 0) AS _num, s.* FROM ({inner}) s "
        f"ASOF LEFT JOIN {gaps} m ON s.{ordinal} > m.g"
    )


def _count(con, sql: str) -> int:
    return con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]


# --------------------------------------------------------------------------- lines


def read_lines(con, path: Path, t: Temps) -> str:
    """Temp table {p}lines(line_no, line, err): every physical line of the file.

    Lines that DuckDB rejects (invalid UTF-8, longer than max_line_size) keep their line
    number, DuckDB's rendering of the text and the error. LF and CRLF both end a line.
    """
    p = t.p
    for base in ("lines_raw", "lines_rej", "lines_gaps", "lines", "lrej", "lrejscan"):
        t.table(base)
    con.execute(
        f"""CREATE TEMP TABLE {p}lines_raw AS SELECT line FROM read_csv({lit(str(path))},
            columns={{'line': 'VARCHAR'}}, header=false, delim={LINE_DELIM}, quote='', escape='',
            new_line='\\r\\n', auto_detect=false, strict_mode=false, all_varchar=true,
            store_rejects=true, rejects_table='{p}lrej', rejects_scan='{p}lrejscan')"""
    )
    con.execute(
        f"""CREATE TEMP TABLE {p}lines_rej AS
           SELECT line AS line_no, min(error_type) AS err, min(csv_line) AS text
           FROM temp.{p}lrej GROUP BY line"""
    )
    has_gaps = _count(con, f"SELECT 1 FROM temp.{p}lines_rej") > 0
    if has_gaps:
        con.execute(
            f"CREATE TEMP TABLE {p}lines_gaps AS {_gaps_sql(f'SELECT line_no AS s FROM temp.{p}lines_rej')}"
        )
    numbered = _numbered(
        f"SELECT rowid + 1 AS _k, line FROM temp.{p}lines_raw", f"temp.{p}lines_gaps", has_gaps
    )
    con.execute(
        f"""CREATE TEMP TABLE {p}lines AS
            SELECT _num AS line_no, line, NULL::VARCHAR AS err FROM ({numbered})
            UNION ALL SELECT line_no, text, err FROM temp.{p}lines_rej"""
    )
    con.execute(f"DROP TABLE temp.{p}lines_raw")
    return f"temp.{p}lines"


# --------------------------------------------------------------------------- CSV


def read_csv_header(path: Path) -> list[str]:
    with open(path, "rb") as f:
        chunk = f.read(HEADER_PROBE_BYTES)
    if not chunk:
        raise FileUnreadable("empty file (0 bytes): a CSV needs at least a header row")
    nl = chunk.find(b"\n")
    if nl < 0 and len(chunk) == HEADER_PROBE_BYTES:
        raise FileUnreadable("no line break in the first MiB: not a CSV file with a header row")
    first = chunk if nl < 0 else chunk[:nl]
    try:
        text = first.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        raise FileUnreadable(
            "the header row is not UTF-8 text: not a CSV file (binary data or another encoding?)"
        )
    if "\x00" in text:
        raise FileUnreadable("the header row contains NUL bytes: not a CSV text file")
    if not text.strip():
        raise FileUnreadable("the first line is blank: a CSV file needs a header row")
    try:
        names = next(csv.reader([text], delimiter=",", quotechar='"', strict=True))
    except csv.Error as e:
        raise FileUnreadable(f"the header row cannot be parsed as CSV: {e}")
    names = [n.strip() or f"column_{i + 1}" for i, n in enumerate(names)]
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise FileUnreadable(f"duplicate column name {n!r} in the header row")
        seen.add(n)
    return names


def _check_required(entity: C.Entity, names: list[str], what: str) -> None:
    missing = [c.name for c in entity.columns if c.required and c.name not in names]
    if missing:
        shown = ", ".join(repr(n[:60]) for n in names[:8]) + (", ..." if len(names) > 8 else "")
        hint = (
            " A single column usually means the delimiter is not a comma or there is no header row."
            if len(names) == 1 and what == "header"
            else ""
        )
        raise FileUnreadable(
            f"the {what} lacks required column(s) {', '.join(missing)} (found {len(names)}: {shown}).{hint}"
        )


def _csv_quote(expr: str) -> str:
    return (
        f"CASE WHEN {expr} IS NULL THEN '' "
        f"WHEN {expr} = '' OR regexp_matches({expr}, '[\",\\r\\n]') "
        f"THEN '\"' || replace({expr}, '\"', '\"\"') || '\"' ELSE {expr} END"
    )


def stage_csv(con, path: Path, entity: C.Entity, maybe_blank_lines: bool, t: Temps) -> Staged:
    p = t.p
    names = read_csv_header(path)
    _check_required(entity, names, "header")
    pos = {n: i for i, n in enumerate(names)}
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    for base in ("csv", "rej", "rejscan", "csvrej", "gaps"):
        t.table(base)
    con.execute(
        f"""CREATE TEMP TABLE {p}csv AS SELECT * FROM read_csv({lit(str(path))},
            header=true, delim=',', quote='"', escape='"', auto_detect=false, all_varchar=true,
            columns={columns}, store_rejects=true, rejects_table='{p}rej',
            rejects_scan='{p}rejscan')"""
    )
    # One row per rejected record; DuckDB's line counts the header as line 1.
    con.execute(
        f"""CREATE TEMP TABLE {p}csvrej AS
           SELECT line - 1 AS rn, min(error_type) AS error_type, min(error_message) AS error_message,
                  ltrim(min(csv_line), chr(13) || chr(10)) AS csv_line
           FROM temp.{p}rej GROUP BY line"""
    )
    n_good, n_rej = con.execute(
        f"SELECT (SELECT count(*) FROM temp.{p}csv), (SELECT count(*) FROM temp.{p}csvrej)"
    ).fetchone()

    state = {"lines": None, "single": False}  # lines: None: not built; False: inconsistent; True: usable

    def build_records() -> bool:
        """{p}recs(line_no, rec, line): physical lines grouped into records."""
        if state["lines"] is None:
            read_lines(con, path, t)
            n_lines, n_odd, first, last, n_distinct, n_empty = con.execute(
                f"""SELECT count(*),
                           count(*) FILTER (WHERE (length(coalesce(line, '')) - length(replace(coalesce(line, ''), '"', ''))) % 2 = 1),
                           min(line_no), max(line_no), count(DISTINCT line_no), count(*) FILTER (WHERE coalesce(line, '') = '')
                    FROM temp.{p}lines"""
            ).fetchone()
            state["single"] = n_odd == 0 and n_lines > 0 and first == 1 and last == n_lines == n_distinct
            if state["single"]:
                # No line has an odd number of quote characters, so every line is a record
                # (what the general grouping below gives then, without its window).
                t.view("recs")
                con.execute(
                    f"CREATE TEMP VIEW {p}recs AS SELECT line_no, line, line_no AS rec FROM temp.{p}lines"
                )
                n_recs, n_blank = n_lines, n_empty
            else:
                # A record ends on a line where the running count of quote characters is even.
                t.table("recs")
                con.execute(
                    f"""CREATE TEMP TABLE {p}recs AS
                       SELECT line_no, line,
                              1 + coalesce(sum(CASE WHEN _q % 2 = 0 THEN 1 ELSE 0 END) OVER
                                  (ORDER BY line_no ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS rec
                       FROM (SELECT line_no, line,
                                    sum(length(coalesce(line, '')) - length(replace(coalesce(line, ''), '"', '')))
                                      OVER (ORDER BY line_no) AS _q
                             FROM temp.{p}lines)"""
                )
                n_recs, n_blank = con.execute(
                    f"""SELECT count(*), count(*) FILTER (WHERE _blank) FROM (
                         SELECT rec, count(*) = 1 AND coalesce(max(line), '') = '' AS _blank
                         FROM temp.{p}recs GROUP BY rec)"""
                ).fetchone()
            state["lines"] = n_recs - 1 - n_blank == n_good + n_rej
        return state["lines"]

    skipped = [f"SELECT rn AS s FROM temp.{p}csvrej"]
    has_gaps = n_rej > 0
    if maybe_blank_lines and build_records():
        if state["single"]:
            skipped.append(
                f"SELECT line_no - 1 AS s FROM temp.{p}lines WHERE coalesce(line, '') = '' AND line_no > 1"
            )
        else:
            skipped.append(
                f"""SELECT rec - 1 AS s FROM temp.{p}recs GROUP BY rec
                   HAVING count(*) = 1 AND coalesce(max(line), '') = '' AND rec > 1"""
            )
        has_gaps = _count(con, " UNION ALL ".join(skipped)) > 0
    if has_gaps:
        con.execute(f"CREATE TEMP TABLE {p}gaps AS {_gaps_sql(' UNION ALL '.join(skipped))}")
    csvnum = f"({_numbered(f'SELECT rowid + 1 AS _k, * FROM temp.{p}csv', f'temp.{p}gaps', has_gaps)})"

    contract_names = set(entity.column_names)
    vcols = ", ".join(
        f"{'c' + str(pos[c.name]) if c.name in pos else 'NULL::VARCHAR'} AS {ident('v_' + c.name)}"
        for c in entity.columns
    )
    extras = [(n, f"c{pos[n]}") for n in names if n not in contract_names]
    if extras:
        all_null = " AND ".join(f"{e} IS NULL" for _, e in extras)
        pairs = ", ".join(f"{lit(n)}, {e}" for n, e in extras)
        extra = f"CASE WHEN {all_null} THEN NULL ELSE json_object({pairs})::VARCHAR END"
    else:
        extra = "NULL::VARCHAR"
    nulls = ", ".join(f"NULL::VARCHAR AS {ident('v_' + c.name)}" for c in entity.columns)
    rejects = (
        f"""
            UNION ALL
            SELECT rn, 'unparseable_row',
                   'CSV row could not be parsed: ' || lower(replace(error_type, '_', ' ')) || ' (' || error_message || ')',
                   {nulls}, NULL::VARCHAR
            FROM temp.{p}csvrej"""
        if n_rej
        else ""
    )
    src = f"""(SELECT _num AS _row_number, NULL::VARCHAR AS _pre_code, NULL::VARCHAR AS _pre_reason,
                   {vcols}, {extra} AS _extra
            FROM {csvnum}{rejects})"""

    def raw_content_sql(q: str) -> str:
        only_rejects = (
            _count(con, f"SELECT 1 FROM {q} WHERE _row_number NOT IN (SELECT rn FROM temp.{p}csvrej)") == 0
        )
        if not only_rejects and build_records():
            # Exact original text of each record (lines joined with LF).
            return f"""SELECT rec - 1 AS _row_number, string_agg(coalesce(line, ''), chr(10) ORDER BY line_no) AS raw_content
                       FROM temp.{p}recs WHERE rec - 1 IN (SELECT _row_number FROM {q}) GROUP BY rec"""
        # Rejects: DuckDB's copy of the line. Others (only when the physical lines could
        # not be matched to DuckDB's records): the row re-rendered as CSV.
        rendered = " || ',' || ".join(_csv_quote(f"c{i}") for i in range(len(names)))
        return f"""SELECT rn AS _row_number, csv_line AS raw_content FROM temp.{p}csvrej
                   WHERE rn IN (SELECT _row_number FROM {q})
                   UNION ALL
                   SELECT _num, {rendered} FROM {csvnum} WHERE _num IN (SELECT _row_number FROM {q})"""

    return Staged(src, "csv", raw_content_sql)


# --------------------------------------------------------------------------- JSONL


def stage_jsonl(con, path: Path, entity: C.Entity, size: int, t: Temps) -> Staged:
    names = entity.column_names
    nulls = ", ".join(f"NULL::VARCHAR AS {ident('v_' + n)}" for n in names)
    if size == 0:
        src = f"""(SELECT NULL::BIGINT AS _row_number, NULL::VARCHAR AS _pre_code,
                NULL::VARCHAR AS _pre_reason, {nulls}, NULL::VARCHAR AS _extra WHERE false)"""
        return Staged(
            src,
            "jsonl",
            lambda q: "SELECT NULL::BIGINT AS _row_number, NULL::VARCHAR AS raw_content WHERE false",
        )
    lines = read_lines(con, path, t)
    paths = "[" + ", ".join(lit("$." + '"' + n + '"') for n in names) + "]"
    vcols = ", ".join(f"_vals[{i + 1}] AS {ident('v_' + n)}" for i, n in enumerate(names))
    known = "[" + ", ".join(lit(n) for n in names) + "]"
    remove = lit("{" + ", ".join(f'"{n}": null' for n in names) + "}")
    ws = "chr(32) || chr(9) || chr(13) || chr(65279)"
    src = f"""(
        SELECT line_no AS _row_number,
          CASE WHEN err IS NOT NULL OR NOT _valid THEN 'invalid_json'
               WHEN _jt <> 'OBJECT' THEN 'json_not_object' END AS _pre_code,
          CASE WHEN err IS NOT NULL THEN 'line could not be read as UTF-8 text (' || lower(replace(err, '_', ' ')) || ')'
               WHEN NOT _valid THEN 'line is not valid JSON'
               WHEN _jt <> 'OBJECT' THEN 'line is a JSON ' || CASE _jt WHEN 'VARCHAR' THEN 'string'
                    WHEN 'ARRAY' THEN 'array' WHEN 'NULL' THEN 'null' WHEN 'BOOLEAN' THEN 'boolean'
                    ELSE 'number' END || ', not an object' END AS _pre_reason,
          {vcols},
          CASE WHEN len(list_filter(_keys, lambda k: NOT list_contains({known}, k))) > 0
               THEN json_merge_patch(t, {remove})::VARCHAR END AS _extra
        FROM (
          SELECT *, CASE WHEN _jt = 'OBJECT' THEN json_extract_string(t, {paths}) END AS _vals,
                    CASE WHEN _jt = 'OBJECT' THEN json_keys(t) END AS _keys
          FROM (
            SELECT *, CASE WHEN _valid THEN json_type(t) END AS _jt
            FROM (
              SELECT line_no, err, t, CASE WHEN err IS NULL THEN json_valid(t) ELSE false END AS _valid
              FROM (SELECT line_no, err, CASE WHEN line_no = 1 THEN ltrim(line, chr(65279)) ELSE line END AS t
                    FROM {lines})
              WHERE err IS NOT NULL OR trim(coalesce(t, ''), {ws}) <> ''
            )
          )
        ))"""

    def raw_content_sql(q: str) -> str:
        return f"SELECT line_no AS _row_number, line AS raw_content FROM {lines} WHERE line_no IN (SELECT _row_number FROM {q})"

    return Staged(src, "jsonl", raw_content_sql)


# --------------------------------------------------------------------------- Parquet

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
        raise FileUnreadable(f"not a readable Parquet file: {first_line(e)}")
    types = {row[0]: row[1] for row in described}
    names = list(types)
    _check_required(entity, names, "Parquet schema")

    def as_text(n: str) -> str:
        col = ident(n)
        if _is_nested(types[n]):
            return f"to_json({col})::VARCHAR"
        return f"CAST({col} AS VARCHAR)"

    contract_names = set(entity.column_names)
    vcols = ", ".join(
        f"{as_text(c.name) if c.name in types else 'NULL::VARCHAR'} AS {ident('v_' + c.name)}"
        for c in entity.columns
    )
    extras = [n for n in names if n not in contract_names and n != "file_row_number"]
    if extras:
        all_null = " AND ".join(f"{ident(n)} IS NULL" for n in extras)
        packed = ", ".join(f"{ident(n)} := {ident(n)}" for n in extras)
        extra = f"CASE WHEN {all_null} THEN NULL ELSE to_json(struct_pack({packed}))::VARCHAR END"
    else:
        extra = "NULL::VARCHAR"
    select = f"NULL::VARCHAR AS _pre_code, NULL::VARCHAR AS _pre_reason, {vcols}, {extra} AS _extra"
    every = ", ".join(f"{ident(n)} := {ident(n)}" for n in names if n != "file_row_number")

    def raw_content_sql(q: str) -> str:
        return f"""SELECT file_row_number + 1 AS _row_number, to_json(struct_pack({every}))::VARCHAR AS raw_content
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
        f"SELECT {fs}[(file_index + 1)::BIGINT] AS _f, file_row_number + 1 AS _row_number, {files[0][1].select} "
        f"FROM read_parquet({paths}, file_row_number=true)"
    )


def first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def stage(
    con, path: Path, fmt: str, entity: C.Entity, size: int, maybe_blank_lines: bool, t: Temps
) -> Staged:
    """Stage one file; t records the temp objects it makes (the caller drops them: t.drop)."""
    if fmt == "csv":
        return stage_csv(con, path, entity, maybe_blank_lines, t)
    if fmt == "jsonl":
        return stage_jsonl(con, path, entity, size, t)
    if fmt == "parquet":
        return stage_parquet(con, path, entity, size, t)
    raise FileUnreadable(f"unsupported format {fmt!r}")
