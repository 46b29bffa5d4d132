"""Events: what they point at (site pages, blog posts, campaigns, downloadable assets,
webinars, ...) and the event "kinds" - an event type together with the `properties`
objects it can carry - with the index tables the generator gathers from."""

from __future__ import annotations

import numpy as np

from orchestration.demo_data.vocab.encoding import js
from orchestration.demo_data.vocab.people import PRODUCTS
from orchestration.ingest.contract import STANDARD_EVENT_TYPES

BLOG = [
    "what-is-lead-scoring",
    "mql-vs-sql",
    "lead-scoring-models",
    "b2b-marketing-trends",
    "email-marketing-benchmarks",
    "how-to-build-an-icp",
    "intent-data-explained",
    "marketing-attribution-101",
    "account-based-marketing",
    "demand-gen-playbook",
    "content-marketing-roi",
    "seo-for-saas",
    "webinar-best-practices",
    "crm-hygiene",
    "sales-marketing-alignment",
    "predictive-lead-scoring",
    "lead-nurturing-guide",
    "funnel-metrics",
    "data-warehouse-for-marketers",
    "dbt-for-marketing",
    "customer-journey-mapping",
    "cold-email-tips",
    "linkedin-ads-guide",
    "marketing-ops-stack",
    "churn-signals",
    "pipeline-forecasting",
    "gdpr-for-marketers",
    "b2b-buyer-personas",
    "landing-page-tests",
    "product-led-growth",
]
PRODUCT_URLS = [
    "/product",
    "/product/analytics",
    "/product/automation",
    "/product/platform",
    "/product/integrations",
    "/product/security",
    "/product/api",
]
# What technical evaluators read: documentation, integrations, security.
DOCS_URLS = [
    "/docs/getting-started",
    "/docs/api",
    "/docs/data-model",
    "/docs/integrations",
    "/features",
    "/integrations/salesforce",
    "/integrations/hubspot",
    "/security/compliance",
]
CUSTOMER_URLS = [
    "/customers",
    "/customers/northwind-logistics",
    "/customers/globex-bank",
    "/customers/initech-software",
    "/customers/umbrella-health",
    "/customers/stark-manufacturing",
    "/customers/wayne-retail",
    "/customers/hooli-media",
]
COMPARE_URLS = ["/compare/rivalcorp", "/compare/leadlynx", "/compare/scorestack", "/compare/spreadsheets"]
PRICING_URLS = ["/pricing", "/pricing/enterprise", "/pricing/faq"]
ABOUT_URLS = ["/about", "/about/team", "/security", "/contact"]
CAREERS_URLS = [
    "/careers",
    "/careers/software-engineer",
    "/careers/account-executive",
    "/careers/marketing-intern",
    "/careers/data-analyst",
    "/careers/customer-success",
]
HOME_URLS = ["/", "/resources", "/events"]
EMAIL_CAMPAIGNS = [
    "weekly_digest",
    "product_update",
    "webinar_invite",
    "nurture_1",
    "nurture_2",
    "nurture_3",
    "case_study_digest",
    "event_invite",
    "pricing_promo",
    "reengagement",
]
AD_CAMPAIGNS = [
    "google_search_brand",
    "google_search_generic",
    "linkedin_sponsored_content",
    "linkedin_lead_gen",
    "meta_retargeting",
    "g2_profile",
    "capterra_listing",
]
ASSETS = {
    "white_paper": [
        "state-of-lead-scoring-2026",
        "roi-of-predictive-scoring",
        "data-driven-demand-gen",
        "warehouse-native-marketing",
    ],
    "guide": [
        "lead-scoring-starter-guide",
        "mql-definition-guide",
        "crm-cleanup-guide",
        "icp-workshop-guide",
    ],
    "ebook": ["marketing-ops-handbook", "b2b-funnel-ebook", "email-nurture-ebook"],
    "case_study": [
        "northwind-logistics",
        "globex-bank",
        "initech-software",
        "umbrella-health",
        "stark-manufacturing",
    ],
}
WEBINARS = [
    "scoring-101",
    "fit-vs-intent",
    "building-mql-models",
    "warehouse-marketing",
    "sales-handover-best-practices",
    "pipeline-analytics-live",
]
NETWORKS = ["linkedin", "twitter", "youtube"]
SKUS = ["starter_annual", "pro_annual", "pro_monthly", "addon_seats"]
MEETING_TYPES = ["discovery_call", "demo", "pricing_review"]
CHAT_TOPICS = ["pricing", "integrations", "security", "support", "general"]
SMS_CAMPAIGNS = ["webinar_reminder", "event_reminder", "trial_nudge"]
NONSTANDARD_TYPE = "podcast_listen"


def _kinds() -> list[tuple[str, str, list[str]]]:
    """(kind name, event_type, possible properties JSON) - most popular property first."""
    k = []

    def url(xs):
        return [js({"url": x}) for x in xs]

    k.append(("pv_home", "page_view", url(HOME_URLS)))
    k.append(("pv_blog", "page_view", url(["/blog/" + b for b in BLOG])))
    k.append(("pv_product", "page_view", url(PRODUCT_URLS)))
    k.append(("pv_customers", "page_view", url(CUSTOMER_URLS)))
    k.append(("pv_compare", "page_view", url(COMPARE_URLS)))
    k.append(("pv_pricing", "page_view", url(PRICING_URLS)))
    k.append(("pv_about", "page_view", url(ABOUT_URLS)))
    k.append(("pv_careers", "page_view", url(CAREERS_URLS)))
    k.append(("pv_docs", "page_view", url(DOCS_URLS)))
    camp = [js({"campaign": c}) for c in EMAIL_CAMPAIGNS]
    k.append(("email_open", "email_open", camp))
    k.append(("email_click", "email_click", camp))
    k.append(("email_unsubscribe", "email_unsubscribe", camp))
    k.append(("email_bounce", "email_bounce", camp))
    for form in (
        "newsletter_signup",
        "gated_content",
        "event_signup",
        "linkedin_lead_gen",
        "referral",
        "contact_us",
    ):
        k.append(("form_" + form, "form_submit", [js({"form": form})]))
    for ctype, assets in ASSETS.items():
        k.append(
            ("dl_" + ctype, "content_download", [js({"content_type": ctype, "asset": a}) for a in assets])
        )
    k.append(("webinar_registration", "webinar_registration", [js({"webinar": w}) for w in WEBINARS]))
    k.append(("webinar_attended", "webinar_attended", [js({"webinar": w}) for w in WEBINARS]))
    k.append(
        (
            "newsletter_subscribe",
            "newsletter_subscribe",
            [js({"list": "weekly_digest"}), js({"list": "product_news"})],
        )
    )
    prod = [js({"product": p}) for p in PRODUCTS]
    k.append(("demo_request", "demo_request", prod))
    k.append(("quote_request", "quote_request", prod))
    k.append(("trial_signup", "trial_signup", prod))
    k.append(("meeting_booked", "meeting_booked", [js({"meeting_type": m}) for m in MEETING_TYPES]))
    k.append(("social_follow", "social_follow", [js({"network": n}) for n in NETWORKS]))
    k.append(
        (
            "social_engagement",
            "social_engagement",
            [js({"network": n, "action": a}) for a in ("like", "comment", "share") for n in NETWORKS],
        )
    )
    k.append(("ad_click", "ad_click", [js({"campaign": c}) for c in AD_CAMPAIGNS]))
    k.append(("add_to_cart", "add_to_cart", [js({"sku": s}) for s in SKUS]))
    k.append(
        (
            "checkout_abandoned",
            "checkout_abandoned",
            [js({"sku": s, "step": st}) for st in ("payment", "billing_details") for s in SKUS],
        )
    )
    k.append(("chat_started", "chat_started", [js({"topic": t}) for t in CHAT_TOPICS]))
    k.append(("sms_sent", "sms_sent", [js({"campaign": c}) for c in SMS_CAMPAIGNS]))
    k.append(("podcast_listen", NONSTANDARD_TYPE, [js({"episode": f"ep-{i:02d}"}) for i in range(1, 13)]))
    return k


KINDS = _kinds()
KIND = {name: i for i, (name, _, _) in enumerate(KINDS)}
EVENT_TYPES = sorted({t for _, t, _ in KINDS}, key=lambda t: (t == NONSTANDARD_TYPE, t))
KIND_TYPE = np.array([EVENT_TYPES.index(t) for _, t, _ in KINDS], dtype=np.int16)
PROPERTIES: list[str] = []
_lo = []
for _, _, props in KINDS:
    _lo.append(len(PROPERTIES))
    PROPERTIES.extend(props)
KIND_PROP_LO = np.array(_lo, dtype=np.int32)
KIND_PROP_N = np.array([len(p) for _, _, p in KINDS], dtype=np.int32)
assert set(STANDARD_EVENT_TYPES) <= set(EVENT_TYPES)
# Generated strings are written into JSON/CSV by vectorised code: keep them escape-free.
assert not any(ch in s for s in PROPERTIES for ch in "\\\n\r")

# Page views carry the seconds spent on the page (`properties.seconds`): typical seconds
# per page kind, before the reader's dwell and the phase's; 0 = the kind carries none.
PAGE_SECONDS = {
    "pv_home": 25,
    "pv_blog": 110,
    "pv_product": 75,
    "pv_customers": 70,
    "pv_compare": 90,
    "pv_pricing": 60,
    "pv_about": 35,
    "pv_careers": 50,
    "pv_docs": 90,
}
KIND_SECONDS = np.array([PAGE_SECONDS.get(name, 0) for name, _, _ in KINDS], dtype=np.float64)
MAX_SECONDS = 3600  # a page view lasts 1 second to an hour
assert all(KINDS[KIND[k]][1] == "page_view" for k in PAGE_SECONDS)
# Each property object without its closing brace, to append `"seconds": N` to.
assert all(p.endswith("}") for p in PROPERTIES)
PROPERTIES_OPEN = [p[:-1] for p in PROPERTIES]

EMAIL_KINDS = np.zeros(len(KINDS), dtype=bool)
EMAIL_KINDS[[KIND["email_open"], KIND["email_click"]]] = True

# Event that creates a contact in the window, by lead source.
CREATION_KIND = np.array(
    [
        KIND[k]
        for k in (
            "form_newsletter_signup",  # organic_search
            "ad_click",  # paid_ad
            "form_linkedin_lead_gen",  # linkedin
            "form_referral",  # referral
            "form_event_signup",  # event
            "webinar_registration",  # webinar
            "email_click",  # email
        )
    ],
    dtype=np.int16,
)
