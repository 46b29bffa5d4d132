"""The day writer: one landing file per entity per day, named
``<entity>/<entity>_<YYYY-MM-DD>.<ext>``, rendered column-wise from the population's arrays
(companies, contacts, opportunities and lead dispositions slice their plans by landing day;
marketing spend is drawn per day; events come from orchestration.demo_data.activity).
Late and duplicated event rows are carried to the file of a later day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.demo_data.activity import draw_events
from orchestration.demo_data.dirt import (
    DUP_RATE,
    LATE_MAX_DAYS,
    LATE_RATE,
    RESEND_EVERY,
    RESEND_OFFSET,
    apply_dirt,
    break_event_rows,
    plan_dirt,
)
from orchestration.demo_data.population import Population
from orchestration.demo_data.population.contacts import title_index
from orchestration.demo_data.population.sampling import DAY, NULL_SEC
from orchestration.demo_data.vocab.behaviour import phase_tables
from orchestration.demo_data.vocab.companies import (
    COUNTRIES,
    INDUSTRIES,
    company_attr_index,
    company_attr_json,
)
from orchestration.demo_data.vocab.events import (
    EVENT_TYPES,
    KIND_TYPE,
    MAX_SECONDS,
    PROPERTIES,
    PROPERTIES_OPEN,
)
from orchestration.demo_data.vocab.people import (
    CHANNEL_CPL,
    DISPOSITIONS,
    FIRST_NAMES,
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
STAGES = ["open", "closed_won", "closed_lost"]


class DayWriter:
    """Writes each day's landing file of every entity from the population's plans (the
    events drawn day by day), with the dirt of orchestration.demo_data.dirt, and keeps the
    counts the summary reports."""

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
            props_open=pa.array(PROPERTIES_OPEN),
            close=pa.array(["}"] + [f', "seconds": {n}}}' for n in range(1, MAX_SECONDS + 1)]),
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

    def properties(self, prop: np.ndarray, seconds: np.ndarray) -> pa.Array:
        """Each event's properties object: the object without its closing brace, then
        `, "seconds": N}` for a page view, else just the brace (both gathered, no formatting)."""
        v = self.vocab
        return pc.binary_join_element_wise(
            v["props_open"].take(pa.array(prop)), v["close"].take(pa.array(np.maximum(seconds, 0))), ""
        )

    def events(self, d: int) -> int:
        rng = np.random.default_rng([self.seed, 2, d])
        cidx, kind, prop, sec, seconds = draw_events(self.pop, self.phase_cum, d, rng)
        n = len(cidx)
        date = dt.date(1970, 1, 1) + dt.timedelta(days=self.t0 + d)
        w = id_width(max(n - 1, 0), 7)
        v = self.vocab
        cols = {
            "event_id": ids(f"ev_{date:%Y%m%d}_", np.arange(n), w),
            "contact_id": self.contact_ids(cidx),
            "event_type": v["etype"].take(pa.array(KIND_TYPE[kind])),
            "occurred_at": day_timestamps(self.t0 + d, sec),
            "properties": self.properties(prop, seconds),
        }
        # Delivery dirt: late rows, duplicated rows, contract-breaking rows (disjoint sets).
        u = rng.random(n)
        late = u < LATE_RATE
        dup = (u >= LATE_RATE) & (u < LATE_RATE + DUP_RATE)
        break_event_rows(cols, np.flatnonzero(~late & ~dup), d, date.year, rng, self.dirty["events"])
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
