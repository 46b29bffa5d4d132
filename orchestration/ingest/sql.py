"""SQL building blocks of the loader: raw schema DDL, typing and validation, duplicates.

Everything here is generated from orchestration.ingest.contract, so adding an optional column
to the contract adds it to the raw table (ensure_raw_schema also ALTERs existing tables)
and to validation without touching this file.

Conventions of the staged relation every reader produces (see ingest_readers):
    _row_number BIGINT    1-based record number within the file
    _pre_code   VARCHAR   reason code decided while reading (unparseable_row, invalid_json,
                          json_not_object), else NULL
    _pre_reason VARCHAR   its human sentence
    v_<column>  VARCHAR   the raw text of each contract column (NULL when absent)
    _extra      VARCHAR   JSON object of unknown extra columns, or NULL
The loader validates a batch of files at once: it adds _f, the file's position in the
batch, to the staged rows (checked_sql passes it through, dedup_sql orders by it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from orchestration.ingest import contract as C

# Typing rules (all in SQL, see parse_expr): blank or whitespace-only values are NULL;
# text is stored as given (not trimmed); integers are whole numbers ("12.0" accepted);
# decimals are DECIMAL(18,2), rounded half-up to cents, scientific notation accepted,
# |x| < 1e16; booleans accept true/false, t/f, 1/0, yes/no, y/n (any case); timestamps are
# ISO-8601 (date, optional time, optional fraction, optional Z / +hh / +hhmm / +hh:mm; no
# offset = UTC) converted to naive UTC; dates are YYYY-MM-DD (a midnight time is tolerated);
# JSON objects are stored minified (key order kept), so whitespace does not change the hash.
#
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

# Stable reason codes, in the order the checks run (first failing check wins).
REASON_CODES = (
    "unparseable_row",
    "invalid_json",
    "json_not_object",  # whole JSONL line, or an attributes/properties value
    "missing_required",
    "bad_timestamp",
    "future_timestamp",
    "bad_number",
    "negative_number",
    "bad_boolean",
    "bad_date",
    "json_too_large",
    "text_too_long",
    "conflicting_duplicate",
)

# ISO-8601 as accepted: date, optional time with optional fraction, optional offset.
TS_REGEX = r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?"
# A date, optionally with an all-zero midnight time (what pandas writes for dates).
DATE_REGEX = r"\d{4}-\d{2}-\d{2}([Tt ]00:00(:00(\.0+)?)?(Z|z|[+-]00(:?00)?)?)?"
TRUE_WORDS = ("true", "t", "1", "yes", "y")
FALSE_WORDS = ("false", "f", "0", "no", "n")


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


# --------------------------------------------------------------------------- typing


def _v(col: C.Column) -> str:
    """The blank-as-NULL text of a column in the staged relation."""
    return ident("n_" + col.name)


def _p(col: C.Column) -> str:
    return ident("p_" + col.name)


def _show(expr: str, width: int = 80) -> str:
    """A value quoted for a reason sentence, shortened."""
    return (
        f"'''' || left({expr}, {width}) || CASE WHEN length({expr}) > {width} THEN '...' ELSE '' END || ''''"
    )


# Fast paths: the forms data usually comes in are typed by cheaper SQL that gives exactly
# the value of the general expression (general=True), which handles everything else;
# tests/test_ingest.py compares the two on edge cases. A timestamp in the form
# YYYY-MM-DD[T ]hh:mm:ss[.ffffff][Z] (no other offset, nothing around it) is read by a
# TIMESTAMP cast, which reads it as UTC like the general TIMESTAMPTZ path.
TS_FAST_REGEX = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z?"


def parse_expr(col: C.Column, general: bool = False) -> str:
    """SQL turning the text n_<col> into the typed value, NULL when it does not parse."""
    n = _v(col)
    t = f"trim({n})"
    ws = "\\s*"
    if col.kind == C.TEXT:
        return n
    if col.kind == C.INTEGER:
        # Whole numbers only; "12.0" (pandas' float rendering of ints) is accepted.
        return (
            f"CASE WHEN regexp_full_match({n}, '{ws}[+-]?[0-9]+{ws}') THEN try_cast({n} AS BIGINT) "
            f"WHEN regexp_full_match({n}, '{ws}[+-]?[0-9]+\\.0*{ws}') THEN try_cast(split_part({t}, '.', 1) AS BIGINT) END"
        )
    if col.kind == C.DECIMAL:
        # Plain decimals, or scientific notation via DOUBLE; rounded to cents; NaN/inf fail.
        return (
            f"coalesce(try_cast({n} AS DECIMAL(18,2)), "
            f"CASE WHEN isfinite(try_cast({t} AS DOUBLE)) THEN try_cast(try_cast({t} AS DOUBLE) AS DECIMAL(18,2)) END)"
        )
    if col.kind == C.TIMESTAMP:
        # TIMESTAMPTZ understands offsets; the session TimeZone is UTC, so no offset = UTC.
        full = (
            f"CASE WHEN regexp_full_match({n}, '{ws}{TS_REGEX}{ws}') "
            f"THEN timezone('UTC', try_cast(replace(upper({n}), ',', '.') AS TIMESTAMPTZ)) END"
        )
        if general:
            return full
        return f"CASE WHEN regexp_full_match({n}, '{TS_FAST_REGEX}') THEN try_cast({n} AS TIMESTAMP) ELSE {full} END"
    if col.kind == C.DATE:
        return f"CASE WHEN regexp_full_match({n}, '{ws}{DATE_REGEX}{ws}') THEN try_cast(left({t}, 10) AS DATE) END"
    if col.kind == C.BOOLEAN:
        trues = ", ".join(lit(w) for w in TRUE_WORDS)
        falses = ", ".join(lit(w) for w in FALSE_WORDS)
        return f"CASE WHEN lower({t}) IN ({trues}) THEN TRUE WHEN lower({t}) IN ({falses}) THEN FALSE END"
    if col.kind == C.JSON_OBJECT:
        if general:
            # CASE, not AND: json_type raises on invalid JSON and AND does not short-circuit.
            return (
                f"CASE WHEN (CASE WHEN json_valid({n}) THEN json_type({n}) END) = 'OBJECT' "
                f"THEN json({n})::VARCHAR END"
            )
        # One parse: json() minifies valid JSON (an object then starts with '{') and
        # raises on invalid JSON, which try() turns into NULL.
        return f"CASE WHEN starts_with(try(json({n}))::VARCHAR, '{{') THEN try(json({n}))::VARCHAR END"
    raise ValueError(f"unknown column kind {col.kind!r}")


def checks(entity: C.Entity, future_limit: datetime) -> list[tuple[str, str, str]]:
    """(reason_code, condition, reason sentence) in priority order."""
    out: list[tuple[str, str, str]] = []
    cols = entity.columns
    for c in cols:
        if c.required:
            out.append(
                ("missing_required", f"{_v(c)} IS NULL", lit(f"required column {c.name} is missing or blank"))
            )
    for c in cols:
        if c.kind == C.TIMESTAMP:
            out.append(
                (
                    "bad_timestamp",
                    f"{_v(c)} IS NOT NULL AND {_p(c)} IS NULL",
                    f"'{c.name} ' || {_show(_v(c))} || ' is not an ISO-8601 timestamp'",
                )
            )
    for name in entity.no_future:
        c = entity.column(name)
        limit = lit(future_limit) if c.kind == C.TIMESTAMP else f"CAST({lit(future_limit)} AS DATE)"
        out.append(
            (
                "future_timestamp",
                f"{_p(c)} > {limit}",
                f"'{c.name} ' || {_p(c)}::VARCHAR || ' is in the future (later than load time + "
                f"{C.FUTURE_TOLERANCE_HOURS} hours)'",
            )
        )
    for c in cols:
        if c.kind in (C.INTEGER, C.DECIMAL):
            what = "a whole number" if c.kind == C.INTEGER else "a number"
            out.append(
                (
                    "bad_number",
                    f"{_v(c)} IS NOT NULL AND {_p(c)} IS NULL",
                    f"'{c.name} ' || {_show(_v(c))} || ' is not {what} (or is out of range)'",
                )
            )
    for c in cols:
        if c.kind in (C.INTEGER, C.DECIMAL):
            out.append(
                ("negative_number", f"{_p(c)} < 0", f"'{c.name} ' || {_p(c)}::VARCHAR || ' is negative'")
            )
    # a present value that does not parse as its kind; listed in the order reasons win
    unparsed = (
        (
            C.BOOLEAN,
            "bad_boolean",
            lambda c: f"'{c.name} ' || {_show(_v(c))} || ' is not a boolean (true/false)'",
        ),
        (
            C.DATE,
            "bad_date",
            lambda c: f"'{c.name} ' || {_show(_v(c))} || ' is not an ISO date (YYYY-MM-DD)'",
        ),
        (
            C.JSON_OBJECT,
            "json_not_object",
            lambda c: f"'{c.name} is not a JSON object: ' || {_show(_v(c), 60)}",
        ),
    )
    for kind, code, message in unparsed:
        for c in cols:
            if c.kind == kind:
                out.append((code, f"{_v(c)} IS NOT NULL AND {_p(c)} IS NULL", message(c)))
    for c in cols:
        if c.kind == C.JSON_OBJECT:
            out.append(
                (
                    "json_too_large",
                    f"length({_v(c)}) > {C.MAX_JSON_CHARS}",
                    f"'{c.name} is ' || length({_v(c)}) || ' characters, over the limit of {C.MAX_JSON_CHARS}'",
                )
            )
    for c in cols:
        if c.kind == C.TEXT:
            out.append(
                (
                    "text_too_long",
                    f"length({_v(c)}) > {C.MAX_TEXT_CHARS}",
                    f"'{c.name} is ' || length({_v(c)}) || ' characters, over the limit of {C.MAX_TEXT_CHARS}'",
                )
            )
    return out


def row_hash_expr(entity: C.Entity, general: bool = False) -> str:
    """md5 over the canonical typed contract values (NULL-safe, unambiguous): the JSON
    array of their texts; json_array() writes the same text as to_json(list_value()), faster."""
    vals = ", ".join(f"{_p(c)}::VARCHAR" for c in entity.columns)
    if general:
        return f"md5(to_json(list_value({vals}))::VARCHAR)"
    return f"md5(json_array({vals})::VARCHAR)"


def _blank_to_null(v: str, general: bool = False) -> str:
    if general:
        # Cheap test first: only values starting with whitespace can be blank.
        return (
            f"CASE WHEN {v} = '' OR (ascii({v}) IN (9, 10, 11, 12, 13, 32) AND regexp_full_match({v}, '\\s*')) "
            f"THEN NULL ELSE {v} END"
        )
    # Cheaper: a value whose first byte sorts after a space cannot be blank.
    return f"CASE WHEN {v} >= '!' THEN {v} WHEN {v} = '' OR regexp_full_match({v}, '\\s*') THEN NULL ELSE {v} END"


def checked_sql(entity: C.Entity, src: str, future_limit: datetime) -> str:
    """SELECT producing typed columns, _reason_code, _reason, _row_hash and _key_hash from the
    staged relation (with its _f, the file's position in the batch, passed through)."""
    norm = ", ".join(f"{_blank_to_null(ident('v_' + c.name))} AS {_v(c)}" for c in entity.columns)
    parsed = ", ".join(f"{parse_expr(c)} AS {_p(c)}" for c in entity.columns)
    when = "\n".join(
        f"      WHEN {cond} THEN {{'code': {lit(code)}, 'reason': {msg}}}"
        for code, cond, msg in checks(entity, future_limit)
    )
    typed = ", ".join(f"{_p(c)} AS {ident(c.name)}" for c in entity.columns)
    key_hash = f"hash({', '.join(_p(entity.column(k)) for k in entity.key)})"
    return f"""
SELECT _f, _row_number, {typed}, _extra,
       _r.code AS _reason_code, _r.reason AS _reason, {row_hash_expr(entity)} AS _row_hash,
       {key_hash} AS _key_hash
FROM (
  SELECT *,
    CASE
      WHEN _pre_code IS NOT NULL THEN {{'code': _pre_code, 'reason': _pre_reason}}
{when}
    END AS _r
  FROM (
    SELECT *, {parsed}
    FROM (SELECT _f, _row_number, _pre_code, _pre_reason, _extra, {norm} FROM {src})
  )
)
"""


# Rows are ordered across the files of a batch by (_f, _row_number), packed in one BIGINT.
ORD_SHIFT = 1 << 40


def dedup_hits_sql(entity: C.Entity, checked: str) -> str:
    """Key index rows whose key hash is one of the batch's valid rows' (few: re-deliveries
    and hash collisions). A scan of the key index (8 bytes a row), not of the raw table."""
    return f"""SELECT k._file, k._row_number, k._key_hash FROM {key_index_table(entity)} k
               WHERE k._key_hash IN (SELECT _key_hash FROM {checked} WHERE _reason_code IS NULL)"""


def dedup_candidates_sql(checked: str, hits: str) -> str:
    """Key hashes that need a look: seen twice in the batch, or already in the key index."""
    return f"""SELECT _key_hash FROM {checked} WHERE _reason_code IS NULL GROUP BY _key_hash HAVING count(*) > 1
               UNION SELECT _key_hash FROM {hits}"""


def dedup_sql(entity: C.Entity, checked: str, files: str, hits: str, cand: str) -> str:
    """Rows of `checked` (one batch of files) that are not loaded because of their natural key.

    _status 'duplicate' (same key and content as the winner) or 'conflict'. The winner of
    a key is the row already in the raw table if there is one, else the batch's first
    valid row with that key (lowest _f, then lowest _row_number): exactly what loading
    the batch's files one by one, in order, gives. `files` maps _f to the file's name;
    `hits` and `cand` are the results of dedup_hits_sql and dedup_candidates_sql.
    """
    keys = [ident(k) for k in entity.key]
    key_list = ", ".join(keys)
    raw = raw_table(entity)
    on_rv = " AND ".join(f"r.{k} = v.{k}" for k in keys)
    key_text = " || ', ' || ".join(f"'{k}=' || coalesce(c.{ident(k)}::VARCHAR, '')" for k in entity.key)
    # Only the rows of candidate key hashes are looked at, by key: keys seen twice in the
    # batch (m) or already in the raw table (p). p reads only the raw rows the key index
    # points at (pruned by _file) and compares them by key, so a hash collision costs a
    # lookup, never a wrong answer.
    return f"""
WITH v AS (SELECT _f, _row_number, _f * {ORD_SHIFT} + _row_number AS _ord, {key_list}, _row_hash
           FROM {checked} WHERE _reason_code IS NULL AND _key_hash IN (SELECT _key_hash FROM {cand})),
m AS (SELECT {key_list}, min(_ord) AS _w_ord, arg_min(_row_hash, _ord) AS _w_hash
      FROM v GROUP BY ALL HAVING count(*) > 1),
p AS (SELECT {", ".join(f"r.{k}" for k in keys)}, min(r._file) AS _p_file, min(r._row_number) AS _p_row,
             list(DISTINCT r._row_hash) AS _p_hashes
      FROM {raw} r
      SEMI JOIN {hits} h ON r._file = h._file AND r._row_number = h._row_number
      SEMI JOIN v ON {on_rv}
      WHERE r._file IN (SELECT _file FROM {hits})
      GROUP BY ALL),
c AS (
  SELECT v._f, v._row_number, {", ".join(f"v.{k}" for k in keys)},
    CASE
      WHEN p._p_hashes IS NOT NULL THEN
        CASE WHEN list_contains(p._p_hashes, v._row_hash) THEN 'duplicate' ELSE 'conflict' END
      WHEN v._ord = m._w_ord THEN 'load'
      WHEN v._row_hash = m._w_hash THEN 'duplicate'
      ELSE 'conflict'
    END AS _status,
    p._p_file, p._p_row, m._w_ord // {ORD_SHIFT} AS _w_f, m._w_ord % {ORD_SHIFT} AS _w_row
  FROM v LEFT JOIN m USING ({key_list}) LEFT JOIN p USING ({key_list})
  WHERE m._w_ord IS NOT NULL OR p._p_hashes IS NOT NULL
)
SELECT c._f, c._row_number, c._status,
  CASE WHEN c._status = 'conflict' THEN
    CASE WHEN c._p_file IS NOT NULL
      THEN {key_text} || ' was already loaded from ' || c._p_file || ' row ' || c._p_row || ' with different content'
      WHEN c._w_f = c._f
      THEN {key_text} || ' appears earlier in this file (row ' || c._w_row || ') with different content'
      ELSE {key_text} || ' was already loaded from ' || wf.file || ' row ' || c._w_row || ' with different content'
    END
  END AS _reason
FROM c LEFT JOIN {files} wf ON wf._f = c._w_f
WHERE c._status <> 'load'
"""


def future_limit_for(loaded_at: datetime) -> datetime:
    return loaded_at + timedelta(hours=C.FUTURE_TOLERANCE_HOURS)
