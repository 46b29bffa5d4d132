"""Vocabularies and behaviour tables for the demo-data generator (orchestration.demo_data.generate).

Everything here is small, static and deterministic: names, titles, URL paths, the event
"kinds" (an event type together with the set of `properties` objects it can carry) and
the mix of kinds per behavioural phase. The generator turns these into pyarrow string
arrays once and then only gathers from them by integer index, so no per-row Python runs.
"""

from __future__ import annotations

import json
import unicodedata

import numpy as np

from orchestration.ingest.contract import STANDARD_EVENT_TYPES


def slug(text: str) -> str:
    """ASCII, lower case, letters and digits only ("O'Brien" -> "obrien", "Zoë" -> "zoe")."""
    text = text.replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def js(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def weights(values) -> np.ndarray:
    w = np.asarray(values, dtype=np.float64)
    return w / w.sum()


# --------------------------------------------------------------------------- people
FIRST_NAMES = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Daniel", "Karen", "Matthew", "Nancy", "Anthony", "Lisa", "Mark", "Emily", "Steven", "Michelle", "Andrew", "Laura", "Joshua", "Amanda", "Kevin", "Melissa", "Brian", "Rebecca", "Emma", "Olivia", "Noah", "Liam", "Sophie", "Lukas", "Hannah", "Felix", "Léa", "Hugo", "Chloé", "François", "Jürgen", "Anna", "Lars", "Ingrid", "Søren", "Zoë", "Renée", "José", "María", "Lucía", "Carlos", "João", "Ana", "Priya", "Rahul", "Ananya", "Arjun", "Wei", "Mei", "Hiroshi", "Yuki", "Fatima", "Omar", "Olumide", "Ngozi", "Aisha", "Mateo", "Sofia", "Ethan", "Ava", "Mia", "Lucas", "Isabella"]
LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "O'Brien", "O'Connor", "Smith-Jones", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Dubois", "Lefèvre", "Moreau", "Laurent", "García", "Martínez", "Rodríguez", "López", "Silva", "Santos", "Oliveira", "Costa", "Jansen", "de", "Vries", "Bakker", "Nguyen", "Tran", "Kim", "Lee", "Chen", "Wang", "Li", "Zhang", "Tanaka", "Suzuki", "Sato", "Patel", "Sharma", "Singh", "Gupta", "Kumar", "Okafor", "Adeyemi", "Haddad", "Nowak", "Kowalski", "Johansson", "Andersson", "Nielsen", "Rossi", "Russo"]
# "de Vries" was split above; join it back.
LAST_NAMES = [n for n in LAST_NAMES if n not in ("de", "Vries")] + ["de Vries"]
FIRST_SLUGS = [slug(n) for n in FIRST_NAMES]
LAST_SLUGS = [slug(n) for n in LAST_NAMES]

PERSONAL_DOMAINS = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com"]
PERSONAL_DOMAIN_W = weights([55, 15, 15, 15])
# Addresses that bounce (bad contact data): typos of the personal domains.
BAD_DOMAINS = ["gmial.com", "yaho.com", "hotmial.com", "outlok.com", "gmail.con"]
UNIVERSITY_DOMAINS = [
    "northfield.edu",
    "lakeshore.edu",
    "riverside.edu",
    "westbrook.edu",
    "stmarks.edu",
    "eastmont.edu",
    "kingsley.edu",
    "pinecrest.edu",
    "harborview.edu",
    "summit-state.edu",
]

SENIORITIES = ["individual", "manager", "director", "vp", "c_level", "student"]
SEN_INDIVIDUAL, SEN_MANAGER, SEN_DIRECTOR, SEN_VP, SEN_C_LEVEL, SEN_STUDENT = range(6)
SENIORITY_W = weights([46, 27, 14, 8, 5])  # non-students, individual..c_level
SENIORITY_FIT = np.array([0.30, 0.55, 0.75, 0.90, 1.00, 0.0])
TITLES_BY_SENIORITY = [
    [
        "Marketing Specialist",
        "Data Analyst",
        "Software Engineer",
        "Sales Development Representative",
        "Content Marketer",
        "Business Analyst",
        "Account Executive",
        "Operations Associate",
    ],
    [
        "Marketing Manager",
        "Demand Generation Manager",
        "Sales Manager",
        "IT Manager",
        "Product Manager",
        "Marketing Operations Manager",
        "Analytics Manager",
    ],
    [
        "Director of Marketing",
        "Director of Sales",
        "Director of Demand Generation",
        "IT Director",
        "Director of Revenue Operations",
        "Head of Marketing, EMEA",
    ],
    ["VP Marketing", "VP Sales", "VP Engineering", "VP Revenue Operations", "VP Growth", "VP Operations"],
    ["CEO", "CMO", "CTO", "CRO", "COO", "CFO", "Founder & CEO"],
    ["Student", "Graduate Student", "MBA Candidate", "Marketing Intern", "PhD Candidate"],
]
TITLES = [t for group in TITLES_BY_SENIORITY for t in group]
TITLE_OFFSET = np.cumsum([0] + [len(g) for g in TITLES_BY_SENIORITY])[:-1]
TITLE_COUNT = np.array([len(g) for g in TITLES_BY_SENIORITY])

LEAD_SOURCES = ["organic_search", "paid_ad", "linkedin", "referral", "event", "webinar", "email"]
(SRC_ORGANIC, SRC_PAID, SRC_LINKEDIN, SRC_REFERRAL, SRC_EVENT, SRC_WEBINAR, SRC_EMAIL) = range(7)
LEAD_SOURCE_W = weights([26, 18, 14, 9, 8, 11, 14])
LEAD_SOURCE_JUNK_W = weights([35, 30, 10, 2, 5, 10, 8])
LEAD_SOURCE_INTENT = np.array([0.90, 0.85, 1.00, 1.40, 1.20, 1.15, 0.95])
# Cost per lead by channel (organic: content production; referral: free).
CHANNEL_CPL = np.array([20.0, 140.0, 210.0, 0.0, 380.0, 95.0, 18.0])

# Junk kinds.
JUNK_NONE, JUNK_STUDENT, JUNK_COMPETITOR, JUNK_TIRE, JUNK_BOUNCE = range(5)
JUNK_W = weights([88.0, 3.5, 1.5, 5.0, 2.0])

# Custom CRM fields on contacts.
BUDGETS = ["<10k", "10k-50k", "50k-250k", ">250k"]
BUDGET_FIT = np.array([0.15, 0.45, 0.80, 1.00])
TIMELINES = ["this_quarter", "next_quarter", "this_year", "unknown"]
PRODUCTS = ["analytics", "automation", "platform"]


def contact_attr_index(budget, timeline, product, optin):
    """Combination index; each argument is an int array with -1 = key missing."""
    return (((budget + 1) * 5 + (timeline + 1)) * 4 + (product + 1)) * 3 + (optin + 1)


def contact_attr_json() -> list[str]:
    out = []
    for b in range(-1, 4):
        for t in range(-1, 4):
            for p in range(-1, 3):
                for o in range(-1, 2):
                    d = {}
                    if b >= 0:
                        d["budget"] = BUDGETS[b]
                    if t >= 0:
                        d["timeline"] = TIMELINES[t]
                    if p >= 0:
                        d["product_interest"] = PRODUCTS[p]
                    if o >= 0:
                        d["newsletter_opt_in"] = bool(o)
                    out.append(js(d))
    return out


# ------------------------------------------------------------------------- companies
INDUSTRIES = [
    "software",
    "financial_services",
    "healthcare",
    "manufacturing",
    "retail",
    "education",
    "government",
    "media",
    "logistics",
    "telecom",
    "energy",
    "nonprofit",
]
INDUSTRY_W = weights([22, 12, 11, 12, 10, 7, 5, 6, 5, 4, 3, 3])
INDUSTRY_FIT = np.array([0.95, 0.85, 0.70, 0.55, 0.50, 0.30, 0.30, 0.65, 0.60, 0.75, 0.50, 0.20])
# Revenue per employee (USD), by industry.
INDUSTRY_REV_PER_EMP = np.array(
    [220e3, 300e3, 160e3, 190e3, 150e3, 90e3, 110e3, 170e3, 180e3, 260e3, 400e3, 70e3]
)

COUNTRIES = ["US", "GB", "DE", "FR", "CA", "AU", "NL", "IN", "BR", "ES", "SE", "JP", "SG", "MX"]
COUNTRY_W = weights([40, 10, 8, 6, 6, 5, 4, 6, 4, 3, 2, 3, 2, 1])
COUNTRY_TLD = [
    ".com",
    ".co.uk",
    ".de",
    ".fr",
    ".ca",
    ".com.au",
    ".nl",
    ".in",
    ".com.br",
    ".es",
    ".se",
    ".co.jp",
    ".sg",
    ".com.mx",
]
COUNTRY_PHONE = [
    "+1 ",
    "+44 ",
    "+49 ",
    "+33 ",
    "+1 ",
    "+61 ",
    "+31 ",
    "+91 ",
    "+55 ",
    "+34 ",
    "+46 ",
    "+81 ",
    "+65 ",
    "+52 ",
]

TIERS = ["smb", "mid_market", "enterprise"]
TECH_STACKS = ["salesforce", "hubspot", "marketo", "pardot", "dynamics", "none"]


def company_attr_index(tier, stack, is_customer):
    """tier 0..2, stack -1..5 (-1 = key missing), is_customer 0/1."""
    return (tier * 7 + (stack + 1)) * 2 + is_customer


def company_attr_json() -> list[str]:
    out = []
    for t in range(3):
        for s in range(-1, 6):
            for c in range(2):
                d = {"tier": TIERS[t]}
                if s >= 0:
                    d["tech_stack"] = TECH_STACKS[s]
                d["is_customer"] = bool(c)
                out.append(js(d))
    return out


NAME_A = ["Acme", "Blue", "Bright", "Cedar", "Clear", "Core", "Crest", "Delta", "Eagle", "Echo", "Ever", "First", "Fox", "Golden", "Granite", "Green", "Harbor", "High", "Iron", "Jade", "Key", "Lake", "Lumen", "Maple", "Meridian", "Metro", "Nimbus", "North", "Nova", "Oak", "Omni", "Orbit", "Peak", "Pine", "Pioneer", "Prime", "Quantum", "Quarry", "Rapid", "Red", "River", "Rock", "Sage", "Silver", "Sky", "Solar", "Spark", "Star", "Stone", "Summit", "Swift", "Terra", "True", "Union", "Vector", "Vista", "West", "White", "Wild", "Zen", "Alpine", "Amber", "Apex", "Arrow", "Atlas", "Beacon", "Birch", "Bold", "Cobalt", "Coral"]
NAME_B = ["bridge", "field", "gate", "hill", "line", "point", "port", "ridge", "stream", "view", "wave", "works", "path", "light", "land", "wood", "mark", "well", "forge", "shore", "stone", "brook", "dale", "haven", "mont", "side", "vale", "wick", "ford", "by", "bay", "cliff", "crest", "fall", "grove", "hurst", "leaf", "mere", "moor", "post", "run", "sight"]
NAME_C = ["Systems", "Labs", "Group", "Partners", "Technologies", "Solutions", "Works", "Industries", "Networks", "Holdings", "Global", "Digital", "Dynamics", "Ventures", "Analytics", "Health", "Capital", "Logistics", "Media", "Software", "Retail", "Energy", "Foods", "Motors", "Insurance", "Learning", "Studios", "Consulting", "Manufacturing", "Bank", "Pharma", "Telecom"]
COMPETITORS = [
    ("RivalCorp", "rivalcorp.com"),
    ("LeadLynx", "leadlynx.io"),
    ("ScoreStack", "scorestack.com"),
    ("FunnelForge", "funnelforge.io"),
    ("PipeProphet", "pipeprophet.com"),
]

# ---------------------------------------------------------------------------- events
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
    "/features",
    "/integrations/salesforce",
    "/integrations/hubspot",
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
HOME_URLS = ["/", "/resources", "/docs/getting-started", "/events"]
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
    url = lambda xs: [js({"url": x}) for x in xs]  # noqa: E731
    k.append(("pv_home", "page_view", url(HOME_URLS)))
    k.append(("pv_blog", "page_view", url(["/blog/" + b for b in BLOG])))
    k.append(("pv_product", "page_view", url(PRODUCT_URLS)))
    k.append(("pv_customers", "page_view", url(CUSTOMER_URLS)))
    k.append(("pv_compare", "page_view", url(COMPARE_URLS)))
    k.append(("pv_pricing", "page_view", url(PRICING_URLS)))
    k.append(("pv_about", "page_view", url(ABOUT_URLS)))
    k.append(("pv_careers", "page_view", url(CAREERS_URLS)))
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

# Phases: what drives an event.
(PH_BROWSE, PH_STUDENT, PH_COMPETITOR, PH_TIRE, PH_DISCOVERY, PH_EVALUATION, PH_DECISION, PH_COLD) = range(8)
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
        "pv_product": 5,
        "pv_customers": 1.5,
        "podcast_listen": 0.6,
        "newsletter_subscribe": 0.6,
        "webinar_registration": 1,
        "dl_ebook": 1,
        "dl_guide": 1,
        "sms_sent": 0.5,
        "pv_careers": 0.8,
        "chat_started": 0.4,
        "pv_about": 0.5,
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
        "trial_signup": 3,
        "add_to_cart": 3,
        "checkout_abandoned": 3,
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
        "pv_compare": 5,
        "pv_blog": 10,
        "dl_white_paper": 5,
        "dl_guide": 4,
        "dl_ebook": 2,
        "dl_case_study": 3,
        "webinar_registration": 5,
        "webinar_attended": 4,
        "email_open": 10,
        "email_click": 8,
        "chat_started": 2,
        "social_engagement": 3,
        "form_gated_content": 3,
        "pv_pricing": 4,
        "ad_click": 3,
        "sms_sent": 1,
    },
    # decision
    {
        "pv_pricing": 22,
        "pv_product": 10,
        "pv_customers": 6,
        "pv_about": 4,
        "demo_request": 1.5,
        "quote_request": 0.8,
        "trial_signup": 1.2,
        "meeting_booked": 1,
        "form_contact_us": 2,
        "chat_started": 3,
        "add_to_cart": 1.5,
        "checkout_abandoned": 0.8,
        "email_open": 8,
        "email_click": 8,
        "dl_case_study": 3,
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
]


def phase_tables() -> np.ndarray:
    """Cumulative probability per phase over kinds, shape (n_phases, n_kinds)."""
    tab = np.zeros((len(PHASE_MIX), len(KINDS)))
    for p, mix in enumerate(PHASE_MIX):
        for name, w in mix.items():
            tab[p, KIND[name]] = w
    tab /= tab.sum(axis=1, keepdims=True)
    return np.cumsum(tab, axis=1)


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

# Dispositions.
DISPOSITIONS = ["accepted", "rejected", "recycled"]
REASONS = ["not_a_fit", "student", "competitor", "no_budget", "bad_contact_data", "not_ready"]
(R_NOT_A_FIT, R_STUDENT, R_COMPETITOR, R_NO_BUDGET, R_BAD_CONTACT, R_NOT_READY) = range(6)

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
