"""The sales side, following the buying journeys: handover and lead dispositions,
opportunities and their wins, and the scheduled events (decision events of the sales
process, contact creation and newsletter sign-up, bounces, unsubscribes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from orchestration.demo_data.population.sampling import DAY, NEVER, NULL_SEC, sample_sod
from orchestration.demo_data.vocab.events import CREATION_KIND, KIND
from orchestration.demo_data.vocab.people import (
    R_BAD_CONTACT,
    R_COMPETITOR,
    R_NO_BUDGET,
    R_NOT_A_FIT,
    R_NOT_READY,
    R_STUDENT,
)

if TYPE_CHECKING:
    from orchestration.demo_data.population import Population


def plan_sales(pop: Population, rng: np.random.Generator) -> None:
    """Handover, dispositions and opportunities follow the journeys."""
    ct, jr, comp = pop.ct, pop.jr, pop.comp
    j = jr["idx"]
    nj = len(j)
    fit, intent = ct["fit"][j], ct["intent"][j]
    cday = ct["created_day"][j]
    peak = jr["peak"]
    research = jr["research"]
    # Research journeys of well-fitting accounts are the ones sales turns into deals.
    p_opp = np.clip(0.02 + 0.9 * fit**1.5 * (0.4 + intent) * np.where(research, 2.5, 0.4), 0, 0.9)
    has_opp = rng.random(nj) < p_opp
    handover = np.maximum(cday, peak - rng.integers(2, 8, nj))
    decided_day = handover + rng.integers(1, 4, nj)
    opp_day = np.maximum(peak + rng.integers(0, 5, nj), decided_day + 1)

    # Dispositions for journey contacts: with an opportunity mostly accepted; without one
    # handed over half the time and then accepted / rejected / recycled.
    handed = has_opp | (rng.random(nj) < 0.45)
    u = rng.random(nj)
    disp = np.where(has_opp, np.where(u < 0.92, 0, 2), np.select([u < 0.2, u < 0.55], [0, 1], 2))
    budget = ct["budget"][j]
    reason = np.select([disp == 0, disp == 2, budget == 0], [-1, R_NOT_READY, R_NO_BUDGET], R_NOT_A_FIT)
    dc, dd, dr, ds = [j[handed]], [disp[handed]], [reason[handed]], [decided_day[handed]]
    # Junk handed over too, and rejected with the matching reason.
    junk = ct["junk"]
    pj = np.array([0.0, 0.15, 0.25, 0.10, 0.30])[junk]
    jh = np.flatnonzero(rng.random(pop.n) < pj)
    dc.append(jh)
    dd.append(np.ones(len(jh), dtype=np.int64))
    dr.append(np.array([-1, R_STUDENT, R_COMPETITOR, R_NOT_A_FIT, R_BAD_CONTACT])[junk[jh]])
    ds.append(ct["land_day"][jh] + rng.integers(1, 30, len(jh)))
    d_c, d_disp, d_reason = np.concatenate(dc), np.concatenate(dd), np.concatenate(dr)
    d_sec = np.concatenate(ds) * DAY + sample_sod(rng, len(d_c))
    d_sec = np.maximum(d_sec, ct["created"][d_c] + 3600)
    keep = d_sec < pop.days * DAY
    o = np.argsort(d_sec[keep], kind="stable")
    pop.plans["lead_dispositions"] = dict(
        contact=d_c[keep][o], disposition=d_disp[keep][o], reason=d_reason[keep][o], decided=d_sec[keep][o]
    )

    # Opportunities.
    oc = j[has_opp]
    no = len(oc)
    created = opp_day[has_opp] * DAY + sample_sod(rng, no)
    company = ct["company"][oc]
    has_co = ct["has_co"][oc]
    emp = np.where(has_co, comp["emp"][np.where(has_co, company, 0)], 20)
    amount = np.round(5000 * emp**0.4 * rng.lognormal(0, 0.35, no), -2) * 100  # cents
    # Bigger accounts take longer to close: about a month at 50 employees, three at 10,000.
    cycle = np.clip(30 * (emp / 50) ** 0.2 * rng.lognormal(0, 0.5, no), 10, 240)
    closed = created + (cycle * DAY).astype(np.int64)
    p_win = np.clip(0.1 + 0.9 * fit[has_opp] ** 1.5 + 0.2 * intent[has_opp], 0, 0.9)
    won = rng.random(no) < p_win
    close_amount = np.where(won, np.round(amount * rng.uniform(0.8, 1.05, no), -4), amount)
    order = np.argsort(created, kind="stable")
    oc, created, company, amount, closed, won, close_amount = (
        a[order] for a in (oc, created, company, amount, closed, won, close_amount)
    )
    opp_no = np.arange(1, no + 1)
    end = pop.days * DAY
    open_keep = created < end
    close_keep = closed < end
    # Stage rows: 0 open, 1 closed_won, 2 closed_lost.
    rows = dict(
        opp=np.concatenate([opp_no[open_keep], opp_no[close_keep]]),
        contact=np.concatenate([oc[open_keep], oc[close_keep]]),
        company=np.concatenate([company[open_keep], company[close_keep]]),
        created=np.concatenate([created[open_keep], created[close_keep]]),
        stage=np.concatenate([np.zeros(open_keep.sum(), np.int64), np.where(won[close_keep], 1, 2)]),
        amount=np.concatenate([amount[open_keep], close_amount[close_keep]]).astype(np.int64),
        closed=np.concatenate([np.full(open_keep.sum(), NULL_SEC), closed[close_keep]]),
        updated=np.concatenate([created[open_keep], closed[close_keep]]),
    )
    o = np.argsort(rows["updated"], kind="stable")
    pop.plans["opportunities"] = {k: v[o] for k, v in rows.items()}
    pop.opp_id_width = max(7, len(str(no)))
    # Companies become customers when their first deal is won.
    won_close = closed[won & close_keep]
    won_co = company[won & close_keep]
    flip = np.full(pop.n_comp, NEVER)
    ok = (won_co >= 0) & (won_co < pop.n_comp)
    np.minimum.at(flip, won_co[ok], won_close[ok] + 3600)
    pop.comp["flip_sec"] = flip

    # Scheduled decision events for opportunity contacts.
    sc, sd, sk = [], [], []

    def add(mask_idx, day, kind):
        sc.append(mask_idx)
        sd.append(day)
        sk.append(np.full(len(mask_idx), KIND[kind]))

    # Buyers meet sales the day the deal opens; self-serve ones request a demo and try the
    # product before, research buyers seldom.
    hj = j[has_opp]
    pk, od, cd, rs = peak[has_opp], opp_day[has_opp], cday[has_opp], research[has_opp]
    for kind, p, day in (
        ("demo_request", np.where(rs, 0.2, 0.6), pk - rng.integers(0, 4, len(hj))),
        ("meeting_booked", 0.65, od),
        ("quote_request", 0.2, od + rng.integers(3, 21, len(hj))),
        ("trial_signup", np.where(rs, 0.05, 0.3), pk - rng.integers(2, 9, len(hj))),
    ):
        m = rng.random(len(hj)) < p
        add(hj[m], np.maximum(day[m], cd[m]), kind)
    nj_idx = j[~has_opp]
    m = rng.random(len(nj_idx)) < np.where(research[~has_opp], 0.05, 0.15)
    add(
        nj_idx[m],
        np.maximum(peak[~has_opp][m] - rng.integers(0, 3, m.sum()), cday[~has_opp][m]),
        "demo_request",
    )
    pop._sched_parts = (sc, sd, sk)


def schedule_events(pop: Population, rng: np.random.Generator) -> None:
    ct = pop.ct
    sc, sd, sk = pop._sched_parts
    sod = [np.full(len(c), -1) for c in sc]
    # The event that created each contact in the window, at its creation second.
    new = np.flatnonzero(ct["created_day"] >= 0)
    sc.append(new)
    sd.append(ct["created_day"][new])
    sk.append(CREATION_KIND[ct["source"][new]])
    sod.append(ct["created"][new] - ct["created_day"][new] * DAY)
    nl = new[rng.random(len(new)) < 0.3]
    sc.append(nl)
    sd.append(ct["created_day"][nl])
    sk.append(np.full(len(nl), KIND["newsletter_subscribe"]))
    sod.append(np.full(len(nl), -1))
    # Bounces (1-2 per bad address) and unsubscribes.
    b = np.flatnonzero(ct["bounce"])
    b = np.concatenate([b, b[rng.random(len(b)) < 0.5]])
    sc.append(b)
    sd.append(ct["land_day"][b] + rng.integers(0, 20, len(b)))
    sk.append(np.full(len(b), KIND["email_bounce"]))
    sod.append(np.full(len(b), -1))
    u = np.flatnonzero(ct["unsub_day"] < (1 << 30))
    sc.append(u)
    sd.append(ct["unsub_day"][u])
    sk.append(np.full(len(u), KIND["email_unsubscribe"]))
    sod.append(np.full(len(u), -1))
    c, d, k, s = (np.concatenate(x).astype(np.int64) for x in (sc, sd, sk, sod))
    keep = (d >= 0) & (d < pop.days)
    o = np.argsort(d[keep], kind="stable")
    pop.sched = dict(contact=c[keep][o], day=d[keep][o], kind=k[keep][o].astype(np.int16), sod=s[keep][o])
    pop._sched_parts = None
