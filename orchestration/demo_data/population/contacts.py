"""The contacts: creation, junk kind, lead source and intent, company, seniority and the hidden
fit, buying journeys, CRM fields and their updates, behaviour rates and PII strings; and
their plan of rows (creation, promotion, attribute updates)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.demo_data.population.sampling import (
    DAY,
    NEVER,
    correlated_uniform,
    normal_cdf,
    quantile_choice,
    sample_sod,
    weekday,
    weighted_choice,
)
from orchestration.demo_data.vocab.behaviour import PH_BROWSE, PH_COMPETITOR, PH_STUDENT, PH_TIRE
from orchestration.demo_data.vocab.companies import COUNTRY_PHONE, COUNTRY_W, INDUSTRY_FIT
from orchestration.demo_data.vocab.people import (
    BAD_DOMAINS,
    BUDGET_FIT,
    FIRST_NAMES,
    FIRST_SLUGS,
    JUNK_BOUNCE,
    JUNK_COMPETITOR,
    JUNK_NONE,
    JUNK_STUDENT,
    JUNK_TIRE,
    JUNK_W,
    LAST_NAMES,
    LAST_SLUGS,
    LEAD_SOURCE_INTENT,
    LEAD_SOURCE_JUNK_W,
    LEAD_SOURCE_W,
    PERSONAL_DOMAIN_W,
    PERSONAL_DOMAINS,
    SEN_STUDENT,
    SEN_VP,
    SENIORITY_FIT,
    SENIORITY_W,
    SRC_EVENT,
    SRC_REFERRAL,
    SRC_WEBINAR,
    TITLE_COUNT,
    TITLE_OFFSET,
    UNIVERSITY_DOMAINS,
    contact_attr_index,
)
from orchestration.demo_data.writers import fixed_strings

if TYPE_CHECKING:
    from orchestration.demo_data.population import Population

MAIL_PER_DAY = 4 / 30  # emails opened or clicked by an opted-in contact of average intent
BG_SPREAD = 1.4  # sigma of the log of background reading rates across leads
PAGE_DEPTH = 3.0  # pages a page view leads on to, for an average reader in a phase of depth 1
JOURNEY_VOLUME = 2.0  # journeys' event rates relative to background reading
RESEARCH_STEPS = 0.375  # a research journey's drawn events relative to a self-serve one's


def draw_contacts(pop: Population, rng: np.random.Generator) -> None:
    n, days, m = pop.n, pop.days, pop.n_comp
    comp = pop.comp
    # Creation: existing_share (default 40 %) in the year before t0 (they land in the first
    # file), the rest through the window, fewer at weekends. Contacts are sorted by creation
    # so ids grow with time.
    pre = rng.random(n) < pop.existing_share
    wd = np.array([weekday(pop.t0_epoch_day + d) for d in range(days)])
    day_w = np.where(wd >= 5, 0.35, 1.0)
    cday = np.where(pre, -rng.integers(1, 366, n), weighted_choice(rng, n, day_w))
    created = np.sort(cday * DAY + sample_sod(rng, n))
    created_day = np.floor_divide(created, DAY)
    land_day = np.maximum(created_day, 0)

    junk = weighted_choice(rng, n, JUNK_W).astype(np.int8)
    normal = junk == JUNK_NONE
    source = np.where(
        normal, weighted_choice(rng, n, LEAD_SOURCE_W), weighted_choice(rng, n, LEAD_SOURCE_JUNK_W)
    ).astype(np.int8)
    # Two hidden factors (standard normal): `quality`, how well the lead's account fits
    # (it leans company size, seniority, budget and product interest together), and
    # `drive`, how much the lead is looking to buy now (it leans intent, how much and how
    # long the lead reads, and the buying journey). They correlate a little.
    quality = rng.standard_normal(n)
    drive = 0.3 * quality + np.sqrt(1 - 0.3**2) * rng.standard_normal(n)
    # Intent in [0, 1], skewed low: most leads are not buying now.
    intent = np.clip(normal_cdf(drive) ** 2.5 * LEAD_SOURCE_INTENT[source], 0, 1)

    # Company: weighted by sqrt(size), larger with quality; competitors' employees at a
    # rival; a share none; a few name a company that never lands.
    ordinary = np.flatnonzero(~comp["is_rival"])
    ordinary = ordinary[np.argsort(comp["emp"][ordinary], kind="stable")]
    w = np.sqrt(comp["emp"][ordinary].astype(np.float64))
    company = ordinary[quantile_choice(correlated_uniform(rng, quality, 0.7), w)]
    u = rng.random(n)
    none_p = np.select([junk == JUNK_STUDENT, junk == JUNK_TIRE, junk == JUNK_BOUNCE], [1.0, 0.75, 0.6], 0.06)
    company = np.where(u < none_p, -1, company)
    n_ghost = max(1, m // 50)
    ghost = normal & (u >= none_p) & (u < none_p + 0.01)
    company = np.where(ghost, m + rng.integers(0, n_ghost, n), company)
    company = np.where(
        junk == JUNK_COMPETITOR, comp["rivals"][rng.integers(0, len(comp["rivals"]), n)], company
    )
    has_co = (company >= 0) & (company < m)
    co = np.where(has_co, company, 0)

    sen0 = np.where(
        junk == JUNK_STUDENT, SEN_STUDENT, quantile_choice(correlated_uniform(rng, quality, 0.6), SENIORITY_W)
    )
    title_rand = rng.integers(0, 1 << 30, n)
    country = np.where(
        has_co & (rng.random(n) < 0.9), comp["country"][co], weighted_choice(rng, n, COUNTRY_W)
    ).astype(np.int8)

    # ---- hidden fit inputs and CRM custom fields
    emp = np.where(has_co, comp["emp"][co], 0)
    size_score = np.where(has_co, np.log(np.maximum(emp, 1)) / np.log(50_000), 0.0)
    budget = np.digitize(
        size_score + 0.1 * quality + rng.normal(0, 0.18, n) + np.where(has_co, 0, 0.1), [0.30, 0.55, 0.80]
    )
    product = quantile_choice(correlated_uniform(rng, quality, 0.4), [45, 30, 25])
    optin = (rng.random(n) < np.where(junk == JUNK_STUDENT, 0.8, 0.6)).astype(np.int64)

    # Promotion (one level up, from individual..vp) lands later as a contact update.
    promo = (sen0 <= SEN_VP) & (junk != JUNK_STUDENT) & (rng.random(n) < 0.05)
    sen1 = np.where(promo, sen0 + 1, sen0)
    # Hidden fit in [0, 1]: seniority, company size, industry, budget; junk pushed down;
    # stretched by a logistic so that fit separates good leads from poor ones.
    ind_fit = np.where(has_co, INDUSTRY_FIT[comp["industry"][co]], 0.3)
    size_fit = np.where(has_co, np.clip(np.log10(np.maximum(emp, 1)) / 4.5, 0.05, 1.0), 0.1)
    # Quality counts beyond the fields it leans: the fields are its noisy traces.
    raw = (
        0.2 * SENIORITY_FIT[sen1]
        + 0.2 * size_fit
        + 0.15 * ind_fit
        + 0.1 * BUDGET_FIT[budget]
        + 0.35 * normal_cdf(quality)
        + rng.normal(0, 0.05, n)
    )
    fit = 1 / (1 + np.exp(-(raw - 0.5) * 7))
    fit *= np.array([1.0, 0.1, 0.2, 0.5, 0.6])[junk]

    # ---- journeys: normal contacts only; more likely with intent and from warm channels
    warm = np.isin(source, [SRC_REFERRAL, SRC_EVENT, SRC_WEBINAR])
    j_p = (0.05 + 0.5 * intent + 0.15 * fit) * np.where(warm, 1.2, 1.0)
    journey = normal & (rng.random(n) < j_p)
    # Keener leads start their journey sooner after they are created.
    early = rng.random(n) < 0.45 + 0.35 * intent
    offset = np.where(early, rng.gamma(2.0, 10.0, n), rng.exponential(200.0, n))
    peak = (created_day + 3 + offset).astype(np.int64)
    rise = rng.uniform(4, 15, n)
    fall = rng.uniform(1.5, 4, n)
    amp = JOURNEY_VOLUME * rng.lognormal(np.log(3.0), 0.5, n) * (0.4 + intent)
    # Two styles of journey: well-fitting accounts mostly research on their own and talk to
    # sales (few forms, long careful reading); the others mostly go through marketing's
    # offers and self-serve steps (webinars, downloads, trials, carts), skimming.
    research = journey & (rng.random(n) < normal_cdf(1.5 * quality))
    self_serve = journey & ~research
    # Research takes fewer steps, each a long visit of many pages (see depth and dwell).
    amp = np.where(research, RESEARCH_STEPS * amp, amp)

    soon = peak - created_day < 90
    timeline = np.where(
        journey & soon,
        0,
        np.where(journey, 1 + rng.integers(0, 2, n), weighted_choice(rng, n, [10, 20, 30, 40])),
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
    attr0 = contact_attr_index(b0, t0, p0, o0)
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
        contact_attr_index(budget, timeline, np.where(p0 < 0, product, p0), o0),
        contact_attr_index(b0, t_other, p0, o0),
    )
    attr_sec = np.where(j_fill | other, attr_day * DAY + sample_sod(rng, n), NEVER)
    # Promotion: one level up, from individual..vp.
    promo_sec = np.where(
        promo, (land_day + 1 + rng.integers(0, max(30, int(days * 1.5)), n)) * DAY + sample_sod(rng, n), NEVER
    )
    promo_sec = np.where(promo_sec == attr_sec, promo_sec + 1, promo_sec)

    # ---- behaviour
    # The email program: opted-in contacts open (and now and then click) newsletters and
    # nurture emails, the keener ones more; the others get the odd product email.
    mail_rate = MAIL_PER_DAY * rng.lognormal(-0.3, 0.8, n) * (0.6 + intent) * np.where(optin == 1, 1.0, 0.3)
    # Background reading: heavy-tailed, so most leads barely engage and a few read a lot;
    # it leans with drive (readers are more often buyers, but most readers do not buy).
    reading = np.exp(BG_SPREAD * (0.5 * drive + np.sqrt(0.75) * rng.standard_normal(n)))
    bg_rate = 0.05 * reading * np.array([1.0, 1.0, 1.3, 0.7, 0.6])[junk]
    # How long the lead stays on a page (a factor on the page's typical seconds): buyers read
    # closely, tire-kickers skim.
    dwell = np.exp(0.45 * drive + 0.35 * rng.standard_normal(n)) * np.array([1.0, 0.8, 1.1, 0.45, 0.9])[junk]
    dwell *= np.where(research, 1.25, np.where(self_serve, 0.75, 1.0))
    # How many more pages a page view leads on to (times the phase's depth): buyers dig in.
    depth = PAGE_DEPTH * np.exp(0.7 * drive) * np.array([1.0, 0.5, 1.5, 0.3, 0.6])[junk]
    depth *= np.where(research, 1.6, np.where(self_serve, 0.7, 1.0))
    bg_phase = np.array([PH_BROWSE, PH_STUDENT, PH_COMPETITOR, PH_TIRE, PH_BROWSE], dtype=np.int8)[junk]
    burst = np.array([2.0, 2.0, 4.0, 4.0, 1.0])[junk] + np.where(normal, 3 * intent, 0)
    unsub_p = np.array([0.04, 0.10, 0.05, 0.15, 0.05])[junk]
    unsub_day = np.where(rng.random(n) < unsub_p, land_day + rng.integers(1, 200, n), 1 << 30)
    bounce = (junk == JUNK_BOUNCE) | (normal & (rng.random(n) < 0.01))
    phone_p = np.array([0.75, 0.4, 0.6, 0.5, 0.5])[junk]
    has_phone = rng.random(n) < phone_p

    # ---- PII strings (built once, vectorised)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    fs = pa.array(FIRST_SLUGS).take(pa.array(first))
    ls = pa.array(LAST_SLUGS).take(pa.array(last))
    initial = pc.utf8_slice_codeunits(fs, 0, 1)
    pat = weighted_choice(rng, n, [50, 25, 10, 15]).astype(np.int8)
    work_local = pc.choose(
        pa.array(pat),
        pc.binary_join_element_wise(fs, ls, "."),
        pc.binary_join_element_wise(initial, ls, ""),
        fs,
        pc.binary_join_element_wise(fs, ls, "_"),
    )
    num = pc.cast(pa.array(rng.integers(1, 100, n)), pa.string())
    personal_local = pc.binary_join_element_wise(pc.binary_join_element_wise(fs, ls, "."), num, "")
    personal = (~has_co) | (normal & (rng.random(n) < 0.08)) | (junk == JUNK_TIRE)
    kind = np.select([junk == JUNK_STUDENT, junk == JUNK_BOUNCE, personal], [2, 3, 1], 0)
    domain = pc.choose(
        pa.array(kind.astype(np.int8)),
        comp["domain"].take(pa.array(co)),
        pa.array(PERSONAL_DOMAINS).take(pa.array(weighted_choice(rng, n, PERSONAL_DOMAIN_W))),
        pa.array(UNIVERSITY_DOMAINS).take(pa.array(rng.integers(0, len(UNIVERSITY_DOMAINS), n))),
        pa.array(BAD_DOMAINS).take(pa.array(rng.integers(0, len(BAD_DOMAINS), n))),
    )
    local = pc.if_else(pa.array(kind == 0), work_local, personal_local)
    email = pc.binary_join_element_wise(local, domain, "@")
    pd = rng.integers(0, 10, (n, 12)).astype(np.uint8) + 48
    pd[:, 0] = rng.integers(2, 10, n) + 48  # no leading zero
    pd[:, 3] = pd[:, 7] = ord(" ")
    phone = pc.binary_join_element_wise(
        pa.array(COUNTRY_PHONE).take(pa.array(country)), fixed_strings(pd), ""
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
        mail_rate=mail_rate,
        dwell=dwell,
        depth=depth,
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
        research=research,
        peak=peak,
    )
    j = np.flatnonzero(journey)
    pop.jr = {
        key: values[j]
        for key, values in dict(
            peak=peak, rise=rise, fall=fall, amp=amp, created_day=created_day, research=research
        ).items()
    }
    pop.jr["idx"] = j


def title_index(sen: np.ndarray, title_rand: np.ndarray) -> np.ndarray:
    return TITLE_OFFSET[sen] + title_rand % TITLE_COUNT[sen]


def plan_contact_rows(pop: Population) -> None:
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
