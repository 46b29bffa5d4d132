"""The demo data's dirt, small and deterministic: which rows break the landing contract and
how (missing required values, bad or future timestamps, bad JSON, negative amounts, event id
conflicts), and the delivery faults of the events (late rows, duplicate rows, a re-sent file).
Every kind is counted in the generator's summary."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from orchestration.demo_data.writers import replace_at
from orchestration.ingest.contract import ENTITIES

LATE_RATE = 0.01  # events landing 1..5 days after they occurred
LATE_MAX_DAYS = 5
DUP_RATE = 0.002  # event rows delivered twice (same or next day's file)
DIRTY_EVENT_RATE = 0.0005  # contract-breaking event rows (at least one per day)
RESEND_EVERY = 30  # one events file re-delivered under another name every 30 days
RESEND_OFFSET = 14
FUTURE_YEARS = 5

MISSING, BAD_TS, FUTURE, BAD_JSON, NEGATIVE, CONFLICT = (
    "missing_required",
    "bad_timestamp",
    "future_timestamp",
    "bad_json",
    "negative_amount",
    "id_conflict",
)
EVENT_DIRT = (MISSING, BAD_TS, FUTURE, BAD_JSON, CONFLICT)
# Dirt kind -> column it breaks, per entity.
ENTITY_DIRT = {
    "companies": {
        MISSING: "company_id",
        BAD_TS: "updated_at",
        FUTURE: "updated_at",
        BAD_JSON: "attributes",
        NEGATIVE: "annual_revenue",
    },
    "contacts": {MISSING: "contact_id", BAD_TS: "created_at", FUTURE: "updated_at", BAD_JSON: "attributes"},
    "opportunities": {MISSING: "contact_id", BAD_TS: "created_at", FUTURE: "updated_at", NEGATIVE: "amount"},
    "lead_dispositions": {MISSING: "disposition", BAD_TS: "decided_at", FUTURE: "decided_at"},
    "marketing_spend": {MISSING: "channel", BAD_TS: "spend_date", NEGATIVE: "amount"},
}
ENTITY_CODE = {name: i for i, name in enumerate(ENTITIES)}


def _future(values: list) -> list:
    out = []
    for v in values:
        y = int(v[:4]) + FUTURE_YEARS
        rest = v[4:].replace("-02-29", "-02-28") if v[4:10] == "-02-29" else v[4:]
        out.append(f"{y:04d}{rest}")
    return out


def _negative(values: list) -> list:
    return ["-" + v if v not in (None, "", "0.00") else "-15.00" for v in values]


def dirty_values(kind: str, current: pa.Array, year: int) -> list:
    """Replacement strings for the rows to break; `current` is their present values."""
    k = len(current)
    alt = np.arange(k) % 2 == 0
    if kind == MISSING:
        return [None if a else "" for a in alt]
    if kind == BAD_TS:
        return ["not-a-date" if a else f"{year:04d}-13-45" for a in alt]
    if kind == FUTURE:
        return _future(current.to_pylist())
    if kind == BAD_JSON:
        return ["[1,2]" if a else '"text"' for a in alt]
    if kind == NEGATIVE:
        return _negative(current.to_pylist())
    raise ValueError(kind)


def apply_dirt(
    entity: str, arrays: dict, local_pos: np.ndarray, kinds: np.ndarray, year: int, counts: dict
) -> None:
    for code, kind in enumerate(ENTITY_DIRT[entity]):
        pos = local_pos[kinds == code]
        if len(pos) == 0:
            continue
        col = ENTITY_DIRT[entity][kind]
        current = arrays[col].take(pa.array(pos))
        arrays[col] = replace_at(arrays[col], pos, dirty_values(kind, current, year))
        counts[entity][kind] += len(pos)


def plan_dirt(entity: str, n_rows: int, seed: int) -> np.ndarray:
    """Per row: -1 clean or the index of a dirt kind in ENTITY_DIRT[entity]. At least one
    row of each kind when there are enough rows, plus one per 100,000 rows."""
    dirt = np.full(n_rows, -1, dtype=np.int8)
    kinds = len(ENTITY_DIRT[entity])
    per_kind = 1 + n_rows // 100_000
    want = np.repeat(np.arange(kinds), per_kind)[:n_rows]
    rng = np.random.default_rng([seed, 3, ENTITY_CODE[entity]])
    pos = rng.choice(n_rows, len(want), replace=False) if n_rows else np.empty(0, np.int64)
    dirt[pos] = want
    return dirt


def break_event_rows(
    cols: dict, elig: np.ndarray, d: int, year: int, rng: np.random.Generator, counts: dict
) -> None:
    """Break a few of day d's event rows in place (`cols`: column -> array), counting them per
    kind into `counts`. They are drawn among `elig`, the rows neither late nor duplicated: at
    least one a day, each the second of a pair of eligible rows (an id conflict reuses the id
    of the first); the kinds take turns from day to day."""
    odd = elig[1::2]
    n_dirty = min(len(odd), max(1, rng.binomial(len(elig), DIRTY_EVENT_RATE))) if len(elig) >= 2 else 0
    pick = np.sort(rng.choice(len(odd), n_dirty, replace=False)) if n_dirty else np.empty(0, np.int64)
    pos = odd[pick]
    kinds = (d + np.arange(n_dirty)) % len(EVENT_DIRT)
    for code, kname in enumerate(EVENT_DIRT):
        p = pos[kinds == code]
        if len(p) == 0:
            continue
        if kname == MISSING:
            # Alternately event_id and contact_id; alternately null and "".
            for col, sub in (("event_id", p[0::2]), ("contact_id", p[1::2])):
                if len(sub):
                    vals = [None if i % 4 < 2 else "" for i in range(len(sub))]
                    cols[col] = replace_at(cols[col], sub, vals)
        elif kname == CONFLICT:
            # Reuse the id of the clean row just before it (different content).
            src = elig[2 * pick[kinds == code]]
            cols["event_id"] = replace_at(cols["event_id"], p, cols["event_id"].take(pa.array(src)))
        else:
            col = {BAD_TS: "occurred_at", FUTURE: "occurred_at", BAD_JSON: "properties"}[kname]
            cols[col] = replace_at(cols[col], p, dirty_values(kname, cols[col].take(pa.array(p)), year))
        counts[kname] += len(p)
