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
join on a table of gaps, as small as the number of dropped records: see lines).

A reader is given the path of a generated link to the open landing file (see discovery),
never the landing path: DuckDB would read that as a glob pattern. CSV header names and
Parquet column names are matched to the contract by staged.match_columns (exactly, else
ignoring case and surrounding spaces); JSONL keys likewise, line by line (stage_jsonl).
Error messages name columns and row numbers, never values from the file.

This module holds the CSV and JSONL readers and stage(), which picks the reader of a
format; the Parquet reader is in parquet, what all readers share in staged.
"""

from __future__ import annotations

import csv
from pathlib import Path

from orchestration.ingest import contract as C
from orchestration.ingest.lines import count_rows, gaps_sql, numbered_sql, read_lines
from orchestration.ingest.parquet import stage_parquet
from orchestration.ingest.sql import ident, lit
from orchestration.ingest.staged import FileUnreadable, Staged, Temps, match_columns

HEADER_PROBE_BYTES = 1 << 20
# DuckDB's rejects table keeps this many characters of a rejected CSV line.
CSV_LINE_COPY_CHARS = 10_000


# --------------------------------------------------------------------------- CSV


def read_csv_header(path: Path) -> list[str]:
    with open(path, "rb") as f:
        chunk = f.read(HEADER_PROBE_BYTES)
    if not chunk:
        raise FileUnreadable("empty file (0 bytes): a CSV needs at least a header row")
    nl = chunk.find(b"\n")
    if nl < 0 and b"\r" in chunk:
        raise FileUnreadable("lines end with a lone CR (classic Mac line endings): save it with LF or CRLF")
    if nl < 0 and len(chunk) == HEADER_PROBE_BYTES:
        raise FileUnreadable("no line break in the first MiB: not a CSV file with a header row")
    first = chunk if nl < 0 else chunk[:nl]
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileUnreadable("the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8")
    try:
        text = first.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError as e:
        raise FileUnreadable(
            "the header row is not UTF-8 text: not a CSV file (binary data or another encoding?)"
        ) from e
    if "\x00" in text:
        raise FileUnreadable("the header row contains NUL bytes: not a CSV text file")
    if not text.strip():
        raise FileUnreadable("the first line is blank: a CSV file needs a header row")
    try:
        names = next(csv.reader([text], delimiter=",", quotechar='"', strict=True))
    except csv.Error as e:
        raise FileUnreadable(f"the header row cannot be parsed as CSV: {e}") from e
    return names


def _csv_quote(expr: str) -> str:
    return (
        f"CASE WHEN {expr} IS NULL THEN '' "
        f"WHEN {expr} = '' OR regexp_matches({expr}, '[\",\\r\\n]') "
        f"THEN '\"' || replace({expr}, '\"', '\"\"') || '\"' ELSE {expr} END"
    )


def stage_csv(con, path: Path, entity: C.Entity, maybe_blank_lines: bool, t: Temps) -> Staged:
    p = t.p
    names = read_csv_header(path)
    matched = match_columns(entity, names, "header")
    pos = matched.contract
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
                           count(*) FILTER (WHERE (length(coalesce(line, ''))
                                                   - length(replace(coalesce(line, ''), '"', ''))) % 2 = 1),
                           min(line_no), max(line_no), count(DISTINCT line_no),
                           count(*) FILTER (WHERE coalesce(line, '') = '')
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
                                  (ORDER BY line_no ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                                AS rec
                       FROM (SELECT line_no, line,
                                    sum(length(coalesce(line, ''))
                                        - length(replace(coalesce(line, ''), '"', '')))
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
        has_gaps = count_rows(con, " UNION ALL ".join(skipped)) > 0
    if has_gaps:
        con.execute(f"CREATE TEMP TABLE {p}gaps AS {gaps_sql(' UNION ALL '.join(skipped))}")
    csvnum = f"({numbered_sql(f'SELECT rowid + 1 AS _k, * FROM temp.{p}csv', f'temp.{p}gaps', has_gaps)})"

    vcols = ", ".join(
        f"{'c' + str(pos[c.name]) if c.name in pos else 'NULL::VARCHAR'} AS {ident('v_' + c.name)}"
        for c in entity.columns
    )
    extras = [(n, f"c{i}") for n, i in matched.extra]
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
                   'CSV row could not be parsed: ' || lower(replace(error_type, '_', ' '))
                     || ' (' || error_message || ')',
                   {nulls}, NULL::VARCHAR
            FROM temp.{p}csvrej"""
        if n_rej
        else ""
    )
    src = f"""(SELECT _num AS _row_number, NULL::VARCHAR AS _pre_code, NULL::VARCHAR AS _pre_reason,
                   {vcols}, {extra} AS _extra
            FROM {csvnum}{rejects})"""

    def raw_content_sql(q: str) -> str:
        if build_records():
            # Exact original text of each record (lines joined with LF), whatever its length.
            return f"""SELECT rec - 1 AS _row_number,
                              string_agg(coalesce(line, ''), chr(10) ORDER BY line_no) AS raw_content
                       FROM temp.{p}recs WHERE rec - 1 IN (SELECT _row_number FROM {q}) GROUP BY rec"""
        # Only when the physical lines could not be matched to DuckDB's records: rejects as
        # DuckDB copied them (it keeps CSV_LINE_COPY_CHARS characters of a line: a longer
        # one fails the file rather than be kept cut), others re-rendered as CSV.
        cut = con.execute(
            f"SELECT min(rn) FROM temp.{p}csvrej WHERE length(csv_line) >= {CSV_LINE_COPY_CHARS} "
            f"AND rn IN (SELECT _row_number FROM {q})"
        ).fetchone()[0]
        if cut is not None:
            raise FileUnreadable(
                f"row {cut} cannot be parsed and its lines cannot be told apart (an unbalanced quote?): "
                f"it is too long (over {CSV_LINE_COPY_CHARS:,} characters) to be kept whole in quarantine"
            )
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
    with open(path, "rb") as f:
        if f.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            raise FileUnreadable(
                "the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"
            )
    lines = read_lines(con, path, t)
    paths = "[" + ", ".join(lit("$." + '"' + n + '"') for n in names) + "]"
    # A key that differs from a contract column only in case or surrounding spaces
    # (`Properties`, ` event_id`) is read as that column when the line has no exact key for
    # it (the first such key, in key order); any other stays in _extra. Only lines with
    # unknown keys pay for this (_var is NULL otherwise).
    fold = "lower(trim(k))"
    vcols = ", ".join(
        f"CASE WHEN len(_var) > 0 AND NOT list_contains(_keys, {lit(n)}) THEN json_extract_string(t, "
        f"'/' || replace(replace(list_filter(_var, lambda k: {fold} = {lit(n.lower())})[1], '~', '~0'), "
        f"'/', '~1')) ELSE _vals[{i + 1}] END AS {ident('v_' + n)}"
        for i, n in enumerate(names)
    )
    known = "[" + ", ".join(lit(n) for n in names) + "]"
    known_folded = "[" + ", ".join(lit(n.lower()) for n in names) + "]"
    remove = lit("{" + ", ".join(f'"{n}": null' for n in names) + "}")
    ws = "chr(32) || chr(9) || chr(13) || chr(65279)"
    src = f"""(
        SELECT line_no AS _row_number,
          CASE WHEN err IS NOT NULL OR NOT _valid THEN 'invalid_json'
               WHEN _jt <> 'OBJECT' THEN 'json_not_object' END AS _pre_code,
          CASE WHEN err IS NOT NULL
               THEN 'line could not be read as UTF-8 text (' || lower(replace(err, '_', ' ')) || ')'
               WHEN NOT _valid THEN 'line is not valid JSON'
               WHEN _jt <> 'OBJECT' THEN 'line is a JSON ' || CASE _jt WHEN 'VARCHAR' THEN 'string'
                    WHEN 'ARRAY' THEN 'array' WHEN 'NULL' THEN 'null' WHEN 'BOOLEAN' THEN 'boolean'
                    ELSE 'number' END || ', not an object' END AS _pre_reason,
          {vcols},
          CASE WHEN len(_unk) > len(coalesce(_used, []))
               THEN CASE WHEN len(_used) > 0 THEN json_merge_patch(json_merge_patch(t, {remove}),
                    to_json(map_from_entries(list_transform(_used, lambda k: {{'k': k, 'v': NULL::JSON}}))))
                    ELSE json_merge_patch(t, {remove}) END::VARCHAR END AS _extra
        FROM (
         SELECT *,
           CASE WHEN len(_var) > 0 THEN list_filter(_var, lambda k, i:
                NOT list_contains(_keys, {fold})
                AND list_position(list_transform(_var, lambda x: lower(trim(x))), {fold}) = i) END AS _used
         FROM (
          SELECT *, CASE WHEN len(_unk) > 0
                    THEN list_filter(_unk, lambda k: list_contains({known_folded}, {fold})) END AS _var
          FROM (
          SELECT *, list_filter(_keys, lambda k: NOT list_contains({known}, k)) AS _unk
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
          )
          )
         )
        ))"""

    def raw_content_sql(q: str) -> str:
        return (
            f"SELECT line_no AS _row_number, line AS raw_content FROM {lines} "
            f"WHERE line_no IN (SELECT _row_number FROM {q})"
        )

    return Staged(src, "jsonl", raw_content_sql)


# --------------------------------------------------------------------------- Parquet


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
