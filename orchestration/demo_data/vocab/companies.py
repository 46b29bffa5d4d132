"""Companies: industries (weights, fit, revenue per employee), countries (weights, web
domain endings, phone prefixes), tiers and tech stacks (the `attributes` JSON), the parts
company names are made of, and the competitors."""

from __future__ import annotations

import numpy as np

from orchestration.demo_data.vocab.encoding import js, weights

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


# The word lists stay several words a line (the formatter would put one word a line).
# fmt: off
NAME_A = [
    "Acme", "Blue", "Bright", "Cedar", "Clear", "Core", "Crest", "Delta", "Eagle", "Echo", "Ever",
    "First", "Fox", "Golden", "Granite", "Green", "Harbor", "High", "Iron", "Jade", "Key", "Lake",
    "Lumen", "Maple", "Meridian", "Metro", "Nimbus", "North", "Nova", "Oak", "Omni", "Orbit", "Peak",
    "Pine", "Pioneer", "Prime", "Quantum", "Quarry", "Rapid", "Red", "River", "Rock", "Sage", "Silver",
    "Sky", "Solar", "Spark", "Star", "Stone", "Summit", "Swift", "Terra", "True", "Union", "Vector",
    "Vista", "West", "White", "Wild", "Zen", "Alpine", "Amber", "Apex", "Arrow", "Atlas", "Beacon",
    "Birch", "Bold", "Cobalt", "Coral",
]
NAME_B = [
    "bridge", "field", "gate", "hill", "line", "point", "port", "ridge", "stream", "view", "wave",
    "works", "path", "light", "land", "wood", "mark", "well", "forge", "shore", "stone", "brook", "dale",
    "haven", "mont", "side", "vale", "wick", "ford", "by", "bay", "cliff", "crest", "fall", "grove",
    "hurst", "leaf", "mere", "moor", "post", "run", "sight",
]
NAME_C = [
    "Systems", "Labs", "Group", "Partners", "Technologies", "Solutions", "Works", "Industries",
    "Networks", "Holdings", "Global", "Digital", "Dynamics", "Ventures", "Analytics", "Health", "Capital",
    "Logistics", "Media", "Software", "Retail", "Energy", "Foods", "Motors", "Insurance", "Learning",
    "Studios", "Consulting", "Manufacturing", "Bank", "Pharma", "Telecom",
]
# fmt: on
COMPETITORS = [
    ("RivalCorp", "rivalcorp.com"),
    ("LeadLynx", "leadlynx.io"),
    ("ScoreStack", "scorestack.com"),
    ("FunnelForge", "funnelforge.io"),
    ("PipeProphet", "pipeprophet.com"),
]
