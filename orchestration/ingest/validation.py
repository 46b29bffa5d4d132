"""Typing and validation of staged rows, in SQL: parse each contract column, apply the checks
in reason-code order, hash each row's content and its natural key (checked_sql).

Everything here is generated from orchestration.ingest.contract, so adding an optional column
to the contract adds it to validation without touching this file.

Conventions of the staged relation every reader produces (see orchestration.ingest.readers):
    _row_number BIGINT    1-based record number within the file
    _pre_code   VARCHAR   reason code decided while reading (unparseable_row, invalid_json,
                          json_not_object), else NULL
    _pre_reason VARCHAR   its human sentence
    v_<column>  VARCHAR   the raw text of each contract column (NULL when absent)
    _extra      VARCHAR   JSON object of unknown extra columns, or NULL
The loader validates a batch of files at once: it adds _f, the file's position in the
batch, to the staged rows (checked_sql passes it through, dedup_sql in
orchestration.ingest.duplicates orders by it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from orchestration.ingest import contract as C
from orchestration.ingest.sql import ident, lit

# Typing rules (all in SQL, see parse_expr): blank or whitespace-only values are NULL;
# text is stored as given (not trimmed); integers are whole numbers ("12.0" accepted);
# decimals are DECIMAL(18,2), rounded half-up to cents, scientific notation accepted,
# |x| < 1e16; booleans accept true/false, t/f, 1/0, yes/no, y/n (any case); timestamps are
# ISO-8601 (date, optional time, optional fraction, optional Z / +hh / +hhmm / +hh:mm
# within -12:00..+14:00; no offset = UTC) converted to naive UTC, fractions past the
# microsecond cut off, a leap second (:60) refused, nothing before C.MIN_YEAR; dates are
# YYYY-MM-DD (a midnight time is tolerated); JSON objects are stored minified (key order
# kept), so whitespace does not change the hash, and their top-level keys must be distinct,
# non-empty, free of control characters and at most C.MAX_JSON_KEY_CHARS long (values may be
# anything, nested objects and arrays included: scoring reads those as JSON text).

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
    "json_duplicate_key",  # an attributes/properties object names a key twice
    "json_bad_key",  # ... has an empty key, or one over MAX_JSON_KEY_CHARS
    "text_too_long",
    "conflicting_duplicate",
)

# A UTC offset: Z, or +hh, +hhmm, +hh:mm from C.MIN_UTC_OFFSET_MINUTES (-12:00) to
# C.MAX_UTC_OFFSET_MINUTES (+14:00), minutes 00-59 (tests/ingest/test_ingest.py holds the two
# together over every hh:mm).
OFFSET_REGEX = r"(Z|z|\+(0\d|1[0-3])(:?[0-5]\d)?|\+14(:?00)?|-(0\d|1[01])(:?[0-5]\d)?|-12(:?00)?)"
# ISO-8601 as accepted: date, optional time with optional fraction, optional offset.
TS_REGEX = r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?)?" + OFFSET_REGEX + "?"
# A date, optionally with an all-zero midnight time (what pandas writes for dates).
DATE_REGEX = r"\d{4}-\d{2}-\d{2}([Tt ]00:00(:00(\.0+)?)?(Z|z|[+-]00(:?00)?)?)?"
# A control character (U+0000-U+001F, U+007F): in a JSON key, junk no rule can name.
CONTROL_CHAR_REGEX = r"[\x00-\x1f\x7f]"
TRUE_WORDS = ("true", "t", "1", "yes", "y")
FALSE_WORDS = ("false", "f", "0", "no", "n")

# --------------------------------------------------------------------------- typing


def _v(col: C.Column) -> str:
    """The blank-as-NULL text of a column in the staged relation."""
    return ident("n_" + col.name)


def _p(col: C.Column) -> str:
    return ident("p_" + col.name)


def _k(col: C.Column) -> str:
    """The top-level keys of a JSON object column (NULL when it is absent or not an object)."""
    return ident("k_" + col.name)


def _show(expr: str) -> str:
    """What a reason sentence says of a value: its length, never the value itself (a
    reason names columns and row numbers, not data that may be PII; raw_content keeps
    the row as it arrived)."""
    return f"'(' || length({expr}) || ' characters)'"


# Fast paths: the forms data usually comes in are typed by cheaper SQL that gives exactly
# the value of the general expression (general=True), which handles everything else;
# tests/ingest/test_ingest.py compares the two on edge cases. A timestamp in the form
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
            f"WHEN regexp_full_match({n}, '{ws}[+-]?[0-9]+\\.0*{ws}') "
            f"THEN try_cast(split_part({t}, '.', 1) AS BIGINT) END"
        )
    if col.kind == C.DECIMAL:
        # Plain decimals, or scientific notation via DOUBLE; rounded to cents; NaN/inf fail.
        return (
            f"coalesce(try_cast({n} AS DECIMAL(18,2)), "
            f"CASE WHEN isfinite(try_cast({t} AS DOUBLE)) "
            f"THEN try_cast(try_cast({t} AS DOUBLE) AS DECIMAL(18,2)) END)"
        )
    if col.kind == C.TIMESTAMP:
        # TIMESTAMPTZ understands offsets; the session TimeZone is UTC, so no offset = UTC.
        # The cast trims spaces only: every whitespace the regex lets around goes first.
        spaces = " || ".join(f"chr({i})" for i in (9, 10, 11, 12, 13, 32))
        full = (
            f"CASE WHEN regexp_full_match({n}, '{ws}{TS_REGEX}{ws}') "
            f"THEN timezone('UTC', try_cast(replace(upper(trim({n}, {spaces})), ',', '.') AS TIMESTAMPTZ)) "
            "END"
        )
        if general:
            return full
        return (
            f"CASE WHEN regexp_full_match({n}, '{TS_FAST_REGEX}') THEN try_cast({n} AS TIMESTAMP) "
            f"ELSE {full} END"
        )
    if col.kind == C.DATE:
        return (
            f"CASE WHEN regexp_full_match({n}, '{ws}{DATE_REGEX}{ws}') "
            f"THEN try_cast(left({t}, 10) AS DATE) END"
        )
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
    for c in cols:
        if c.kind == C.TIMESTAMP:
            out.append(
                (
                    "bad_timestamp",
                    f"{_p(c)} < TIMESTAMP '{C.MIN_YEAR}-01-01'",
                    lit(f"{c.name} is before {C.MIN_YEAR}: a placeholder or a typo, not a time"),
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
            lambda c: f"'{c.name} is not a JSON object: ' || {_show(_v(c))}",
        ),
    )
    for kind, code, message in unparsed:
        for c in cols:
            if c.kind == kind:
                out.append((code, f"{_v(c)} IS NOT NULL AND {_p(c)} IS NULL", message(c)))
            if c.kind == kind == C.DATE:
                out.append(
                    (
                        code,
                        f"{_p(c)} < DATE '{C.MIN_YEAR}-01-01'",
                        lit(f"{c.name} is before {C.MIN_YEAR}: a placeholder or a typo, not a date"),
                    )
                )
    for c in cols:
        if c.kind == C.JSON_OBJECT:
            out.append(
                (
                    "json_too_large",
                    f"length({_v(c)}) > {C.MAX_JSON_CHARS}",
                    f"'{c.name} is ' || length({_v(c)}) || "
                    f"' characters, over the limit of {C.MAX_JSON_CHARS}'",
                )
            )
    # Keys a rule could not name unambiguously (the sentences never quote a key: it is data).
    # k_<column> holds the object's top-level keys (checked_sql); json() wrote the object
    # minified with its strings unescaped the one way, so a cheap look at the text tells
    # which objects may hold an empty key ("":), a control character (escaped, so a
    # backslash; DEL is not escaped) or a long key, and only those get their keys looked at.
    for c in cols:
        if c.kind == C.JSON_OBJECT:
            k = _k(c)
            out.append(
                (
                    "json_duplicate_key",
                    # each key found first at its own position: cheaper than a hash of the
                    # keys for the few keys objects usually have, which stays for many
                    f"CASE WHEN len({k}) > 64 THEN list_unique({k}) < len({k}) "
                    f"ELSE list_bool_or(list_transform({k}, lambda key, i: list_position({k}, key) < i)) END",
                    lit(f"{c.name} has the same key more than once: which of its values counts is ambiguous"),
                )
            )
    for c in cols:
        if c.kind == C.JSON_OBJECT:
            p, k, n = _p(c), _k(c), C.MAX_JSON_KEY_CHARS
            out.append(
                (
                    "json_bad_key",
                    f"CASE WHEN contains({p}, '\"\":') OR contains({p}, '\\') OR contains({p}, chr(127)) "
                    f"OR length({p}) > {n} "
                    f"THEN list_bool_or(list_transform({k}, lambda k: k = '' OR length(k) > {n} "
                    f"OR regexp_matches(k, '{CONTROL_CHAR_REGEX}'))) ELSE false END",
                    f"'{c.name} has ' || CASE WHEN list_contains({k}, '') THEN 'an empty key' "
                    f"WHEN list_max(list_transform({k}, lambda k: length(k))) > {n} "
                    f"THEN 'a key over {n} characters' "
                    "ELSE 'a key with a control character' END",
                )
            )
    for c in cols:
        if c.kind == C.TEXT:
            out.append(
                (
                    "text_too_long",
                    f"length({_v(c)}) > {C.MAX_TEXT_CHARS}",
                    f"'{c.name} is ' || length({_v(c)}) || "
                    f"' characters, over the limit of {C.MAX_TEXT_CHARS}'",
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
            f"CASE WHEN {v} = '' "
            f"OR (ascii({v}) IN (9, 10, 11, 12, 13, 32) AND regexp_full_match({v}, '\\s*')) "
            f"THEN NULL ELSE {v} END"
        )
    # Cheaper: a value whose first byte sorts after a space cannot be blank.
    return (
        f"CASE WHEN {v} >= '!' THEN {v} "
        f"WHEN {v} = '' OR regexp_full_match({v}, '\\s*') THEN NULL ELSE {v} END"
    )


def checked_sql(entity: C.Entity, src: str, future_limit: datetime) -> str:
    """SELECT producing typed columns, _reason_code, _reason, _row_hash and _key_hash from the
    staged relation (with its _f, the file's position in the batch, passed through)."""
    norm = ", ".join(f"{_blank_to_null(ident('v_' + c.name))} AS {_v(c)}" for c in entity.columns)
    parsed = ", ".join(f"{parse_expr(c)} AS {_p(c)}" for c in entity.columns)
    when = "\n".join(
        f"      WHEN {cond} THEN {{'code': {lit(code)}, 'reason': {msg}}}"
        for code, cond, msg in checks(entity, future_limit)
    )
    keys = "".join(f", json_keys({_p(c)}) AS {_k(c)}" for c in entity.columns if c.kind == C.JSON_OBJECT)
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
    SELECT *{keys}
    FROM (
      SELECT *, {parsed}
      FROM (SELECT _f, _row_number, _pre_code, _pre_reason, _extra, {norm} FROM {src})
    )
  )
)
"""


def future_limit_for(loaded_at: datetime) -> datetime:
    return loaded_at + timedelta(hours=C.FUTURE_TOLERANCE_HOURS)
