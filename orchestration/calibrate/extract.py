"""Each lead's raw features as of its as-of day, read from the warehouse in set-based SQL:
its profile's field values, and what its events measure for each candidate event source.

The semantics are those of the scoring models, so that the points calibrate computes are
the points a build gives the same leads on the same days:
- fields: the profile version valid on the as-of day (int_contact_profiles_versioned),
  its values as int_contact_fields_unpivoted holds them (value_number is a 32-bit float);
- events: as int_aggregate_rule_points measures them. count, sum and active_days over the
  trailing window (the as-of day and the window_days - 1 days before it); days_since from
  the last matching event on or before the as-of day; a sum adds the property read as a
  number (32-bit float, then decimal(18,4); missing or not a number adds 0); a property
  filter compares as field_matches does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# field_matches (macros/rules/field_matches.sql) for one event property; `v` is the
# property's text, `?` the rule's value. Null compares false.
_MATCH = {
    "is_missing": "{v} is null",
    "is_present": "{v} is not null",
    "equals": "lower({v}) = lower(?)",
    "not_equals": "lower({v}) <> lower(?)",
    "in": "position('|' || lower({v}) || '|' in '|' || lower(?) || '|') > 0",
    "not_in": "position('|' || lower({v}) || '|' in '|' || lower(?) || '|') = 0",
    "contains": "position(lower(?) in lower({v})) > 0",
    "starts_with": "position(lower(?) in lower({v})) = 1",
    "pattern": "regexp_matches({v}, ?)",
    "at_least": "try_cast({v} as float) >= try_cast(? as float)",
    "at_most": "try_cast({v} as float) <= try_cast(? as float)",
}


def json_pointer(key: str) -> str:
    """The JSON Pointer json_extract_text builds for a top-level key."""
    return "/" + key.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Source:
    """What an aggregate rule measures: its measure and which events it matches."""

    measure: str  # count | sum | active_days | days_since
    event_type: str | None = None  # None: every event type
    property: str | None = None
    operator: str | None = None
    value: str | None = None
    sum_property: str | None = None


def _match(source: Source) -> tuple[str, list]:
    """SQL over the columns event_type and properties of calibrate_events, and its parameters."""
    parts, params = [], []
    if source.event_type is not None:
        parts.append("event_type = ?")
        params.append(source.event_type)
    if source.property is not None:
        template = _MATCH[source.operator or ""]
        parts.append("coalesce(" + template.format(v="json_extract_string(properties, ?)") + ", false)")
        params.extend(_params_in_order(template, json_pointer(source.property), source.value))
    return (" and ".join(parts) or "true"), params


def _params_in_order(template: str, pointer: str, value: str | None) -> list:
    """The parameters of a _MATCH template once {v} is the pointer lookup, in order."""
    out = []
    i = 0
    while i < len(template):
        if template.startswith("{v}", i):
            out.append(pointer)
            i += 3
        elif template[i] == "?":
            out.append(value)
            i += 1
        else:
            i += 1
    return out


def usable(operator: str | None) -> bool:
    return operator in _MATCH


def load_leads(con, frame: pd.DataFrame) -> None:
    """The final leads as temp table calibrate_leads(lead_idx = frame index, contact_id, as_of)."""
    table = pd.DataFrame(
        {"lead_idx": np.arange(len(frame)), "contact_id": frame["contact_id"], "as_of": frame["as_of"]}
    )
    con.register("calibrate_leads_in", table)
    con.execute("create or replace temp table calibrate_leads as select * from calibrate_leads_in")
    con.unregister("calibrate_leads_in")


def fields(con) -> pd.DataFrame:
    """lead_idx, field, value_text, value_number (float32) of each lead's profile on its as-of day."""
    out = con.execute(
        """
        select leads.lead_idx, f.field, f.value_text, lower(f.value_text) as value_lower, f.value_number
        from calibrate_leads as leads
        inner join wh.intermediate.int_contact_profiles_versioned as p
            on p.contact_id = leads.contact_id and p.valid_from <= leads.as_of
            and (p.valid_to is null or p.valid_to > leads.as_of)
        inner join wh.intermediate.int_contact_fields_unpivoted as f
            on f.contact_id = p.contact_id and f.valid_from = p.valid_from
        """
    ).df()
    out["value_number"] = out["value_number"].astype(np.float32)
    return out


_EVENTS = """
    create or replace temp table calibrate_events as
    select leads.lead_idx, e.event_type, e.properties, e.occurred_date,
        e.occurred_date > leads.as_of - cast(? as integer) as in_window,
        leads.as_of
    from calibrate_leads as leads
    inner join wh.staging.stg_raw__events as e
        on e.contact_id = leads.contact_id and e.occurred_date <= leads.as_of
"""


def load_events(con, window_days: int) -> int:
    """Every lead's events up to its as-of day, as temp table calibrate_events; their count."""
    con.execute(_EVENTS, [window_days])
    return con.execute("select count(*) from calibrate_events").fetchall()[0][0]


def event_types(con, train_idx: np.ndarray) -> pd.DataFrame:
    """event_type, leads: training leads with at least one event of the type in the window."""
    con.register("calibrate_train", pd.DataFrame({"lead_idx": train_idx}))
    try:
        return con.execute(
            "select event_type, count(distinct lead_idx) as leads from calibrate_events "
            "where in_window and lead_idx in (select lead_idx from calibrate_train) "
            "group by event_type order by leads desc, event_type"
        ).df()
    finally:
        con.unregister("calibrate_train")


def numeric_properties(con, sample_rows: int = 300_000) -> pd.DataFrame:
    """event_type, key, events, numeric: how often each top-level property key of the events
    in the windows is present and reads as a number (on a sample of those events)."""
    return con.execute(
        f"""
        with sampled as (
            select event_type, properties from calibrate_events
            where in_window and properties is not null
            using sample reservoir({int(sample_rows)} rows) repeatable (17)
        ),
        entries as (
            select event_type, properties, unnest(list_distinct(json_keys(properties))) as key
            from sampled
        )
        select event_type, key, count(*) as events,
            count(try_cast(json_extract_string(
                properties, '/' || replace(replace(key, '~', '~0'), '/', '~1')) as float)) as numeric
        from entries group by event_type, key order by event_type, key
        """
    ).df()


def measures(con, sources: list[Source], n_leads: int) -> np.ndarray:
    """A (n_leads, len(sources)) float array: each source's measure per lead (0 when no
    event matched; NaN for days_since without any matching event)."""
    values = np.zeros((n_leads, len(sources)), dtype=float)
    if not sources:
        return values
    selects = []
    for i, s in enumerate(sources):
        match, _ = _match(s)
        if s.measure == "count":
            selects.append(f"count(*) filter (where in_window and {match}) as m{i}")
        elif s.measure == "active_days":
            selects.append(f"count(distinct occurred_date) filter (where in_window and {match}) as m{i}")
        elif s.measure == "sum":
            selects.append(
                "sum(cast(coalesce(try_cast(json_extract_string(properties, ?) as float), 0) "
                f"as decimal(18, 4))) filter (where in_window and {match}) as m{i}"
            )
        elif s.measure == "days_since":
            selects.append(f"min(as_of - occurred_date) filter (where {match}) as m{i}")
        else:
            raise ValueError(s.measure)
    # one pass over the events, in chunks of sources so that a query stays a manageable size
    chunk = 60
    for start in range(0, len(sources), chunk):
        part = selects[start : start + chunk]
        part_params = _chunk_params(sources[start : start + chunk])
        sql = f"select lead_idx, {', '.join(part)} from calibrate_events group by lead_idx"
        frame = con.execute(sql, part_params).df()
        idx = frame["lead_idx"].to_numpy()
        for j in range(len(part)):
            i = start + j
            col = frame[f"m{i}"].to_numpy(dtype=float, na_value=np.nan)
            if sources[i].measure == "days_since":
                values[:, i] = np.nan
                values[idx, i] = col
            else:
                values[idx, i] = np.nan_to_num(col, nan=0.0)
    return values


def _chunk_params(sources: list[Source]) -> list:
    params: list = []
    for s in sources:
        if s.measure == "sum":
            params.append(json_pointer(s.sum_property or ""))
        params.extend(_match(s)[1])
    return params
