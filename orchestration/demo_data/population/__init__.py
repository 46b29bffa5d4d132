"""The hidden world behind the demo data: companies, contacts and their plans.

Everything here is decided once, up front, as numpy arrays (one element per company,
contact, opportunity, ...). The daily writer in orchestration.demo_data.day_writer only slices
these arrays by landing day and draws that day's events from the per-contact rates below.

Times are int64 seconds relative to midnight UTC of the first generated day ("t0");
day d of the run covers [d*86400, (d+1)*86400).

This module holds the Population (its arrays and its daily rates) and build(), which fills
it in steps: companies (population.companies), contacts (population.contacts), the sales
side and the scheduled events (population.sales), then the rows each entity lands, and the
rate scale. population.sampling holds the time units and the draws the steps share.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orchestration.demo_data.population.companies import draw_companies, plan_company_rows
from orchestration.demo_data.population.contacts import draw_contacts, plan_contact_rows
from orchestration.demo_data.population.sales import plan_sales, schedule_events
from orchestration.demo_data.population.sampling import weekday
from orchestration.demo_data.vocab.behaviour import (
    PH_COLD,
    PH_DECISION,
    PH_DISCOVERY,
    PH_EVALUATION,
    PH_RESEARCH,
    PHASE_DEPTH,
    page_view_shares,
)
from orchestration.demo_data.vocab.people import JUNK_NONE, LEAD_SOURCES

EVENTS_PER_CONTACT_DAY = 100 / 365  # ~100 events per contact per year
FIRST_VISIT_DEPTH = 0.3  # the visit right after creation goes less deep than later ones


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

    def creation_phase(self, idx: np.ndarray) -> np.ndarray:
        """The phase of the burst of events right after a contact is created: discovery, or
        research for a research journey's lead; junk keeps its own."""
        ct = self.ct
        normal = np.where(ct["research"][idx], PH_RESEARCH, PH_DISCOVERY)
        return np.where(ct["junk"][idx] == JUNK_NONE, normal, ct["bg_phase"][idx]).astype(np.int8)

    def mail_rates(self, d: int, idx: np.ndarray | slice) -> np.ndarray:
        """Newsletter and nurture emails opened or clicked per day (none to bad addresses,
        nor after unsubscribing)."""
        ct = self.ct
        r = ct["mail_rate"][idx] * (0.4 if self.weekend(d) else 1.0)
        live = (ct["created_day"][idx] <= d) & (ct["unsub_day"][idx] > d) & ~ct["bounce"][idx]
        return np.where(live, r, 0.0)

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
            PH_COLD,
            np.where(t > 1.2 * rise, PH_DISCOVERY, np.where(t > 0.4 * rise, PH_EVALUATION, PH_DECISION)),
        )
        # Research journeys read their way to a decision rather than answer offers.
        phase = np.where(jr["research"][sel] & (t >= 0), PH_RESEARCH, phase)
        return rate, phase.astype(np.int8)


def _normalise(pop: Population) -> None:
    """Scale background and journey rates so the run has ~100 events per contact-year
    (counting the further pages of each visit)."""
    ct, jr, n = pop.ct, pop.jr, pop.n
    # Events per drawn event: the event and the pages its visit leads on to.
    per_phase = page_view_shares() * PHASE_DEPTH
    step = max(1, n // 20_000)
    sample = np.arange(0, n, step)
    jsel = np.flatnonzero(jr["idx"] % step == 0)
    bg_visit = 1.0 + per_phase[ct["bg_phase"][sample]] * ct["depth"][sample]
    j_depth = ct["depth"][jr["idx"][jsel]]
    var = 0.0
    for d in range(pop.days):
        j_rate, j_phase = pop.journey_rates(d, jsel)
        var += (pop.bg_rates(d, sample) * bg_visit).sum()
        var += (j_rate * (1.0 + per_phase[j_phase] * j_depth)).sum()
    var *= n / len(sample)
    new = ct["created_day"] >= 0
    new_phase = pop.creation_phase(new)
    burst = (ct["burst"][new] * (1.0 + per_phase[new_phase] * ct["depth"][new] * FIRST_VISIT_DEPTH)).sum()
    mail = sum(float(pop.mail_rates(d, sample).sum()) for d in range(pop.days)) * n / len(sample)
    fixed = float(burst) + len(pop.sched["day"]) + mail
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
    draw_companies(pop, rng)
    draw_contacts(pop, rng)
    pop.comp_id_width = max(6, len(str(pop.n_comp + max(1, pop.n_comp // 50))))
    pop.ct_id_width = max(7, len(str(n_contacts)))
    plan_sales(pop, rng)
    schedule_events(pop, rng)
    plan_contact_rows(pop)
    plan_company_rows(pop, rng)
    _normalise(pop)
    # Channel spend follows the leads each channel brings in the window.
    new = pop.ct["created_day"] >= 0
    pop.spend_mean_leads = np.bincount(pop.ct["source"][new], minlength=len(LEAD_SOURCES)) / days
    return pop
