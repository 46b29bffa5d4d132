"""What the contacts do on a day: the events drawn from the population's rates (background
reading, buying journeys, the burst after creation, the scheduled events), each given a kind
by the contact's behavioural phase, a `properties` entry, for page views the seconds spent
on the page, and a second of the day (a contact's events of a day form one session)."""

from __future__ import annotations

import numpy as np

from orchestration.demo_data.population import FIRST_VISIT_DEPTH, Population
from orchestration.demo_data.population.sampling import DAY, sample_sod
from orchestration.demo_data.vocab.behaviour import PHASE_DEPTH, PHASE_DWELL
from orchestration.demo_data.vocab.events import (
    EMAIL_KINDS,
    KIND,
    KIND_PROP_LO,
    KIND_PROP_N,
    KIND_SECONDS,
    KINDS,
    MAX_SECONDS,
)

MAIL_CLICK_SHARE = 0.12


def draw_events(pop: Population, phase_cum: np.ndarray, d: int, rng: np.random.Generator):
    """Contact index, kind, property index, second-of-day and seconds on the page (-1: not
    a page view) of every event occurring on day d."""
    ct, jr = pop.ct, pop.jr
    hi = pop.n_created_by(d)
    lo_new = pop.n_created_by(d - 1)
    n_bg = rng.poisson(pop.bg_rates(d, slice(0, hi)))
    j_rate, j_phase = pop.journey_rates(d)
    n_j = rng.poisson(j_rate)
    n_m = rng.poisson(pop.mail_rates(d, slice(0, hi)))
    new = np.arange(lo_new, hi)
    n_b = rng.poisson(ct["burst"][new])
    s_lo, s_hi = np.searchsorted(pop.sched["day"], [d, d + 1])
    s_c = pop.sched["contact"][s_lo:s_hi]
    new_phase = pop.creation_phase(new)
    m_c = np.repeat(np.arange(hi), n_m)
    cidx = np.concatenate(
        [np.repeat(np.arange(hi), n_bg), np.repeat(jr["idx"], n_j), np.repeat(new, n_b), m_c, s_c]
    )
    n_free = len(cidx) - len(m_c) - len(s_c)
    phase = np.concatenate(
        [
            np.repeat(ct["bg_phase"][:hi], n_bg),
            np.repeat(j_phase, n_j),
            np.repeat(new_phase, n_b),
        ]
    )
    kind = np.empty(len(cidx), dtype=np.int16)
    u = rng.random(n_free)
    for p in range(len(phase_cum)):
        m = phase == p
        if m.any():
            kind[:n_free][m] = np.searchsorted(phase_cum[p], u[m], side="right")
    # Emails of the program: about one in eight opened is clicked.
    kind[n_free : n_free + len(m_c)] = np.where(
        rng.random(len(m_c)) < MAIL_CLICK_SHARE, KIND["email_click"], KIND["email_open"]
    )
    kind[n_free + len(m_c) :] = pop.sched["kind"][s_lo:s_hi]
    np.minimum(kind, len(KINDS) - 1, out=kind)
    # No marketing email reaches bad addresses or (after the day) unsubscribers; no SMS
    # without a phone number.
    mail = EMAIL_KINDS[kind] & (ct["bounce"][cidx] | (ct["unsub_day"][cidx] <= d))
    kind[mail] = KIND["pv_blog"]
    kind[(kind == KIND["sms_sent"]) & ~ct["has_phone"][cidx]] = KIND["pv_home"]
    fixed = np.concatenate([np.full(n_free + len(m_c), -1), pop.sched["sod"][s_lo:s_hi]])
    phase_dwell = np.concatenate([PHASE_DWELL[phase], np.ones(len(m_c) + len(s_c))])
    # Visits: a page viewed leads on to more pages of its section, the more the keener the
    # reader and the further the phase (scheduled events stay single).
    depth = np.zeros(len(kind))
    depth[:n_free] = PHASE_DEPTH[phase] * ct["depth"][cidx[:n_free]]
    depth[n_free - n_b.sum() : n_free] *= FIRST_VISIT_DEPTH
    depth[KIND_SECONDS[kind] == 0] = 0.0
    more = np.repeat(np.arange(len(kind)), rng.poisson(depth))
    cidx, kind, fixed, phase_dwell = (np.concatenate([a, a[more]]) for a in (cidx, kind, fixed, phase_dwell))
    prop = KIND_PROP_LO[kind] + (KIND_PROP_N[kind] * rng.random(len(kind)) ** 1.7).astype(np.int32)
    # Seconds on each page viewed: the page's typical time, the reader's dwell, the phase's
    # (scheduled events are no page views); -1 for other events.
    typical = KIND_SECONDS[kind]
    spent = typical * ct["dwell"][cidx] * phase_dwell * rng.lognormal(0.0, 0.7, len(kind))
    seconds = np.where(typical > 0, np.clip(np.round(spent), 1, MAX_SECONDS), -1).astype(np.int32)
    # Sessions: a contact's events of the day follow each other, the next one when the
    # page viewed before it is left (else a minute or two later); a contact created today
    # starts right after its creation second.
    order = np.argsort(cidx, kind="stable")
    cidx, kind, prop, fixed, seconds = cidx[order], kind[order], prop[order], fixed[order], seconds[order]
    n = len(cidx)
    start = np.ones(n, dtype=bool)
    start[1:] = cidx[1:] != cidx[:-1]
    group = np.cumsum(start) - 1
    heads = cidx[start]
    base = sample_sod(rng, len(heads))
    created_today = ct["created_day"][heads] == d
    base = np.where(created_today, ct["created"][heads] - d * DAY + 5, base)
    gap = rng.exponential(80.0, n)
    gap[1:] = np.where(seconds[:-1] >= 0, seconds[:-1] + 2, gap[1:])
    cs = np.cumsum(gap)
    offset = cs - cs[start][group]
    sec = np.minimum(base[group] + offset.astype(np.int64), DAY - 1)
    sec = np.where(fixed >= 0, fixed, sec)
    order = np.lexsort((cidx, sec))
    return cidx[order], kind[order], prop[order], sec[order], seconds[order]
