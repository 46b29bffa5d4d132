"""Behaviour: the phases that drive a contact's events, the mix of event kinds in each
phase (as cumulative probability tables) and the business hours events fall in."""

from __future__ import annotations

import numpy as np

from orchestration.demo_data.vocab.encoding import weights
from orchestration.demo_data.vocab.events import KIND, KIND_SECONDS, KINDS

# Phases: what drives an event.
(
    PH_BROWSE,
    PH_STUDENT,
    PH_COMPETITOR,
    PH_TIRE,
    PH_DISCOVERY,
    PH_EVALUATION,
    PH_DECISION,
    PH_COLD,
    PH_RESEARCH,
) = range(9)
PHASE_MIX: list[dict[str, float]] = [
    # browse: known contacts reading at a low rate
    {
        "pv_blog": 30,
        "email_open": 30,
        "pv_home": 8,
        "email_click": 5,
        "social_follow": 1.5,
        "social_engagement": 5,
        "ad_click": 5,
        "pv_product": 4,
        "pv_customers": 1.5,
        "podcast_listen": 0.6,
        "newsletter_subscribe": 0.6,
        "webinar_registration": 0.5,
        "dl_ebook": 0.5,
        "dl_guide": 0.5,
        "sms_sent": 0.5,
        "pv_careers": 0.8,
        "chat_started": 0.2,
        "pv_about": 0.2,
    },
    # student
    {
        "pv_careers": 28,
        "pv_blog": 35,
        "dl_ebook": 5,
        "dl_guide": 4,
        "webinar_registration": 5,
        "webinar_attended": 3,
        "email_open": 10,
        "social_follow": 4,
        "trial_signup": 1,
        "pv_home": 4,
        "podcast_listen": 1,
    },
    # competitor: watches pricing, product and customers
    {
        "pv_pricing": 25,
        "pv_product": 25,
        "pv_customers": 15,
        "pv_compare": 10,
        "pv_blog": 10,
        "dl_white_paper": 4,
        "dl_case_study": 4,
        "webinar_attended": 5,
        "email_open": 2,
    },
    # tire-kicker (personal email, no company)
    {
        "pv_blog": 25,
        "pv_pricing": 14,
        "pv_home": 10,
        "trial_signup": 6,
        "add_to_cart": 10,
        "checkout_abandoned": 10,
        "chat_started": 3,
        "email_open": 15,
        "ad_click": 10,
        "pv_careers": 5,
        "pv_product": 8,
    },
    # discovery
    {
        "pv_blog": 35,
        "pv_home": 5,
        "email_open": 18,
        "email_click": 4,
        "social_follow": 4,
        "social_engagement": 5,
        "newsletter_subscribe": 3,
        "ad_click": 8,
        "form_newsletter_signup": 2,
        "podcast_listen": 0.6,
        "pv_product": 5,
        "pv_compare": 1,
        "sms_sent": 0.4,
    },
    # evaluation
    {
        "pv_product": 18,
        "pv_customers": 10,
        "pv_compare": 4,
        "pv_blog": 10,
        "dl_white_paper": 3,
        "dl_guide": 2,
        "dl_ebook": 1,
        "dl_case_study": 2,
        "webinar_registration": 3,
        "webinar_attended": 2,
        "email_open": 10,
        "email_click": 8,
        "chat_started": 1,
        "social_engagement": 3,
        "form_gated_content": 1.5,
        "pv_pricing": 3,
        "ad_click": 3,
        "sms_sent": 1,
    },
    # decision
    {
        "pv_pricing": 15,
        "pv_product": 10,
        "pv_customers": 6,
        "pv_about": 2,
        "demo_request": 1.5,
        "quote_request": 0.8,
        "trial_signup": 1.2,
        "meeting_booked": 1,
        "form_contact_us": 1,
        "chat_started": 1.5,
        "add_to_cart": 1.5,
        "checkout_abandoned": 1,
        "email_open": 8,
        "email_click": 8,
        "dl_case_study": 2,
        "webinar_attended": 1,
        "pv_compare": 2,
    },
    # cold (after the journey's peak)
    {
        "email_open": 40,
        "pv_blog": 25,
        "pv_product": 10,
        "pv_pricing": 5,
        "email_click": 5,
        "social_engagement": 5,
        "pv_home": 5,
    },
    # research: a sales-assisted buyer evaluating on its own, reading documentation and
    # product pages at length rather than answering marketing's offers
    {
        "pv_docs": 50,
        "pv_home": 12,
        "pv_product": 8,
        "pv_blog": 4,
        "pv_customers": 3,
        "email_open": 3,
        "pv_pricing": 1,
        "pv_compare": 0.5,
    },
]


# How much longer than typical a page is read in each phase (evaluating and deciding leads
# read closely), in the order of the phases above.
PHASE_DWELL = np.array([1.0, 0.8, 1.2, 0.7, 1.0, 1.3, 1.4, 0.8, 1.4])
# Pages a page view leads on to, on average, per unit of the reader's depth, by phase.
PHASE_DEPTH = np.array([1.5, 0.5, 1.0, 0.2, 1.5, 3.0, 3.0, 1.0, 3.5])
assert len(PHASE_DWELL) == len(PHASE_DEPTH) == len(PHASE_MIX)


def phase_tables() -> np.ndarray:
    """Cumulative probability per phase over kinds, shape (n_phases, n_kinds)."""
    tab = np.zeros((len(PHASE_MIX), len(KINDS)))
    for p, mix in enumerate(PHASE_MIX):
        for name, w in mix.items():
            tab[p, KIND[name]] = w
    tab /= tab.sum(axis=1, keepdims=True)
    return np.cumsum(tab, axis=1)


def page_view_shares() -> np.ndarray:
    """Per phase, the share of its events that are page views."""
    tab = np.diff(phase_tables(), axis=1, prepend=0.0)
    return tab[:, KIND_SECONDS > 0].sum(axis=1)


# UTC hour-of-day weights for business activity (Americas + Europe).
HOUR_W = weights(
    [
        1,
        0.7,
        0.5,
        0.4,
        0.4,
        0.5,
        0.8,
        1.5,
        2.5,
        3.5,
        4,
        4.2,
        4.3,
        4.8,
        5.5,
        5.8,
        5.5,
        5,
        4.2,
        3.5,
        3,
        2.6,
        2,
        1.4,
    ]
)
