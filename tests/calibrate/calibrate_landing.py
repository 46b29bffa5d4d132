"""Synthetic landing files for the calibrate tests, with a known truth.

A thousand leads of an education seller, created over 200 days from 2026-01-01, with
custom attributes like a real CRM export (lead origin, a numeric visit count stored as
text, a sparse specialization, "do not email"), page views carrying a `seconds` property,
email opens that mean nothing, and opportunities. Whether a lead wins depends on its
lead origin ("Lead Add Form" quadruples the odds), on a hidden intent that drives its
page views and their seconds, and on "do not email" (quarters the odds).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import shutil
from pathlib import Path

START = dt.date(2026, 1, 1)
DAYS = 200
END = START + dt.timedelta(days=DAYS - 1)
OUTCOME_DAYS = 60
TRAIN_UNTIL = START + dt.timedelta(days=100)
ORIGINS = [("Landing Page Submission", 0.5), ("API", 0.35), ("Lead Add Form", 0.15)]


def _ts(day: dt.date, hour: int = 10, minute: int = 0) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00Z"


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def land(home: Path, n: int = 1000, seed: int = 3, events: bool = True, undated: float = 0.0) -> dict:
    """Write contacts, events (unless not `events`) and opportunities under home/landing
    (the share `undated` of won deals without closed_at); the truth per lead."""
    rng = random.Random(seed)
    contacts, event_rows, opportunities, truth = [], [], [], {}
    for i in range(n):
        cid = f"L{i:05d}"
        created = START + dt.timedelta(days=rng.randrange(DAYS - 5))
        intent = rng.gauss(0, 1)
        origin = _pick(rng, ORIGINS)
        no_email = rng.random() < 0.15
        attributes = {
            "Lead Origin": origin,
            "Do Not Email": "Yes" if no_email else "No",
            "TotalVisits": str(max(0, int(rng.gauss(3 + 1.5 * intent, 2)))),
        }
        if rng.random() < 0.3:
            attributes["Specialization"] = rng.choice(["Finance", "Marketing", "IT", "Operations"])
        contacts.append(
            {
                "contact_id": cid,
                "lead_source": rng.choice(["organic_search", "paid_ad", "referral"]),
                "country": rng.choice(["IN", "IN", "IN", "US", "AE"]),
                "attributes": attributes,
                "created_at": _ts(created, 9),
                "updated_at": _ts(created, 9),
            }
        )
        logit = -2.0 + math.log(4) * (origin == "Lead Add Form") + 1.1 * intent - math.log(4) * no_email
        won = rng.random() < 1 / (1 + math.exp(-logit))
        # the lead is active for 3 to 40 days; a deal opens 1 to 15 days after that, if any
        active_days = rng.randint(3, 40)
        first_opportunity = None
        if won or rng.random() < 0.08:
            first_opportunity = created + dt.timedelta(days=active_days + rng.randint(1, 15))
            closed = first_opportunity + dt.timedelta(days=rng.randint(1, 10))
            oid = f"O{i:05d}"
            opportunities.append(
                {"opportunity_id": oid, "contact_id": cid, "created_at": _ts(first_opportunity, 12),
                 "stage": "open", "amount": 1000, "updated_at": _ts(first_opportunity, 12)}
            )  # fmt: skip
            if closed <= END:
                closing = {"opportunity_id": oid, "contact_id": cid, "created_at": _ts(first_opportunity, 12),
                           "stage": "closed_won" if won else "closed_lost", "is_won": won, "amount": 1000,
                           "closed_at": _ts(closed, 15), "updated_at": _ts(closed, 15)}  # fmt: skip
                if won and rng.random() < undated:
                    del closing["closed_at"]
                opportunities.append(closing)
        # behaviour over the active days, all before any deal
        span = max(0, (min(created + dt.timedelta(days=active_days), END) - created).days)
        visits = _poisson(rng, math.exp(0.9 + 0.6 * intent))
        for k in range(visits):
            day = created + dt.timedelta(days=rng.randint(0, span))
            seconds = int(rng.expovariate(1 / (90 * math.exp(0.5 * intent))))
            event_rows.append(
                _event(f"{cid}-v{k}", cid, "page_view", {"url": "/courses", "seconds": seconds}, day)
            )
        for k in range(_poisson(rng, 2.0)):
            day = created + dt.timedelta(days=rng.randint(0, span))
            event_rows.append(_event(f"{cid}-e{k}", cid, "email_open", {"campaign": "welcome"}, day))
        truth[cid] = {
            "created": created,
            "won": won,
            "first_opportunity": first_opportunity,
            "origin": origin,
        }
    landing = home / "landing"
    _write_jsonl(landing / "contacts" / "contacts.jsonl", contacts)
    if events:
        _write_jsonl(landing / "events" / "events.jsonl", event_rows)
    _write_jsonl(landing / "opportunities" / "opportunities.jsonl", opportunities)
    return truth


def _poisson(rng: random.Random, mean: float) -> int:
    k, p, limit = 0, 1.0, math.exp(-mean)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _event(eid: str, cid: str, kind: str, properties: dict, day: dt.date) -> dict:
    return {"event_id": eid, "contact_id": cid, "event_type": kind, "properties": properties,
            "occurred_at": _ts(day, 11)}  # fmt: skip


def land_after_as_of(home: Path, leads: list[tuple[str, dt.date, dt.date]]) -> int:
    """A second delivery: for each (contact, created, as-of day), what happened after its as-of day:
    long page views and a profile change that would look like a strong signal. Returns the
    number of events written."""
    events, contacts = [], []
    for cid, created, as_of in leads:
        after = min(as_of + dt.timedelta(days=1), END - dt.timedelta(days=1))
        if after <= as_of:
            continue
        for k in range(3):
            events.append(
                _event(f"{cid}-late{k}", cid, "page_view", {"url": "/apply", "seconds": 5000}, after)
            )
        contacts.append(
            {"contact_id": cid, "attributes": {"Lead Origin": "Lead Add Form", "Do Not Email": "No",
             "TotalVisits": "40", "Specialization": "Finance"}, "created_at": _ts(created, 9),
             "updated_at": _ts(after, 20)}
        )  # fmt: skip
    landing = home / "landing"
    _write_jsonl(landing / "events" / "events_after.jsonl", events)
    _write_jsonl(landing / "contacts" / "contacts_after.jsonl", contacts)
    return len(events)


def copy_home(home: Path, to: Path) -> Path:
    """A copy of a home's warehouse (and landing files), to build on without touching it."""
    to.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(home / "warehouse.duckdb", to / "warehouse.duckdb")
    shutil.copytree(home / "landing", to / "landing")
    return to
