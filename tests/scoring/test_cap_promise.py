"""The caps' promise (README, docs/rules.md "The shipped core model"): routine reading
alone (blog posts, email opens, ad clicks) cannot make an MQL, at any timing, under the
shipped rules.

Worked out from the shipped seeds, each rule with its own decay or its model's. Under a
trailing cap window (int_event_rule_matches) no span of cap_window_days days holds more
than max_occurrences counted events (max_points points). Decay never grows with age, so
the most an event pattern can be worth on a day is the cap's worth at ages 0,
cap_window_days, 2 * cap_window_days, ... until the decay window ends: the k-th newest
counted event is at least (k - 1) // max_occurrences windows old. The same sum under the
caps counted in fixed periods (before issue 18: a full period's worth on a period's
first day, another on the last day of the period before) and with no caps (one event
per rule a day) reaches the threshold, so the test can fail.

Routine reading also feeds the aggregate rules that measure page views or any activity
(core v2's frequent_visitor and returning_visitor): each such rule adds the most its
bins give, whatever the timing (an upper bound: the sum of the maxima)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from support import query, run_cli

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# the routine reading the promise is about (docs/rules.md, "The shipped core model"): the
# event rules, and the events they match (a blog post is a page view under /blog/)
ROUTINE_READING = ("blog_post", "email_open", "ad_click")
ROUTINE_EVENTS = {"page_view": "/blog/", "email_open": None, "ad_click": None}


def _read(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="") as f:
        return list(csv.DictReader(f))


def _number(value: str) -> float | None:
    return float(value) if value.strip() else None


def _resolved(rule: dict[str, str], model: dict[str, str]) -> dict[str, float | str | None]:
    """A rule with the decay and cap window it really uses (int_engagement_rules_resolved)."""
    decay = {
        column: (rule[column] or model[column])
        for column in (
            "decay_method",
            "decay_full_days",
            "decay_half_life_days",
            "decay_percent",
            "decay_period_days",
            "decay_window_days",
        )
    }
    return {
        "points": abs(float(rule["points"])),
        "max_occurrences": _number(rule["max_occurrences"]),
        "max_points": _number(rule["max_points"]),
        "cap_window_days": int(rule["cap_window_days"] or decay["decay_window_days"]),
        "method": decay["decay_method"],
        "full_days": _number(decay["decay_full_days"]),
        "half_life_days": _number(decay["decay_half_life_days"]),
        "percent": _number(decay["decay_percent"]),
        "period_days": _number(decay["decay_period_days"]),
        "window_days": int(decay["decay_window_days"]),
    }


def _decay_factor(rule: dict, age: int) -> float:
    """The share of an event's points that counts at `age` days (macro decay_factor)."""
    if age < 0 or age >= rule["window_days"]:
        return 0.0
    if age < rule["full_days"]:
        return 1.0
    steps = math.floor((age - rule["full_days"]) / rule["period_days"]) + 1
    if rule["method"] == "percent":
        return (1 - rule["percent"] / 100) ** steps
    if rule["method"] == "half_life":
        return 0.5 ** (steps * rule["period_days"] / rule["half_life_days"])
    return 1.0


def _worth_per_window(rule: dict) -> float:
    """The most points one cap window can count for a rule (infinite without a cap)."""
    caps = [math.inf]
    if rule["max_occurrences"] is not None:
        caps.append(rule["max_occurrences"] * rule["points"])
    if rule["max_points"] is not None:
        caps.append(rule["max_points"])
    return min(caps)


def _trailing_ages(window: int, horizon: int) -> list[int]:
    """Ages of the windows' worth under a trailing window: 0, W, 2W, ..."""
    return list(range(0, horizon, window))


def _fixed_period_ages(window: int, horizon: int) -> list[int]:
    """The same under fixed periods: a period's first day (age 0), then the last day of
    each period before it (ages 1, 1 + W, 1 + 2W, ...)."""
    return [0, *range(1, horizon, window)]


def _most_engagement(rules: list[dict], ages_of: Callable[[int, int], list[int]]) -> float:
    total = 0.0
    for rule in rules:
        worth = _worth_per_window(rule)
        if math.isinf(worth):
            return math.inf
        # each event is rounded to cents once (macro decayed_points): with
        # max_occurrences, a window's worth is that many events of the rule's points
        if rule["max_occurrences"] is not None and worth == rule["max_occurrences"] * rule["points"]:
            count, points = int(rule["max_occurrences"]), rule["points"]
        else:
            count, points = 1, worth
        total += sum(
            count * round(points * _decay_factor(rule, age), 2)
            for age in ages_of(rule["cap_window_days"], rule["window_days"])
        )
    return total


def _uncapped_daily(rules: list[dict]) -> float:
    """One event of each rule every day, with the caps removed."""
    return sum(
        round(rule["points"] * _decay_factor(rule, age), 2)
        for rule in rules
        for age in range(rule["window_days"])
    )


def _routine_reading_can_match(rule: dict[str, str]) -> bool:
    """Whether routine reading can feed an aggregate rule: it counts any event, or a
    routine event type whose property filter a blog post (or any open or click) may
    pass. Only filters on a page's url that cannot hold a blog url are ruled out."""
    if not rule["event_type"]:
        return True
    if rule["event_type"] not in ROUTINE_EVENTS:
        return False
    blog = ROUTINE_EVENTS[rule["event_type"]]
    if not rule["property"] or blog is None or rule["property"] != "url":
        return True
    if rule["operator"] == "starts_with":
        return rule["value"].startswith(blog) or blog.startswith(rule["value"])
    if rule["operator"] == "equals":
        return rule["value"].startswith(blog)
    return True


def _aggregate_most(model: dict[str, str]) -> float:
    """The most the aggregate engagement rules routine reading feeds can add: each
    rule's best bin."""
    best: dict[str, float] = {}
    for rule in _read("aggregate_rules.csv"):
        if (rule["model_id"], rule["model_version"]) != (model["model_id"], model["model_version"]):
            continue
        if rule["component"] == "engagement" and _routine_reading_can_match(rule):
            best[rule["rule_id"]] = max(best.get(rule["rule_id"], 0.0), float(rule["points"]))
    return sum(best.values())


def _versions() -> list[tuple[dict[str, str], list[dict]]]:
    models = {(m["model_id"], m["model_version"]): m for m in _read("scoring_models.csv")}
    rules: dict[tuple[str, str], list[dict]] = {key: [] for key in models}
    for rule in _read("engagement_rules.csv"):
        if rule["rule_id"] in ROUTINE_READING:
            key = (rule["model_id"], rule["model_version"])
            rules[key].append(_resolved(rule, models[key]))
    return [(models[key], rules[key]) for key in models]


VERSIONS = _versions()


@pytest.mark.parametrize(
    ("model", "rules"), VERSIONS, ids=[f"{m['model_id']}-v{m['model_version']}" for m, _ in VERSIONS]
)
def test_routine_reading_alone_cannot_reach_the_mql_threshold(model, rules):
    threshold = float(model["mql_threshold"])
    # every shipped version scores all three kinds of routine reading
    assert sorted(r for r in ROUTINE_READING) == sorted(
        row["rule_id"]
        for row in _read("engagement_rules.csv")
        if (row["model_id"], row["model_version"]) == (model["model_id"], model["model_version"])
        and row["rule_id"] in ROUTINE_READING
    )

    aggregate = _aggregate_most(model)
    most = _most_engagement(rules, _trailing_ages) + aggregate
    assert most < threshold, (
        f"{model['model_id']} v{model['model_version']}: routine reading can reach {most:.2f} "
        f"engagement points under the trailing caps, the MQL threshold is {threshold:g}"
    )

    # the same computation is not trivially below: fixed periods and no caps reach it
    assert _most_engagement(rules, _fixed_period_ages) + aggregate >= threshold
    assert _uncapped_daily(rules) + aggregate >= threshold


def test_the_worst_case_of_core_v1_worked_out():
    """core v1: 3 blog posts, an email open and an ad click are 25 points a 30-day window;
    full for 30 days, -50 % per 30 days, zero at 90: 25 + 12.5 + 6.25 = 43.75 < 50.
    Fixed periods: 25 + 25 (one day apart) + 12.5 + 6.25 = 68.75."""
    model, rules = next((m, r) for m, r in VERSIONS if (m["model_id"], m["model_version"]) == ("core", "1"))
    assert _most_engagement(rules, _trailing_ages) == pytest.approx(43.75)
    assert _most_engagement(rules, _fixed_period_ages) == pytest.approx(68.75)
    assert float(model["mql_threshold"]) == 50
    assert _aggregate_most(model) == 0


def test_aggregate_rules_fed_by_routine_reading():
    """core v2's page-view count and active days take routine reading; its pricing rule
    (urls starting /pricing) does not, and would if it matched urls containing /pricing
    (a blog post on pricing)."""
    core_v2 = next(m for m, _ in VERSIONS if (m["model_id"], m["model_version"]) == ("core", "2"))
    assert _aggregate_most(core_v2) == 15
    rule = {"event_type": "page_view", "property": "url", "value": "/pricing"}
    assert not _routine_reading_can_match({**rule, "operator": "starts_with"})
    assert _routine_reading_can_match({**rule, "operator": "contains"})


# --- the same promise on a real build: dense routine reading, scored day by day ---------

READING_START = dt.date(2026, 1, 1)
READING_DAYS = 100


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _routine_reading(contact_id: str, day: dt.date) -> list[dict]:
    """Three blog posts, an email open and an ad click on one day."""
    kinds = [
        ("page_view", {"url": "/blog/what-is-lead-scoring"}),
        ("page_view", {"url": "/blog/mql-vs-sql"}),
        ("page_view", {"url": "/blog/decay"}),
        ("email_open", {}),
        ("ad_click", {}),
    ]
    return [
        {
            "event_id": f"{contact_id}-{day.isoformat()}-{n}",
            "contact_id": contact_id,
            "event_type": event_type,
            "properties": properties,
            "occurred_at": f"{day.isoformat()}T{9 + n:02d}:00:00Z",
        }
        for n, (event_type, properties) in enumerate(kinds)
    ]


def test_dense_routine_reading_never_makes_an_mql_in_a_real_build(home):
    """Two leads without fit: `daily` reads routinely every day for 100 days, `boundary`
    on 2026-03-07 and 03-08, the last day of a fixed 30-day period counted from 1970-01-01
    and the first of the next (the issue's example, which fixed periods made an MQL).
    The score history of core v1 never reaches 50: it peaks at the worked-out 43.75 (the
    cap's worth at ages 0, 30 and 60) for `daily`, at 25 for `boundary`; core v2 stays
    under 50 as well, its page-view and active-day rules included."""
    last = READING_START + dt.timedelta(days=READING_DAYS - 1)
    created = f"{READING_START.isoformat()}T00:00:00Z"
    _write_jsonl(
        home / "landing" / "contacts" / "contacts.jsonl",
        [{"contact_id": c, "created_at": created, "updated_at": created} for c in ("daily", "boundary")],
    )
    events = [
        event
        for offset in range(READING_DAYS)
        for event in _routine_reading("daily", READING_START + dt.timedelta(days=offset))
    ]
    events += _routine_reading("boundary", dt.date(2026, 3, 7)) + _routine_reading(
        "boundary", dt.date(2026, 3, 8)
    )
    _write_jsonl(home / "landing" / "events" / "events.jsonl", events)
    run_cli("ingest")
    run_cli("build", "--date", last.isoformat())

    peaks = {
        (contact, model, version): (float(engagement), float(total), mql)
        for contact, model, version, engagement, total, mql in query(
            home / "warehouse.duckdb",
            "select contact_id, model_id, model_version, max(engagement_score), max(total_score), "
            "bool_or(is_mql) from marts.lead_score_history where model_id = 'core' group by all",
        )
    }
    core_v1 = next(r for m, r in VERSIONS if (m["model_id"], m["model_version"]) == ("core", "1"))
    assert peaks[("daily", "core", 1)] == (_most_engagement(core_v1, _trailing_ages), 43.75, False)
    assert peaks[("boundary", "core", 1)] == (25.0, 25.0, False)
    for contact in ("daily", "boundary"):
        engagement, _, mql = peaks[(contact, "core", 2)]
        assert engagement < 50 and not mql
    assert not query(home / "warehouse.duckdb", "select * from marts.mql_events where model_id = 'core'")
