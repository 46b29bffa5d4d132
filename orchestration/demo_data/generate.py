"""Deterministic, vectorised demo-data generator for the landing contract.

    generate(out, contacts=1000, days=60) -> summary dict

writes one file per entity per day under ``out/<entity>/<entity>_<YYYY-MM-DD>.<ext>``
(companies .jsonl, contacts .csv, events .parquet, opportunities .csv,
lead_dispositions .jsonl, marketing_spend .csv), every file written atomically
(``name.tmp`` then ``os.replace``). The data carries signal (hidden fit and intent drive
journeys, handovers, opportunities and wins) and a small, deterministic amount of dirt
(duplicate deliveries, late events, contract-breaking rows) reported in the summary.

Same arguments and seed give byte-identical files. Each day's events are drawn from a
generator seeded by (seed, day); the population and its plans from (seed,).
Command line: ``python -m orchestration.demo_data.generate OUT --contacts N --days D [--seed S]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

from orchestration.demo_data.population import Population, build
from orchestration.demo_data.population.contacts import title_index
from orchestration.demo_data.population.sampling import DAY, NULL_SEC, sample_sod
from orchestration.demo_data.vocab.behaviour import PH_DISCOVERY, phase_tables
from orchestration.demo_data.vocab.companies import (
    COUNTRIES,
    INDUSTRIES,
    company_attr_index,
    company_attr_json,
)
from orchestration.demo_data.vocab.events import (
    EMAIL_KINDS,
    EVENT_TYPES,
    KIND,
    KIND_PROP_LO,
    KIND_PROP_N,
    KIND_TYPE,
    KINDS,
    PROPERTIES,
)
from orchestration.demo_data.vocab.people import (
    CHANNEL_CPL,
    DISPOSITIONS,
    FIRST_NAMES,
    JUNK_NONE,
    LAST_NAMES,
    LEAD_SOURCES,
    REASONS,
    SENIORITIES,
    SRC_EVENT,
    SRC_LINKEDIN,
    SRC_PAID,
    TITLES,
    contact_attr_json,
)
from orchestration.demo_data.writers import (
    atomic_write_bytes,
    day_timestamps,
    decimals,
    digits,
    fixed_strings,
    id_width,
    ids,
    integers,
    replace_at,
    timestamps,
    write_csv,
    write_jsonl,
    write_parquet,
)
from orchestration.ingest.contract import ENTITIES

EXT = {
    "companies": "jsonl",
    "contacts": "csv",
    "events": "parquet",
    "opportunities": "csv",
    "lead_dispositions": "jsonl",
    "marketing_spend": "csv",
}
# Columns holding JSON text that goes into JSONL unquoted (numbers, booleans, objects).
JSONL_RAW = {"companies": {"employee_count", "annual_revenue", "attributes"}, "lead_dispositions": set()}

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
STAGES = ["open", "closed_won", "closed_lost"]


# ---------------------------------------------------------------------------- dirt
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


# ---------------------------------------------------------------------- the writer
class _Writer:
    def __init__(self, out: Path, pop: Population, seed: int):
        self.out, self.pop, self.seed = out, pop, seed
        self.t0 = pop.t0_epoch_day
        self.rows = defaultdict(int)
        self.files = defaultdict(int)
        self.dirty = {e: defaultdict(int) for e in ENTITIES}
        for e in ENTITIES:
            (out / e).mkdir(parents=True, exist_ok=True)
        # Contact ids as a byte matrix, gathered by row for every event (no string work).
        p = np.frombuffer(b"ct_", dtype=np.uint8)
        self.ct_mat = np.empty((pop.n, 3 + pop.ct_id_width), dtype=np.uint8)
        self.ct_mat[:, :3] = p
        self.ct_mat[:, 3:] = digits(np.arange(1, pop.n + 1), pop.ct_id_width)
        self.vocab = dict(
            first=pa.array(FIRST_NAMES),
            last=pa.array(LAST_NAMES),
            title=pa.array(TITLES),
            seniority=pa.array(SENIORITIES),
            country=pa.array(COUNTRIES),
            source=pa.array(LEAD_SOURCES),
            ct_attr=pa.array(contact_attr_json()),
            co_attr=pa.array(company_attr_json()),
            industry=pa.array(INDUSTRIES),
            stage=pa.array(STAGES),
            disposition=pa.array(DISPOSITIONS),
            reason=pa.array(REASONS),
            channel=pa.array(LEAD_SOURCES),
            etype=pa.array(EVENT_TYPES),
            props=pa.array(PROPERTIES),
        )
        self.phase_cum = phase_tables()
        # Small entities: landing-day bounds and dirt per planned row.
        self.bounds, self.dirt = {}, {}
        for e, key in (
            ("companies", "updated"),
            ("contacts", "updated"),
            ("opportunities", "updated"),
            ("lead_dispositions", "decided"),
        ):
            plan = pop.plans[e]
            land = np.maximum(np.floor_divide(plan[key], DAY), 0)
            self.bounds[e] = np.searchsorted(land, np.arange(pop.days + 1))
            self.dirt[e] = plan_dirt(e, len(land), seed)
        self.dirt["marketing_spend"] = plan_dirt("marketing_spend", pop.days * len(LEAD_SOURCES), seed)
        # Events: carried deliveries (late events, next-day duplicates) by landing day.
        self.carry: dict[int, list[pa.Table]] = defaultdict(list)
        self.carry_late: dict[int, int] = defaultdict(int)
        self.late_landed = self.late_dropped = 0
        self.dup_rows = self.dup_dropped = 0
        self.duplicate_files = 0
        self.events_total = 0

    # -- helpers
    def path(self, entity: str, d: int, suffix: str = "") -> Path:
        day = dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + self.t0 + d).isoformat()
        return self.out / entity / f"{entity}_{day}{suffix}.{EXT[entity]}"

    def ts(self, rel_seconds: np.ndarray) -> pa.Array:
        return timestamps(np.asarray(rel_seconds, dtype=np.int64) + self.t0 * DAY)

    def company_ids(self, company: np.ndarray) -> pa.Array:
        a = ids("co_", np.maximum(company, 0) + 1, self.pop.comp_id_width)
        if (company < 0).any():
            a = replace_at(a, np.flatnonzero(company < 0), None)
        return a

    def contact_ids(self, contact: np.ndarray) -> pa.Array:
        return fixed_strings(self.ct_mat[contact])

    def year(self, d: int) -> int:
        return (dt.date(1970, 1, 1) + dt.timedelta(days=self.t0 + d)).year

    def _emit(
        self, entity: str, d: int, arrays: dict, sl: slice | None = None, dirt: np.ndarray | None = None
    ) -> None:
        n = len(next(iter(arrays.values())))
        if n == 0:
            return
        if dirt is not None:
            pos = np.flatnonzero(dirt >= 0)
            if len(pos):
                apply_dirt(entity, arrays, pos, dirt[pos], self.year(d), self.dirty)
        cols = ENTITIES[entity].column_names
        path = self.path(entity, d)
        if EXT[entity] == "csv":
            write_csv(path, cols, arrays)
        else:
            write_jsonl(path, cols, arrays, JSONL_RAW[entity])
        self.rows[entity] += n
        self.files[entity] += 1

    def _slice(self, entity: str, d: int):
        lo, hi = self.bounds[entity][d], self.bounds[entity][d + 1]
        plan = self.pop.plans[entity]
        return {k: v[lo:hi] for k, v in plan.items()}, self.dirt[entity][lo:hi]

    # -- small entities
    def companies(self, d: int) -> None:
        rows, dirt = self._slice("companies", d)
        c, comp, v = rows["company"], self.pop.comp, self.vocab
        revenue = np.round(rows["emp"] * comp["rev_per_emp"][c], -3).astype(np.int64) * 100
        attr = company_attr_index(comp["tier"][c], comp["stack"][c], rows["customer"])
        self._emit(
            "companies",
            d,
            {
                "company_id": self.company_ids(c),
                "name": comp["name"].take(pa.array(c)),
                "domain": comp["domain"].take(pa.array(c)),
                "industry": v["industry"].take(pa.array(comp["industry"][c])),
                "employee_count": integers(rows["emp"]),
                "annual_revenue": decimals(revenue),
                "country": v["country"].take(pa.array(comp["country"][c])),
                "attributes": v["co_attr"].take(pa.array(attr)),
                "updated_at": self.ts(rows["updated"]),
            },
            dirt=dirt,
        )

    def contacts(self, d: int) -> None:
        rows, dirt = self._slice("contacts", d)
        c, ct, v = rows["contact"], self.pop.ct, self.vocab
        ci = pa.array(c)
        self._emit(
            "contacts",
            d,
            {
                "contact_id": self.contact_ids(c),
                "email": ct["email"].take(ci),
                "first_name": v["first"].take(pa.array(ct["first"][c])),
                "last_name": v["last"].take(pa.array(ct["last"][c])),
                "phone": ct["phone"].take(ci),
                "job_title": v["title"].take(pa.array(title_index(rows["sen"], ct["title_rand"][c]))),
                "seniority": v["seniority"].take(pa.array(rows["sen"])),
                "company_id": self.company_ids(ct["company"][c]),
                "country": v["country"].take(pa.array(ct["country"][c])),
                "lead_source": v["source"].take(pa.array(ct["source"][c])),
                "attributes": v["ct_attr"].take(pa.array(rows["attr"])),
                "created_at": self.ts(ct["created"][c]),
                "updated_at": self.ts(rows["updated"]),
            },
            dirt=dirt,
        )

    def opportunities(self, d: int) -> None:
        rows, dirt = self._slice("opportunities", d)
        v = self.vocab
        won = np.where(rows["stage"] == 0, None, np.where(rows["stage"] == 1, "true", "false"))
        no_close = rows["closed"] == NULL_SEC
        closed = self.ts(np.where(no_close, 0, rows["closed"]))
        if no_close.any():
            closed = replace_at(closed, np.flatnonzero(no_close), None)
        self._emit(
            "opportunities",
            d,
            {
                "opportunity_id": ids("op_", rows["opp"], self.pop.opp_id_width),
                "contact_id": self.contact_ids(rows["contact"]),
                "company_id": self.company_ids(rows["company"]),
                "created_at": self.ts(rows["created"]),
                "stage": v["stage"].take(pa.array(rows["stage"])),
                "amount": decimals(rows["amount"]),
                "is_won": pa.array(won, type=pa.string()),
                "closed_at": closed,
                "updated_at": self.ts(rows["updated"]),
            },
            dirt=dirt,
        )

    def lead_dispositions(self, d: int) -> None:
        rows, dirt = self._slice("lead_dispositions", d)
        v = self.vocab
        reason = v["reason"].take(pa.array(np.maximum(rows["reason"], 0)))
        if (rows["reason"] < 0).any():
            reason = replace_at(reason, np.flatnonzero(rows["reason"] < 0), None)
        self._emit(
            "lead_dispositions",
            d,
            {
                "contact_id": self.contact_ids(rows["contact"]),
                "disposition": v["disposition"].take(pa.array(rows["disposition"])),
                "reason": reason,
                "decided_at": self.ts(rows["decided"]),
            },
            dirt=dirt,
        )

    def marketing_spend(self, d: int) -> None:
        pop = self.pop
        rng = np.random.default_rng([self.seed, 4, d])
        nch = len(LEAD_SOURCES)
        lo, hi = pop.n_created_by(d - 1), pop.n_created_by(d)
        today = np.bincount(pop.ct["source"][lo:hi], minlength=nch) if d >= 0 else np.zeros(nch)
        leads = 0.6 * pop.spend_mean_leads + 0.4 * today
        amount = CHANNEL_CPL * np.maximum(leads, 0.05) * rng.lognormal(0, 0.2, nch)
        # Event sponsorship is lumpy: paid every other week.
        amount[SRC_EVENT] *= 8.0 if d % 14 == 3 else 0.4
        if pop.weekend(d):
            amount[[SRC_PAID, SRC_LINKEDIN]] *= 0.6
        cents = np.round(amount * 100).astype(np.int64)
        day = dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + self.t0 + d).isoformat()
        self._emit(
            "marketing_spend",
            d,
            {
                "spend_date": pa.array([day] * nch),
                "channel": self.vocab["channel"],
                "amount": decimals(cents),
            },
            dirt=self.dirt["marketing_spend"][d * nch : (d + 1) * nch],
        )

    # -- events
    def draw_events(self, d: int, rng: np.random.Generator):
        """Contact index, kind and second-of-day of every event occurring on day d."""
        pop, ct, jr = self.pop, self.pop.ct, self.pop.jr
        hi = pop.n_created_by(d)
        lo_new = pop.n_created_by(d - 1)
        n_bg = rng.poisson(pop.bg_rates(d, slice(0, hi)))
        j_rate, j_phase = pop.journey_rates(d)
        n_j = rng.poisson(j_rate)
        new = np.arange(lo_new, hi)
        n_b = rng.poisson(ct["burst"][new])
        s_lo, s_hi = np.searchsorted(pop.sched["day"], [d, d + 1])
        s_c = pop.sched["contact"][s_lo:s_hi]
        new_phase = np.where(ct["junk"][new] == JUNK_NONE, PH_DISCOVERY, ct["bg_phase"][new])
        cidx = np.concatenate(
            [np.repeat(np.arange(hi), n_bg), np.repeat(jr["idx"], n_j), np.repeat(new, n_b), s_c]
        )
        n_free = len(cidx) - len(s_c)
        phase = np.concatenate(
            [
                np.repeat(ct["bg_phase"][:hi], n_bg),
                np.repeat(j_phase, n_j),
                np.repeat(new_phase.astype(np.int8), n_b),
            ]
        )
        kind = np.empty(len(cidx), dtype=np.int16)
        u = rng.random(n_free)
        for p in range(len(self.phase_cum)):
            m = phase == p
            if m.any():
                kind[:n_free][m] = np.searchsorted(self.phase_cum[p], u[m], side="right")
        kind[n_free:] = pop.sched["kind"][s_lo:s_hi]
        np.minimum(kind, len(KINDS) - 1, out=kind)
        # No marketing email reaches bad addresses or (after the day) unsubscribers; no SMS
        # without a phone number.
        mail = EMAIL_KINDS[kind] & (ct["bounce"][cidx] | (ct["unsub_day"][cidx] <= d))
        kind[mail] = KIND["pv_blog"]
        kind[(kind == KIND["sms_sent"]) & ~ct["has_phone"][cidx]] = KIND["pv_home"]
        prop = KIND_PROP_LO[kind] + (KIND_PROP_N[kind] * rng.random(len(kind)) ** 1.7).astype(np.int32)
        # Sessions: a contact's events of the day follow each other a minute or two apart;
        # a contact created today starts right after its creation second.
        fixed = np.concatenate([np.full(n_free, -1), pop.sched["sod"][s_lo:s_hi]])
        order = np.argsort(cidx, kind="stable")
        cidx, kind, prop, fixed = cidx[order], kind[order], prop[order], fixed[order]
        n = len(cidx)
        start = np.ones(n, dtype=bool)
        start[1:] = cidx[1:] != cidx[:-1]
        group = np.cumsum(start) - 1
        heads = cidx[start]
        base = sample_sod(rng, len(heads))
        created_today = ct["created_day"][heads] == d
        base = np.where(created_today, ct["created"][heads] - d * DAY + 5, base)
        cs = np.cumsum(rng.exponential(80.0, n))
        offset = cs - cs[start][group]
        sec = np.minimum(base[group] + offset.astype(np.int64), DAY - 1)
        sec = np.where(fixed >= 0, fixed, sec)
        order = np.lexsort((cidx, sec))
        return cidx[order], kind[order], prop[order], sec[order]

    def events(self, d: int) -> int:
        rng = np.random.default_rng([self.seed, 2, d])
        cidx, kind, prop, sec = self.draw_events(d, rng)
        n = len(cidx)
        date = dt.date(1970, 1, 1) + dt.timedelta(days=self.t0 + d)
        w = id_width(max(n - 1, 0), 7)
        v = self.vocab
        cols = {
            "event_id": ids(f"ev_{date:%Y%m%d}_", np.arange(n), w),
            "contact_id": self.contact_ids(cidx),
            "event_type": v["etype"].take(pa.array(KIND_TYPE[kind])),
            "occurred_at": day_timestamps(self.t0 + d, sec),
            "properties": v["props"].take(pa.array(prop)),
        }
        # Delivery dirt: late rows, duplicated rows, contract-breaking rows (disjoint sets).
        u = rng.random(n)
        late = u < LATE_RATE
        dup = (u >= LATE_RATE) & (u < LATE_RATE + DUP_RATE)
        elig = np.flatnonzero(~late & ~dup)
        odd = elig[1::2]
        n_dirty = min(len(odd), max(1, rng.binomial(len(elig), DIRTY_EVENT_RATE))) if len(elig) >= 2 else 0
        pick = np.sort(rng.choice(len(odd), n_dirty, replace=False)) if n_dirty else np.empty(0, np.int64)
        pos = odd[pick]
        kinds = (d + np.arange(n_dirty)) % len(EVENT_DIRT)
        year = date.year
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
            self.dirty["events"][kname] += len(p)
        table = pa.table(cols)
        # Late rows go to the file of day d+1..d+5; past the last day they are not written.
        if late.any():
            lt = table.filter(pa.array(late))
            delay = rng.integers(1, LATE_MAX_DAYS + 1, len(lt))
            for k in range(1, LATE_MAX_DAYS + 1):
                m = delay == k
                if not m.any():
                    continue
                if d + k < self.pop.days:
                    self.carry[d + k].append(lt.filter(pa.array(m)))
                    self.carry_late[d + k] += int(m.sum())
                else:
                    self.late_dropped += int(m.sum())
        parts = [table.filter(pa.array(~late))]
        if dup.any():
            dt_ = table.filter(pa.array(dup))
            nxt = rng.random(len(dt_)) < 0.5
            parts.append(dt_.filter(pa.array(~nxt)))
            self.dup_rows += int((~nxt).sum())
            if d + 1 < self.pop.days:
                self.carry[d + 1].append(dt_.filter(pa.array(nxt)))
                self.dup_rows += int(nxt.sum())
        parts.extend(self.carry.pop(d, []))
        self.late_landed += self.carry_late.pop(d, 0)
        out = pa.concat_tables(parts)
        if out.num_rows:
            path = self.path("events", d)
            write_parquet(path, out)
            self.rows["events"] += out.num_rows
            self.files["events"] += 1
            if d % RESEND_EVERY == RESEND_OFFSET:
                atomic_write_bytes(self.path("events", d, "_resend"), path.read_bytes())
                self.files["events"] += 1
                self.duplicate_files += 1
        self.events_total += out.num_rows
        return out.num_rows


def generate(
    out: Path,
    contacts: int,
    days: int,
    start: dt.date | None = None,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
    existing_share: float = 0.4,
) -> dict:
    """Write `days` days of landing files for `contacts` contacts under out/<entity>/.

    `start` defaults to today (UTC) minus `days`, so the last day written is yesterday.
    `existing_share` of the contacts exist before the first day; the rest are created
    through the days, so the daily volume grows from that share to all contacts (the
    benchmark uses 0.9 for a near-steady daily volume).
    Returns a summary: rows and files per entity, dirty rows per entity and kind, late
    events, duplicate rows and files, wall seconds.
    """
    t_begin = time.perf_counter()
    if contacts < 1 or days < 1:
        raise ValueError("contacts and days must be >= 1")
    if seed < 0:
        raise ValueError("seed must be >= 0")
    if not 0.0 <= existing_share <= 1.0:
        raise ValueError("existing_share must lie in 0..1")
    out = Path(out)
    if isinstance(start, dt.datetime):
        start = start.date()
    if start is None:
        start = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days)
    t0 = (start - dt.date(1970, 1, 1)).days
    pop = build(contacts, days, t0, seed, existing_share)
    w = _Writer(out, pop, seed)
    if progress:
        progress(
            f"population: {contacts:,} contacts, {pop.n_comp:,} companies, "
            f"{len(pop.jr['idx']):,} buying journeys ({time.perf_counter() - t_begin:.1f}s)"
        )
    every = 10
    for d in range(days):
        w.companies(d)
        w.contacts(d)
        n_ev = w.events(d)
        w.opportunities(d)
        w.lead_dispositions(d)
        w.marketing_spend(d)
        if progress and ((d + 1) % every == 0) and d + 1 < days:
            progress(
                f"day {d + 1}/{days}: {n_ev:,} events ({w.events_total:,} total, "
                f"{time.perf_counter() - t_begin:.0f}s)"
            )
    dirty = {e: dict(sorted(k.items())) for e, k in w.dirty.items() if k}
    by_kind: dict[str, int] = defaultdict(int)
    for kinds in dirty.values():
        for k, c in kinds.items():
            by_kind[k] += c
    summary = {
        "out": str(out),
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=days - 1)).isoformat(),
        "days": days,
        "contacts": contacts,
        "companies": pop.n_comp,
        "seed": seed,
        "rows": {e: w.rows.get(e, 0) for e in ENTITIES},
        "files": {e: w.files.get(e, 0) for e in ENTITIES},
        "files_written": sum(w.files.values()),
        "dirty": dirty,
        "dirty_by_kind": dict(sorted(by_kind.items())),
        "late_events": w.late_landed,
        "late_events_dropped": w.late_dropped,
        "duplicate_event_rows": w.dup_rows,
        "duplicate_files": w.duplicate_files,
        "wall_seconds": round(time.perf_counter() - t_begin, 3),
    }
    if progress:
        progress(
            f"done: {days} days, {summary['rows']['events']:,} events, "
            f"{summary['files_written']:,} files in {summary['wall_seconds']:.1f}s"
        )
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write demo landing files.")
    ap.add_argument("out", type=Path, help="landing directory (files go to OUT/<entity>/)")
    ap.add_argument("--contacts", type=int, default=1000)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--start", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--existing-share", type=float, default=0.4)
    args = ap.parse_args(argv)
    summary = generate(
        args.out,
        args.contacts,
        args.days,
        args.start,
        args.seed,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
        existing_share=args.existing_share,
    )
    summary["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
