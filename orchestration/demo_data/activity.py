"""What the contacts do on a day: the events drawn from the population's rates (background
reading, buying journeys, the burst after creation, the scheduled events), each given a kind
by the contact's behavioural phase, a `properties` entry and a second of the day (a
contact's events of a day form one session)."""

from __future__ import annotations

import numpy as np

from orchestration.demo_data.population import Population
from orchestration.demo_data.population.sampling import DAY, sample_sod
from orchestration.demo_data.vocab.behaviour import PH_DISCOVERY
from orchestration.demo_data.vocab.events import EMAIL_KINDS, KIND, KIND_PROP_LO, KIND_PROP_N, KINDS
from orchestration.demo_data.vocab.people import JUNK_NONE


def draw_events(pop: Population, phase_cum: np.ndarray, d: int, rng: np.random.Generator):
    """Contact index, kind and second-of-day of every event occurring on day d."""
    ct, jr = pop.ct, pop.jr
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
    for p in range(len(phase_cum)):
        m = phase == p
        if m.any():
            kind[:n_free][m] = np.searchsorted(phase_cum[p], u[m], side="right")
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
