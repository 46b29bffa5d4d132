"""The Great Expectations suites of the checks, as data.

An expectation is the name of its class in `gx.expectations` and its arguments, so the
suites are defined without importing Great Expectations (which takes seconds, see
gx_loader); `validation.run_suite` builds them when a check runs. Suites with a
threshold from the environment are functions of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orchestration.ingest import contract as C


@dataclass(frozen=True)
class Expectation:
    """`gx.expectations.<type>(**kwargs)`, built when a check runs."""

    type: str
    kwargs: Mapping[str, Any]

    def build(self, gx):
        return getattr(gx.expectations, self.type)(**self.kwargs)


@dataclass(frozen=True)
class Suite:
    name: str
    expectations: tuple[Expectation, ...]


def _suite(name: str, *expectations: tuple[str, dict[str, Any]]) -> Suite:
    return Suite(name, tuple(Expectation(kind, kwargs) for kind, kwargs in expectations))


# --------------------------------------------------------------------------- raw inputs

EVENT_KEYS = _suite(
    "raw_events_keys",
    *(
        ("ExpectColumnValuesToNotBeNull", {"column": c})
        for c in ("event_id", "contact_id", "event_type", "occurred_at")
    ),
    ("ExpectColumnValuesToBeUnique", {"column": "event_id"}),
)


def event_types_known(limit: float) -> Suite:
    """At most a share `limit` of event types outside the contract's standard types."""
    return _suite(
        "raw_events_unknown_types",
        (
            "ExpectColumnValuesToBeInSet",
            {"column": "event_type", "value_set": list(C.STANDARD_EVENT_TYPES), "mostly": 1.0 - limit},
        ),
    )


def daily_volume(low: float, high: float) -> Suite:
    """Each day's ratio of events to the mean of the 7 days before lies within low..high."""
    return _suite(
        "raw_events_daily_volume",
        ("ExpectColumnValuesToBeBetween", {"column": "ratio", "min_value": low, "max_value": high}),
    )


# --------------------------------------------------------------------------- scored marts

LEAD_SCORES_KEYS = _suite(
    "lead_scores_keys",
    ("ExpectColumnValuesToNotBeNull", {"column": "contact_id"}),
    ("ExpectColumnValuesToNotBeNull", {"column": "model_id"}),
    ("ExpectCompoundColumnsToBeUnique", {"column_list": ["contact_id", "model_id"]}),
)

LEAD_SCORES_BOUNDS = _suite(
    "lead_scores_bounds",
    ("ExpectColumnValuesToNotBeNull", {"column": "min_score"}),
    (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": "total_score", "column_B": "min_score", "or_equal": True},
    ),
    (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": "max_score", "column_B": "total_score", "or_equal": True},
    ),
)

LEAD_SCORES_BANDS = _suite(
    "lead_scores_bands",
    ("ExpectColumnPairValuesToBeEqual", {"column_A": "band", "column_B": "expected_band"}),
    ("ExpectColumnPairValuesToBeEqual", {"column_A": "is_mql", "column_B": "expected_is_mql"}),
)
