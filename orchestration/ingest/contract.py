"""The landing contract (docs/landing-contract.md) as data.

One place states, per entity, the columns, which are required, their types and the
natural key used to tell an exact duplicate delivery from a conflicting one. The
generator writes to it and the loader validates against it, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds the loader knows how to validate and type.
TEXT = "text"
INTEGER = "integer"  # integer >= 0
DECIMAL = "decimal"  # decimal >= 0
TIMESTAMP = "timestamp"  # ISO-8601, no offset = UTC; stored as naive UTC
DATE = "date"
BOOLEAN = "boolean"
JSON_OBJECT = "json_object"

FORMATS = (".csv", ".jsonl", ".parquet")

# An occurred_at (or other event time) later than load time plus this is "far future".
FUTURE_TOLERANCE_HOURS = 24
# A JSON object column longer than this many characters is quarantined as oversized.
MAX_JSON_CHARS = 65_536
# A text value longer than this is quarantined (protects BI tools and memory).
MAX_TEXT_CHARS = 10_000
# A key of an attributes/properties object longer than this is quarantined (json_bad_key,
# as are an empty key and one with a control character): a key names a field that a rule
# tests, it is not data (a free-text answer used as a key may hold PII).
MAX_JSON_KEY_CHARS = 256
# A timestamp or date before this year is quarantined (bad_timestamp, bad_date): no lead
# activity is that old, so it is a placeholder or a typo (year 0000, 0024 for 2024).
MIN_YEAR = 1900
# UTC offsets accepted, in minutes: the range of the offsets in use, UTC-12:00 to UTC+14:00.
# Anything else (+25:00, +24:00, -13:60, +14:30) is not a real offset: bad_timestamp.
MIN_UTC_OFFSET_MINUTES = -12 * 60
MAX_UTC_OFFSET_MINUTES = 14 * 60


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    pii: bool = False


@dataclass(frozen=True)
class Entity:
    name: str
    columns: tuple[Column, ...]
    # Natural key: a second row with the same key and identical content is an exact
    # duplicate (skipped, counted); with different content it is a conflict (quarantined).
    key: tuple[str, ...]
    # Timestamp columns that must not lie in the far future.
    no_future: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "companies",
            (
                Column("company_id", TEXT, required=True),
                Column("name", TEXT),
                Column("domain", TEXT),
                Column("industry", TEXT),
                Column("employee_count", INTEGER),
                Column("annual_revenue", DECIMAL),
                Column("country", TEXT),
                Column("attributes", JSON_OBJECT),
                Column("updated_at", TIMESTAMP, required=True),
            ),
            key=("company_id", "updated_at"),
            no_future=("updated_at",),
        ),
        Entity(
            "contacts",
            (
                Column("contact_id", TEXT, required=True),
                Column("email", TEXT, pii=True),
                Column("first_name", TEXT, pii=True),
                Column("last_name", TEXT, pii=True),
                Column("phone", TEXT, pii=True),
                Column("job_title", TEXT),
                Column("seniority", TEXT),
                Column("company_id", TEXT),
                Column("country", TEXT),
                Column("lead_source", TEXT),
                Column("attributes", JSON_OBJECT),
                Column("created_at", TIMESTAMP, required=True),
                Column("updated_at", TIMESTAMP, required=True),
            ),
            key=("contact_id", "updated_at"),
            no_future=("created_at", "updated_at"),
        ),
        Entity(
            "events",
            (
                Column("event_id", TEXT, required=True),
                Column("contact_id", TEXT, required=True),
                Column("event_type", TEXT, required=True),
                Column("occurred_at", TIMESTAMP, required=True),
                Column("properties", JSON_OBJECT),
            ),
            key=("event_id",),
            no_future=("occurred_at",),
        ),
        Entity(
            "opportunities",
            (
                Column("opportunity_id", TEXT, required=True),
                Column("contact_id", TEXT, required=True),
                Column("company_id", TEXT),
                Column("created_at", TIMESTAMP, required=True),
                Column("stage", TEXT, required=True),
                Column("amount", DECIMAL),
                Column("is_won", BOOLEAN),
                Column("closed_at", TIMESTAMP),
                Column("updated_at", TIMESTAMP, required=True),
            ),
            key=("opportunity_id", "updated_at"),
            no_future=("created_at", "updated_at"),
        ),
        Entity(
            "lead_dispositions",
            (
                Column("contact_id", TEXT, required=True),
                Column("disposition", TEXT, required=True),
                Column("reason", TEXT),
                Column("decided_at", TIMESTAMP, required=True),
            ),
            key=("contact_id", "decided_at"),
            no_future=("decided_at",),
        ),
        Entity(
            "marketing_spend",
            (
                Column("spend_date", DATE, required=True),
                Column("channel", TEXT, required=True),
                Column("amount", DECIMAL, required=True),
            ),
            key=("spend_date", "channel"),
            no_future=("spend_date",),
        ),
    )
}

STANDARD_EVENT_TYPES = (
    "page_view",
    "email_open",
    "email_click",
    "email_unsubscribe",
    "email_bounce",
    "form_submit",
    "content_download",
    "webinar_registration",
    "webinar_attended",
    "newsletter_subscribe",
    "demo_request",
    "quote_request",
    "trial_signup",
    "meeting_booked",
    "social_follow",
    "social_engagement",
    "ad_click",
    "add_to_cart",
    "checkout_abandoned",
    "chat_started",
    "sms_sent",
)

DISPOSITIONS = ("accepted", "rejected", "recycled")
