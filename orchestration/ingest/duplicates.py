"""The duplicate check of a batch: rows not loaded because their natural key was already
loaded, or appears earlier in the batch (same content: duplicate; else: conflict).

The loader's checked rows carry _key_hash (see orchestration.ingest.validation); the key
index (orchestration.ingest.sql) holds the hash of every loaded row's key.
"""

from __future__ import annotations

from orchestration.ingest import contract as C
from orchestration.ingest.sql import ident, key_index_table, raw_table

# Rows are ordered across the files of a batch by (_f, _row_number), packed in one BIGINT.
ORD_SHIFT = 1 << 40


def dedup_hits_sql(entity: C.Entity, checked: str) -> str:
    """Key index rows whose key hash is one of the batch's valid rows' (few: re-deliveries
    and hash collisions). A scan of the key index (8 bytes a row), not of the raw table."""
    return f"""SELECT k._file, k._row_number, k._key_hash FROM {key_index_table(entity)} k
               WHERE k._key_hash IN (SELECT _key_hash FROM {checked} WHERE _reason_code IS NULL)"""


def dedup_candidates_sql(checked: str, hits: str) -> str:
    """Key hashes that need a look: seen twice in the batch, or already in the key index."""
    return f"""SELECT _key_hash FROM {checked} WHERE _reason_code IS NULL
               GROUP BY _key_hash HAVING count(*) > 1
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
      THEN {key_text} || ' was already loaded from ' || c._p_file || ' row ' || c._p_row
           || ' with different content'
      WHEN c._w_f = c._f
      THEN {key_text} || ' appears earlier in this file (row ' || c._w_row || ') with different content'
      ELSE {key_text} || ' was already loaded from ' || wf.file || ' row ' || c._w_row
           || ' with different content'
    END
  END AS _reason
FROM c LEFT JOIN {files} wf ON wf._f = c._w_f
WHERE c._status <> 'load'
"""


def check_duplicates(con, entity: C.Entity) -> dict[int, tuple[int, int]]:
    """The duplicate check of the batch in temp._ingest_checked (its files in temp._ingest_files):
    makes temp._ingest_hits, _ingest_cand and _ingest_dedup (the rows not loaded, see dedup_sql);
    returns (duplicates, conflicts) by the file's position in the batch, _f, for files with any."""
    # Duplicate check in steps, so that each join is planned knowing its inputs' sizes.
    con.execute(f"CREATE TEMP TABLE _ingest_hits AS {dedup_hits_sql(entity, 'temp._ingest_checked')}")
    con.execute(
        "CREATE TEMP TABLE _ingest_cand AS "
        f"{dedup_candidates_sql('temp._ingest_checked', 'temp._ingest_hits')}"
    )
    if con.execute("SELECT count(*) FROM temp._ingest_cand").fetchone()[0]:
        dedup = dedup_sql(
            entity, "temp._ingest_checked", "temp._ingest_files", "temp._ingest_hits", "temp._ingest_cand"
        )
        con.execute(f"CREATE TEMP TABLE _ingest_dedup AS {dedup}")
    else:
        con.execute(
            "CREATE TEMP TABLE _ingest_dedup "
            "(_f INTEGER, _row_number BIGINT, _status VARCHAR, _reason VARCHAR)"
        )
    return {
        f: (dup, conflict)
        for f, dup, conflict in con.execute(
            "SELECT _f, count(*) FILTER (WHERE _status = 'duplicate'), "
            "count(*) FILTER (WHERE _status = 'conflict') "
            "FROM temp._ingest_dedup GROUP BY _f"
        ).fetchall()
    }
