"""The hidden world behind the demo data: companies, contacts and their plans.

Everything here is decided once, up front, as numpy arrays (one element per company,
contact, opportunity, ...). The daily writer in orchestration.demo_data.generate only slices these
arrays by landing day and draws that day's events from the per-contact rates below.

Times are int64 seconds relative to midnight UTC of the first generated day ("t0");
day d of the run covers [d*86400, (d+1)*86400).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.demo_data import vocab as V
from orchestration.demo_data.writers import fixed_strings

DAY = 86400
NEVER = np.int64(2**62)
NULL_SEC = np.int64(-(2**62))  # "no timestamp" (times before t0 are negative)
EVENTS_PER_CONTACT_DAY = 100 / 365  # ~100 events per contact per year


def sample_sod(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds of day, weighted to business hours (UTC, Americas + Europe)."""
    hours = rng.choice(24, size=n, p=V.HOUR_W)
    return hours * 3600 + rng.integers(0, 3600, size=n)


def weekday(epoch_day: int) -> int:
    return (epoch_day + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)


@dataclass
class Population:
    n: int
    days: int
    t0_epoch_day: int
    # share of contacts created in the year before the first day (the rest arrive through it)
    existing_share: float = 0.4
    # ---- companies (index < n_comp land; ids beyond n_comp are referenced but never land)
    n_comp: int = 0
    comp_id_width: int = 6
    comp: dict = field(default_factory=dict)
    # ---- contacts (sorted by created_sec)
    ct_id_width: int = 7
    ct: dict = field(default_factory=dict)
    # ---- journeys (subset of contacts)
    jr: dict = field(default_factory=dict)
    # ---- plans: entity -> dict of arrays, sorted by landing day
    plans: dict = field(default_factory=dict)
    sched: dict = field(default_factory=dict)
    spend_mean_leads: np.ndarray | None = None
    rate_scale: float = 1.0
    opp_id_width: int = 7
    _sched_parts: tuple | None = None

    # ------------------------------------------------------------------ rates
    def weekend(self, d: int) -> bool:
        return weekday(self.t0_epoch_day + d) >= 5

    def n_created_by(self, d: int) -> int:
        """Contacts are sorted by creation: those created on or before day d are a prefix."""
        return int(np.searchsorted(self.ct["created_day"], d, side="right"))

    def bg_rates(self, d: int, idx: np.ndarray | slice) -> np.ndarray:
        ct = self.ct
        r = ct["bg_rate"][idx] * (0.35 if self.weekend(d) else 1.0)
        r = np.where(ct["unsub_day"][idx] <= d, r * 0.4, r)
        return np.where(ct["created_day"][idx] <= d, r, 0.0)

    def journey_rates(self, d: int, sel: np.ndarray | slice = slice(None)):
        jr = self.jr
        t = jr["peak"][sel] - d
        rise, fall = jr["rise"][sel], jr["fall"][sel]
        on = ((t >= 0) & (t <= 3 * rise)) | ((t < 0) & (t >= -6 * fall))
        on &= jr["created_day"][sel] <= d
        shape = np.where(t >= 0, np.exp(-np.maximum(t, 0) / rise), np.exp(np.minimum(t, 0) / fall))
        rate = jr["amp"][sel] * shape * on * (0.6 if self.weekend(d) else 1.0)
        phase = np.where(
            t < 0,
            V.PH_COLD,
            np.where(
                t > 1.2 * rise, V.PH_DISCOVERY, np.where(t > 0.4 * rise, V.PH_EVALUATION, V.PH_DECISION)
            ),
        )
        return rate, phase.astype(np.int8)


def _choice(rng, n, p):
    return np.searchsorted(np.cumsum(p), rng.random(n) * np.sum(p), side="right").clip(0, len(p) - 1)


def _companies(pop: Population, rng: np.random.Generator) -> None:
    m = pop.n_comp
    industry = _choice(rng, m, V.INDUSTRY_W)
    country = _choice(rng, m, V.COUNTRY_W)
    emp = np.clip(np.round(rng.lognormal(np.log(35), 1.8, m)), 1, 300_000).astype(np.int64)
    rev_per_emp = V.INDUSTRY_REV_PER_EMP[industry] * rng.lognormal(0, 0.35, m)
    n_rival = min(len(V.COMPETITORS), max(1, m // 20))
    rivals = np.sort(rng.choice(m, n_rival, replace=False))
    is_rival = np.zeros(m, dtype=bool)
    is_rival[rivals] = True
    industry[rivals] = 0
    emp[rivals] = rng.integers(150, 2500, n_rival)
    tier = np.where(emp < 200, 0, np.where(emp < 2000, 1, 2)).astype(np.int64)
    stack = _choice(rng, m, [25, 30, 10, 8, 7, 5, 15]) - 1  # -1 = key missing
    customer0 = (rng.random(m) < 0.03) & ~is_rival

    # Unique names: a bijective scramble of the index over A x B x C, then a round number.
    na, nb, nc = len(V.NAME_A), len(V.NAME_B), len(V.NAME_C)
    space = na * nb * nc
    i = np.arange(m, dtype=np.int64)
    c = (i * 7919 + 13) % space  # 7919 is prime and does not divide space
    rnd = i // space
    a_i, b_i, c_i = c // (nb * nc), c // nc % nb, c % nc
    core = pc.binary_join_element_wise(
        pa.array(V.NAME_A).take(pa.array(a_i)), pa.array(V.NAME_B).take(pa.array(b_i)), ""
    )
    suffix = pa.array(V.NAME_C).take(pa.array(c_i))
    rtxt = pc.if_else(pa.array(rnd > 0), pc.cast(pa.array(rnd + 1), pa.string()), "")
    name = pc.binary_join_element_wise(core, suffix, " ")
    name = pc.if_else(pa.array(rnd > 0), pc.binary_join_element_wise(name, rtxt, " "), name)
    tld = pa.array(V.COUNTRY_TLD).take(pa.array(country))
    tld = pc.if_else(pa.array((industry == 0) & (rng.random(m) < 0.3)), ".io", tld)
    domain = pc.binary_join_element_wise(pc.utf8_lower(core), "-", pc.utf8_lower(suffix), rtxt, tld, "")
    rival_names = pa.array([n for n, _ in V.COMPETITORS][:n_rival])
    rival_domains = pa.array([d for _, d in V.COMPETITORS][:n_rival])
    mask = pa.array(is_rival)
    name = pc.replace_with_mask(name, mask, rival_names)
    domain = pc.replace_with_mask(domain, mask, rival_domains)
    pop.comp = dict(
        industry=industry,
        country=country,
        emp=emp,
        rev_per_emp=rev_per_emp,
        tier=tier,
        stack=stack,
        customer0=customer0,
        is_rival=is_rival,
        rivals=rivals,
        name=name,
        domain=domain,
    )


def _contacts(pop: Population, rng: np.random.Generator) -> None:
    n, days, m = pop.n, pop.days, pop.n_comp
    comp = pop.comp
    # Creation: existing_share (default 40 %) in the year before t0 (they land in the first
    # file), the rest through the window, fewer at weekends. Contacts are sorted by creation
    # so ids grow with time.
    pre = rng.random(n) < pop.existing_share
    wd = np.array([weekday(pop.t0_epoch_day + d) for d in range(days)])
    day_w = np.where(wd >= 5, 0.35, 1.0)
    cday = np.where(pre, -rng.integers(1, 366, n), _choice(rng, n, day_w))
    created = np.sort(cday * DAY + sample_sod(rng, n))
    created_day = np.floor_divide(created, DAY)
    land_day = np.maximum(created_day, 0)

    junk = _choice(rng, n, V.JUNK_W).astype(np.int8)
    normal = junk == V.JUNK_NONE
    source = np.where(normal, _choice(rng, n, V.LEAD_SOURCE_W), _choice(rng, n, V.LEAD_SOURCE_JUNK_W)).astype(
        np.int8
    )
    intent = np.clip(rng.beta(2, 5, n) * V.LEAD_SOURCE_INTENT[source], 0, 1)

    # Company: weighted by sqrt(size); competitors' employees at a rival; a share none;
    # a few name a company that never lands.
    ordinary = np.flatnonzero(~comp["is_rival"])
    w = np.sqrt(comp["emp"][ordinary].astype(np.float64))
    company = ordinary[_choice(rng, n, w)]
    u = rng.random(n)
    none_p = np.select(
        [junk == V.JUNK_STUDENT, junk == V.JUNK_TIRE, junk == V.JUNK_BOUNCE], [1.0, 0.75, 0.6], 0.06
    )
    company = np.where(u < none_p, -1, company)
    n_ghost = max(1, m // 50)
    ghost = normal & (u >= none_p) & (u < none_p + 0.01)
    company = np.where(ghost, m + rng.integers(0, n_ghost, n), company)
    company = np.where(
        junk == V.JUNK_COMPETITOR, comp["rivals"][rng.integers(0, len(comp["rivals"]), n)], company
    )
    has_co = (company >= 0) & (company < m)
    co = np.where(has_co, company, 0)

    sen0 = np.where(junk == V.JUNK_STUDENT, V.SEN_STUDENT, _choice(rng, n, V.SENIORITY_W))
    title_rand = rng.integers(0, 1 << 30, n)
    country = np.where(
        has_co & (rng.random(n) < 0.9), comp["country"][co], _choice(rng, n, V.COUNTRY_W)
    ).astype(np.int8)

    # ---- hidden fit inputs and CRM custom fields
    emp = np.where(has_co, comp["emp"][co], 0)
    size_score = np.where(has_co, np.log(np.maximum(emp, 1)) / np.log(50_000), 0.0)
    budget = np.digitize(size_score + rng.normal(0, 0.22, n) + np.where(has_co, 0, 0.1), [0.30, 0.55, 0.80])
    product = _choice(rng, n, [45, 30, 25])
    optin = (rng.random(n) < np.where(junk == V.JUNK_STUDENT, 0.8, 0.6)).astype(np.int64)

    # Promotion (one level up, from individual..vp) lands later as a contact update.
    promo = (sen0 <= V.SEN_VP) & (junk != V.JUNK_STUDENT) & (rng.random(n) < 0.05)
    sen1 = np.where(promo, sen0 + 1, sen0)
    # Hidden fit in [0, 1]: seniority, company size, industry, budget; junk pushed down;
    # stretched by a logistic so that fit separates good leads from poor ones.
    ind_fit = np.where(has_co, V.INDUSTRY_FIT[comp["industry"][co]], 0.3)
    size_fit = np.where(has_co, np.clip(np.log10(np.maximum(emp, 1)) / 4.5, 0.05, 1.0), 0.1)
    raw = (
        0.3 * V.SENIORITY_FIT[sen1]
        + 0.3 * size_fit
        + 0.2 * ind_fit
        + 0.2 * V.BUDGET_FIT[budget]
        + rng.normal(0, 0.05, n)
    )
    fit = 1 / (1 + np.exp(-(raw - 0.5) * 7))
    fit *= np.array([1.0, 0.1, 0.2, 0.5, 0.6])[junk]

    # ---- journeys: normal contacts only; more likely with intent and from warm channels
    warm = np.isin(source, [V.SRC_REFERRAL, V.SRC_EVENT, V.SRC_WEBINAR])
    j_p = (0.08 + 0.5 * intent + 0.1 * fit) * np.where(warm, 1.2, 1.0)
    journey = normal & (rng.random(n) < j_p)
    offset = np.where(rng.random(n) < 0.5, rng.gamma(2.0, 10.0, n), rng.exponential(200.0, n))
    peak = (created_day + 3 + offset).astype(np.int64)
    rise = rng.uniform(4, 15, n)
    fall = rng.uniform(1.5, 4, n)
    amp = rng.lognormal(np.log(3.0), 0.5, n) * (0.4 + intent)

    soon = peak - created_day < 90
    timeline = np.where(
        journey & soon, 0, np.where(journey, 1 + rng.integers(0, 2, n), _choice(rng, n, [10, 20, 30, 40]))
    )
    # What the CRM shows at creation (keys missing for some contacts).
    b_shown = rng.random(n) < 0.5
    t_shown = rng.random(n) < 0.55
    p_shown = rng.random(n) < 0.75
    o_shown = rng.random(n) < 0.85
    b0 = np.where(b_shown, budget, -1)
    t0 = np.where(t_shown, np.where(journey, np.where(rng.random(n) < 0.5, timeline, 3), timeline), -1)
    p0 = np.where(p_shown, product, -1)
    o0 = np.where(o_shown, optin, -1)
    attr0 = V.contact_attr_index(b0, t0, p0, o0)
    # Attribute update: journeys get budget and timeline filled in as they start evaluating;
    # a few others change their timeline.
    j_fill = journey & ((b0 < 0) | (t0 != timeline)) & (rng.random(n) < 0.6)
    other = ~journey & (rng.random(n) < 0.04)
    attr_day = np.where(
        j_fill,
        np.maximum(created_day + 1, peak - (2 * rise).astype(np.int64)),
        land_day + 1 + rng.integers(0, max(30, int(days * 1.5)), n),
    )
    t_other = rng.integers(0, 4, n)
    attr1 = np.where(
        j_fill,
        V.contact_attr_index(budget, timeline, np.where(p0 < 0, product, p0), o0),
        V.contact_attr_index(b0, t_other, p0, o0),
    )
    attr_sec = np.where(j_fill | other, attr_day * DAY + sample_sod(rng, n), NEVER)
    # Promotion: one level up, from individual..vp.
    promo_sec = np.where(
        promo, (land_day + 1 + rng.integers(0, max(30, int(days * 1.5)), n)) * DAY + sample_sod(rng, n), NEVER
    )
    promo_sec = np.where(promo_sec == attr_sec, promo_sec + 1, promo_sec)

    # ---- behaviour
    bg_rate = rng.lognormal(np.log(0.05), 1.1, n) * (0.5 + intent) * np.array([1.0, 1.0, 1.3, 0.7, 0.6])[junk]
    bg_phase = np.array([V.PH_BROWSE, V.PH_STUDENT, V.PH_COMPETITOR, V.PH_TIRE, V.PH_BROWSE], dtype=np.int8)[
        junk
    ]
    burst = np.array([2.0, 2.0, 4.0, 2.5, 1.0])[junk] + np.where(normal, 3 * intent, 0)
    unsub_p = np.array([0.04, 0.10, 0.05, 0.15, 0.05])[junk]
    unsub_day = np.where(rng.random(n) < unsub_p, land_day + rng.integers(1, 200, n), 1 << 30)
    bounce = (junk == V.JUNK_BOUNCE) | (normal & (rng.random(n) < 0.01))
    phone_p = np.array([0.75, 0.4, 0.6, 0.5, 0.5])[junk]
    has_phone = rng.random(n) < phone_p

    # ---- PII strings (built once, vectorised)
    first = rng.integers(0, len(V.FIRST_NAMES), n)
    last = rng.integers(0, len(V.LAST_NAMES), n)
    fs = pa.array(V.FIRST_SLUGS).take(pa.array(first))
    ls = pa.array(V.LAST_SLUGS).take(pa.array(last))
    initial = pc.utf8_slice_codeunits(fs, 0, 1)
    pat = _choice(rng, n, [50, 25, 10, 15]).astype(np.int8)
    work_local = pc.choose(
        pa.array(pat),
        pc.binary_join_element_wise(fs, ls, "."),
        pc.binary_join_element_wise(initial, ls, ""),
        fs,
        pc.binary_join_element_wise(fs, ls, "_"),
    )
    num = pc.cast(pa.array(rng.integers(1, 100, n)), pa.string())
    personal_local = pc.binary_join_element_wise(pc.binary_join_element_wise(fs, ls, "."), num, "")
    personal = (~has_co) | (normal & (rng.random(n) < 0.08)) | (junk == V.JUNK_TIRE)
    kind = np.select([junk == V.JUNK_STUDENT, junk == V.JUNK_BOUNCE, personal], [2, 3, 1], 0)
    domain = pc.choose(
        pa.array(kind.astype(np.int8)),
        comp["domain"].take(pa.array(co)),
        pa.array(V.PERSONAL_DOMAINS).take(pa.array(_choice(rng, n, V.PERSONAL_DOMAIN_W))),
        pa.array(V.UNIVERSITY_DOMAINS).take(pa.array(rng.integers(0, len(V.UNIVERSITY_DOMAINS), n))),
        pa.array(V.BAD_DOMAINS).take(pa.array(rng.integers(0, len(V.BAD_DOMAINS), n))),
    )
    local = pc.if_else(pa.array(kind == 0), work_local, personal_local)
    email = pc.binary_join_element_wise(local, domain, "@")
    pd = rng.integers(0, 10, (n, 12)).astype(np.uint8) + 48
    pd[:, 0] = rng.integers(2, 10, n) + 48  # no leading zero
    pd[:, 3] = pd[:, 7] = ord(" ")
    phone = pc.binary_join_element_wise(
        pa.array(V.COUNTRY_PHONE).take(pa.array(country)), fixed_strings(pd), ""
    )
    phone = pc.if_else(pa.array(has_phone), phone, pa.scalar(None, pa.string()))

    pop.ct = dict(
        created=created,
        created_day=created_day,
        land_day=land_day,
        junk=junk,
        source=source,
        intent=intent,
        fit=fit,
        company=company,
        has_co=has_co,
        sen0=sen0,
        sen1=sen1,
        promo_sec=promo_sec,
        title_rand=title_rand,
        country=country,
        budget=budget,
        attr0=attr0,
        attr1=attr1,
        attr_sec=attr_sec,
        bg_rate=bg_rate,
        bg_phase=bg_phase,
        burst=burst,
        unsub_day=unsub_day,
        bounce=bounce,
        has_phone=has_phone,
        first=first,
        last=last,
        email=email,
        phone=phone,
        journey=journey,
        peak=peak,
    )
    j = np.flatnonzero(journey)
    pop.jr = dict(idx=j, peak=peak[j], rise=rise[j], fall=fall[j], amp=amp[j], created_day=created_day[j])


def title_index(sen: np.ndarray, title_rand: np.ndarray) -> np.ndarray:
    return V.TITLE_OFFSET[sen] + title_rand % V.TITLE_COUNT[sen]


def _sales(pop: Population, rng: np.random.Generator) -> None:
    """Handover, dispositions and opportunities follow the journeys."""
    ct, jr, comp = pop.ct, pop.jr, pop.comp
    j = jr["idx"]
    nj = len(j)
    fit, intent = ct["fit"][j], ct["intent"][j]
    cday = ct["created_day"][j]
    peak = jr["peak"]
    p_opp = np.clip(0.02 + 0.9 * fit**1.5 * (0.4 + intent), 0, 0.9)
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
    reason = np.select([disp == 0, disp == 2, budget == 0], [-1, V.R_NOT_READY, V.R_NO_BUDGET], V.R_NOT_A_FIT)
    dc, dd, dr, ds = [j[handed]], [disp[handed]], [reason[handed]], [decided_day[handed]]
    # Junk handed over too, and rejected with the matching reason.
    junk = ct["junk"]
    pj = np.array([0.0, 0.15, 0.25, 0.10, 0.30])[junk]
    jh = np.flatnonzero(rng.random(pop.n) < pj)
    dc.append(jh)
    dd.append(np.ones(len(jh), dtype=np.int64))
    dr.append(np.array([-1, V.R_STUDENT, V.R_COMPETITOR, V.R_NOT_A_FIT, V.R_BAD_CONTACT])[junk[jh]])
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
    cycle = np.clip(rng.lognormal(np.log(45), 0.55, no), 10, 180)
    closed = created + (cycle * DAY).astype(np.int64)
    p_win = np.clip(0.05 + 0.7 * fit[has_opp] ** 1.5 + 0.1 * intent[has_opp], 0, 0.9)
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
        sk.append(np.full(len(mask_idx), V.KIND[kind]))

    hj = j[has_opp]
    pk, od, cd = peak[has_opp], opp_day[has_opp], cday[has_opp]
    for kind, p, day in (
        ("demo_request", 0.75, pk - rng.integers(0, 4, len(hj))),
        ("meeting_booked", 0.65, od - rng.integers(0, 2, len(hj))),
        ("quote_request", 0.30, od + rng.integers(3, 21, len(hj))),
        ("trial_signup", 0.25, pk - rng.integers(2, 9, len(hj))),
    ):
        m = rng.random(len(hj)) < p
        add(hj[m], np.maximum(day[m], cd[m]), kind)
    nj_idx = j[~has_opp]
    m = rng.random(len(nj_idx)) < 0.12
    add(
        nj_idx[m],
        np.maximum(peak[~has_opp][m] - rng.integers(0, 3, m.sum()), cday[~has_opp][m]),
        "demo_request",
    )
    pop._sched_parts = (sc, sd, sk)


def _schedule(pop: Population, rng: np.random.Generator) -> None:
    ct, n = pop.ct, pop.n
    sc, sd, sk = pop._sched_parts
    sod = [np.full(len(c), -1) for c in sc]
    # The event that created each contact in the window, at its creation second.
    new = np.flatnonzero(ct["created_day"] >= 0)
    sc.append(new)
    sd.append(ct["created_day"][new])
    sk.append(V.CREATION_KIND[ct["source"][new]])
    sod.append(ct["created"][new] - ct["created_day"][new] * DAY)
    nl = new[rng.random(len(new)) < 0.3]
    sc.append(nl)
    sd.append(ct["created_day"][nl])
    sk.append(np.full(len(nl), V.KIND["newsletter_subscribe"]))
    sod.append(np.full(len(nl), -1))
    # Bounces (1-2 per bad address) and unsubscribes.
    b = np.flatnonzero(ct["bounce"])
    b = np.concatenate([b, b[rng.random(len(b)) < 0.5]])
    sc.append(b)
    sd.append(ct["land_day"][b] + rng.integers(0, 20, len(b)))
    sk.append(np.full(len(b), V.KIND["email_bounce"]))
    sod.append(np.full(len(b), -1))
    u = np.flatnonzero(ct["unsub_day"] < (1 << 30))
    sc.append(u)
    sd.append(ct["unsub_day"][u])
    sk.append(np.full(len(u), V.KIND["email_unsubscribe"]))
    sod.append(np.full(len(u), -1))
    c, d, k, s = (np.concatenate(x).astype(np.int64) for x in (sc, sd, sk, sod))
    keep = (d >= 0) & (d < pop.days)
    o = np.argsort(d[keep], kind="stable")
    pop.sched = dict(contact=c[keep][o], day=d[keep][o], kind=k[keep][o].astype(np.int16), sod=s[keep][o])
    pop._sched_parts = None


def _contact_rows(pop: Population) -> None:
    ct = pop.ct
    end = pop.days * DAY
    idx = np.arange(pop.n)
    p = np.flatnonzero(ct["promo_sec"] < end)
    a = np.flatnonzero(ct["attr_sec"] < end)
    contact = np.concatenate([idx, p, a])
    updated = np.concatenate([ct["created"], ct["promo_sec"][p], ct["attr_sec"][a]])
    sen = np.concatenate(
        [
            ct["sen0"],
            ct["sen1"][p],
            np.where(ct["promo_sec"][a] < ct["attr_sec"][a], ct["sen1"][a], ct["sen0"][a]),
        ]
    )
    attr = np.concatenate(
        [
            ct["attr0"],
            np.where(ct["attr_sec"][p] < ct["promo_sec"][p], ct["attr1"][p], ct["attr0"][p]),
            ct["attr1"][a],
        ]
    )
    land = np.maximum(np.floor_divide(updated, DAY), 0)
    o = np.lexsort((updated, land))
    pop.plans["contacts"] = dict(contact=contact[o], updated=updated[o], sen=sen[o], attr=attr[o])


def _company_rows(pop: Population, rng: np.random.Generator) -> None:
    ct, comp, m = pop.ct, pop.comp, pop.n_comp
    end = pop.days * DAY
    # First landing: with the first contact created in the window for about half of the
    # companies whose contacts all arrive later; otherwise in the first file.
    first = np.full(m, NEVER)
    ok = ct["has_co"]
    np.minimum.at(first, ct["company"][ok], ct["created"][ok])
    late = (first >= 0) & (first < NEVER) & (rng.random(m) < 0.5)
    first_day = np.floor_divide(np.where(late, first, 0), DAY)
    into_day = (rng.random(m) * (np.where(late, first, 0) - first_day * DAY)).astype(np.int64)
    init_sec = np.where(late, first_day * DAY + into_day, -rng.integers(60, 2 * DAY, m))
    flip = comp["flip_sec"]
    customer_at_start = comp["customer0"] | (flip < 0)
    size_upd = rng.random(m) < 0.10
    size_day = np.maximum(first_day, 0) + 1 + rng.integers(0, max(30, int(pop.days * 1.5)), m)
    size_sec = np.where(size_upd, size_day * DAY + sample_sod(rng, m), NEVER)
    size_sec = np.where(size_sec == flip, size_sec + 1, size_sec)
    emp0 = comp["emp"]
    emp1 = np.maximum(1, np.round(emp0 * rng.lognormal(0.06, 0.12, m))).astype(np.int64)
    i = np.arange(m)
    s = np.flatnonzero(size_sec < end)
    f = np.flatnonzero((flip >= 0) & (flip < end))
    company = np.concatenate([i, s, f])
    updated = np.concatenate([init_sec, size_sec[s], flip[f]])
    emp = np.concatenate([emp0, emp1[s], np.where(size_sec[f] < flip[f], emp1[f], emp0[f])])
    customer = np.concatenate(
        [customer_at_start, customer_at_start[s] | (flip[s] < size_sec[s]), np.ones(len(f), dtype=bool)]
    )
    land = np.maximum(np.floor_divide(updated, DAY), 0)
    o = np.lexsort((updated, land))
    pop.plans["companies"] = dict(
        company=company[o], updated=updated[o], emp=emp[o], customer=customer[o].astype(np.int64)
    )


def _normalise(pop: Population) -> None:
    """Scale background and journey rates so the run has ~100 events per contact-year."""
    ct, jr, n = pop.ct, pop.jr, pop.n
    step = max(1, n // 20_000)
    sample = np.arange(0, n, step)
    jsel = np.flatnonzero(jr["idx"] % step == 0)
    var = 0.0
    for d in range(pop.days):
        var += pop.bg_rates(d, sample).sum() + pop.journey_rates(d, jsel)[0].sum()
    var *= n / len(sample)
    fixed = float(ct["burst"][ct["created_day"] >= 0].sum()) + len(pop.sched["day"])
    target = EVENTS_PER_CONTACT_DAY * n * pop.days
    scale = max(0.05, (target - fixed) / max(var, 1e-9))
    ct["bg_rate"] = ct["bg_rate"] * scale
    jr["amp"] = jr["amp"] * scale
    pop.rate_scale = scale


def build(
    n_contacts: int, days: int, t0_epoch_day: int, seed: int, existing_share: float = 0.4
) -> Population:
    rng = np.random.default_rng([seed, 1])
    pop = Population(n=n_contacts, days=days, t0_epoch_day=t0_epoch_day, existing_share=existing_share)
    pop.n_comp = max(5, round(n_contacts / 8))
    _companies(pop, rng)
    _contacts(pop, rng)
    pop.comp_id_width = max(6, len(str(pop.n_comp + max(1, pop.n_comp // 50))))
    pop.ct_id_width = max(7, len(str(n_contacts)))
    _sales(pop, rng)
    _schedule(pop, rng)
    _contact_rows(pop)
    _company_rows(pop, rng)
    _normalise(pop)
    # Channel spend follows the leads each channel brings in the window.
    new = pop.ct["created_day"] >= 0
    pop.spend_mean_leads = np.bincount(pop.ct["source"][new], minlength=len(V.LEAD_SOURCES)) / days
    return pop
