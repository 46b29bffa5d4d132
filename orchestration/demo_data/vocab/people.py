"""People: contact names and their ASCII slugs, e-mail domains, seniorities and job titles,
lead sources (with their cost per lead), junk kinds, the contacts' custom CRM fields and the
sales team's lead dispositions."""

from __future__ import annotations

import unicodedata

import numpy as np

from orchestration.demo_data.vocab.encoding import js, weights


def slug(text: str) -> str:
    """ASCII, lower case, letters and digits only ("O'Brien" -> "obrien", "Zoë" -> "zoe")."""
    text = text.replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


# The word lists stay several words a line (the formatter would put one word a line).
# fmt: off
FIRST_NAMES = [
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Daniel", "Karen",
    "Matthew", "Nancy", "Anthony", "Lisa", "Mark", "Emily", "Steven", "Michelle", "Andrew", "Laura",
    "Joshua", "Amanda", "Kevin", "Melissa", "Brian", "Rebecca", "Emma", "Olivia", "Noah", "Liam",
    "Sophie", "Lukas", "Hannah", "Felix", "Léa", "Hugo", "Chloé", "François", "Jürgen", "Anna", "Lars",
    "Ingrid", "Søren", "Zoë", "Renée", "José", "María", "Lucía", "Carlos", "João", "Ana", "Priya",
    "Rahul", "Ananya", "Arjun", "Wei", "Mei", "Hiroshi", "Yuki", "Fatima", "Omar", "Olumide", "Ngozi",
    "Aisha", "Mateo", "Sofia", "Ethan", "Ava", "Mia", "Lucas", "Isabella",
]
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill",
    "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins",
    "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "O'Brien", "O'Connor", "Smith-Jones",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Dubois", "Lefèvre", "Moreau",
    "Laurent", "García", "Martínez", "Rodríguez", "López", "Silva", "Santos", "Oliveira", "Costa",
    "Jansen", "de", "Vries", "Bakker", "Nguyen", "Tran", "Kim", "Lee", "Chen", "Wang", "Li", "Zhang",
    "Tanaka", "Suzuki", "Sato", "Patel", "Sharma", "Singh", "Gupta", "Kumar", "Okafor", "Adeyemi",
    "Haddad", "Nowak", "Kowalski", "Johansson", "Andersson", "Nielsen", "Rossi", "Russo",
]
# fmt: on
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


# Dispositions.
DISPOSITIONS = ["accepted", "rejected", "recycled"]
REASONS = ["not_a_fit", "student", "competitor", "no_budget", "bad_contact_data", "not_ready"]
(R_NOT_A_FIT, R_STUDENT, R_COMPETITOR, R_NO_BUDGET, R_BAD_CONTACT, R_NOT_READY) = range(6)
