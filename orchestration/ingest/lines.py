"""A text file as physical lines in DuckDB, and the mapping of row ordinals to record numbers.

DuckDB's readers silently drop rejected and blank records, so the ordinal of a good row is
mapped back to its record number with the sorted set of dropped numbers (an ASOF join on
a table of gaps, as small as the number of dropped records).
"""

from __future__ import annotations

from pathlib import Path

from orchestration.ingest.sql import lit
from orchestration.ingest.staged import FileUnreadable, Temps

# Four control characters no JSON line and no sane CSV line contains: used as the
# "delimiter" when reading a file as physical lines, so a line is never split.
LINE_DELIM = "chr(1) || chr(2) || chr(3) || chr(4)"
# The longest physical line read (and so kept whole in raw.quarantine.raw_content): a
# file with a longer line fails, naming it. DuckDB's CSV parser itself stops at
# CSV_MAX_RECORD_BYTES (its default): a longer CSV record is quarantined (unparseable_row)
# with its whole text, read as lines.
MAX_LINE_BYTES = 64 << 20
CSV_MAX_RECORD_BYTES = 2_000_000


def gaps_sql(skipped_sql: str) -> str:
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


def numbered_sql(inner: str, gaps: str | None, has_gaps: bool, ordinal: str = "_k") -> str:
    if not has_gaps:
        return f"SELECT {ordinal} AS _num, * FROM ({inner})"
    return (
        f"SELECT s.{ordinal} + coalesce(m.add, 0) AS _num, s.* FROM ({inner}) s "
        f"ASOF LEFT JOIN {gaps} m ON s.{ordinal} > m.g"
    )


def count_rows(con, sql: str) -> int:
    return con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]


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
            max_line_size={MAX_LINE_BYTES}, store_rejects=true, rejects_table='{p}lrej',
            rejects_scan='{p}lrejscan')"""
    )
    con.execute(
        f"""CREATE TEMP TABLE {p}lines_rej AS
           SELECT line AS line_no, min(error_type) AS err, min(csv_line) AS text
           FROM temp.{p}lrej GROUP BY line"""
    )
    too_long = con.execute(
        f"SELECT min(line_no) FROM temp.{p}lines_rej "
        "WHERE upper(replace(err, ' ', '_')) = 'LINE_SIZE_OVER_MAXIMUM'"
    ).fetchone()[0]
    if too_long is not None:
        raise FileUnreadable(
            f"line {too_long} is longer than {MAX_LINE_BYTES >> 20} MiB, the most a landing file's line may "
            "hold: split the file or shorten the record"
        )
    has_gaps = count_rows(con, f"SELECT 1 FROM temp.{p}lines_rej") > 0
    if has_gaps:
        con.execute(
            f"CREATE TEMP TABLE {p}lines_gaps AS {gaps_sql(f'SELECT line_no AS s FROM temp.{p}lines_rej')}"
        )
    numbered = numbered_sql(
        f"SELECT rowid + 1 AS _k, line FROM temp.{p}lines_raw", f"temp.{p}lines_gaps", has_gaps
    )
    con.execute(
        f"""CREATE TEMP TABLE {p}lines AS
            SELECT _num AS line_no, line, NULL::VARCHAR AS err FROM ({numbered})
            UNION ALL SELECT line_no, text, err FROM temp.{p}lines_rej"""
    )
    con.execute(f"DROP TABLE temp.{p}lines_raw")
    return f"temp.{p}lines"
