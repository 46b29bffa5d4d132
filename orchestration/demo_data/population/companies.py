"""The companies: industry, country, size, tier and tech stack, unique names and web domains,
the competitors among them; and their plan of rows (first landing, size updates, becoming a
customer when a first deal is won)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.demo_data.population.sampling import DAY, NEVER, sample_sod, weighted_choice
from orchestration.demo_data.vocab.companies import (
    COMPETITORS,
    COUNTRY_TLD,
    COUNTRY_W,
    INDUSTRY_REV_PER_EMP,
    INDUSTRY_W,
    NAME_A,
    NAME_B,
    NAME_C,
)

if TYPE_CHECKING:
    from orchestration.demo_data.population import Population


def draw_companies(pop: Population, rng: np.random.Generator) -> None:
    m = pop.n_comp
    industry = weighted_choice(rng, m, INDUSTRY_W)
    country = weighted_choice(rng, m, COUNTRY_W)
    emp = np.clip(np.round(rng.lognormal(np.log(35), 1.8, m)), 1, 300_000).astype(np.int64)
    rev_per_emp = INDUSTRY_REV_PER_EMP[industry] * rng.lognormal(0, 0.35, m)
    n_rival = min(len(COMPETITORS), max(1, m // 20))
    rivals = np.sort(rng.choice(m, n_rival, replace=False))
    is_rival = np.zeros(m, dtype=bool)
    is_rival[rivals] = True
    industry[rivals] = 0
    emp[rivals] = rng.integers(150, 2500, n_rival)
    tier = np.where(emp < 200, 0, np.where(emp < 2000, 1, 2)).astype(np.int64)
    stack = weighted_choice(rng, m, [25, 30, 10, 8, 7, 5, 15]) - 1  # -1 = key missing
    customer0 = (rng.random(m) < 0.03) & ~is_rival

    # Unique names: a bijective scramble of the index over A x B x C, then a round number.
    na, nb, nc = len(NAME_A), len(NAME_B), len(NAME_C)
    space = na * nb * nc
    i = np.arange(m, dtype=np.int64)
    c = (i * 7919 + 13) % space  # 7919 is prime and does not divide space
    rnd = i // space
    a_i, b_i, c_i = c // (nb * nc), c // nc % nb, c % nc
    core = pc.binary_join_element_wise(
        pa.array(NAME_A).take(pa.array(a_i)), pa.array(NAME_B).take(pa.array(b_i)), ""
    )
    suffix = pa.array(NAME_C).take(pa.array(c_i))
    rtxt = pc.if_else(pa.array(rnd > 0), pc.cast(pa.array(rnd + 1), pa.string()), "")
    name = pc.binary_join_element_wise(core, suffix, " ")
    name = pc.if_else(pa.array(rnd > 0), pc.binary_join_element_wise(name, rtxt, " "), name)
    tld = pa.array(COUNTRY_TLD).take(pa.array(country))
    tld = pc.if_else(pa.array((industry == 0) & (rng.random(m) < 0.3)), ".io", tld)
    domain = pc.binary_join_element_wise(pc.utf8_lower(core), "-", pc.utf8_lower(suffix), rtxt, tld, "")
    rival_names = pa.array([n for n, _ in COMPETITORS][:n_rival])
    rival_domains = pa.array([d for _, d in COMPETITORS][:n_rival])
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


def plan_company_rows(pop: Population, rng: np.random.Generator) -> None:
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
