"""Which leads train the fit and which test it, their labels, and the day each one's
features are taken (its as-of day).

- Outcome window: a lead is positive when it won within `outcome_days` of its creation,
  negative when that window has closed (creation + outcome_days <= the last day of data)
  without a win. Leads whose window is still open are left out, whether or not they have
  won yet, so that recent leads are not all positives.
- Train: created up to `train_until`; test: created after it.
- As-of day: the day before the lead's first opportunity or win, when that falls inside
  its window (never before its creation day); else its creation day plus a comparable
  age: an age drawn from the training positives' ages on their as-of days (within the
  window; the draw is a stable hash of the contact id), so that the others are seen at
  the same spread of ages as the winners, and age alone (days since the last event, say)
  tells them apart no better than it would on any day.
  Features are the lead's state at the end of its as-of day, as the score history holds
  it: nothing dated on or after its first opportunity enters.
- Left out (and counted): leads created before the first event in the warehouse (their
  behaviour before it is unknown), leads won before their creation (a data error), leads
  without a profile on their as-of day (nothing scores them then), and, for an existing
  model, leads outside its active version's segment on their as-of day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from orchestration.calibrate.options import CalibrateError, Options
from orchestration.calibrate.warehouse import ModelInfo


@dataclass
class DataSpan:
    first_event: dt.date | None
    last_day: dt.date  # the last day the warehouse holds data for
    score_date: dt.date


@dataclass
class LeadSet:
    """The leads used, one row each: contact_id, created_date, as_of, label (0/1),
    is_train, active_score (the active version's total on the as-of day, or NaN)."""

    frame: pd.DataFrame
    span: DataSpan
    comparable_age: int  # the median of the ages the others are drawn from
    left_out: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)

    @property
    def train(self) -> pd.DataFrame:
        return self.frame[self.frame["is_train"]]

    @property
    def test(self) -> pd.DataFrame:
        return self.frame[~self.frame["is_train"]]


def data_span(con) -> DataSpan:
    score_date = con.execute("select max(score_date) from wh.intermediate.int_score_dates").fetchall()[0][0]
    first_event, last_event = con.execute(
        "select min(occurred_date), max(occurred_date) from wh.staging.stg_raw__events "
        "where occurred_date <= ?",
        [score_date],
    ).fetchall()[0]
    last_contact = con.execute(
        "select max(cast(updated_at as date)) from wh.staging.stg_raw__contacts"
    ).fetchall()[0][0]
    last_opportunity = con.execute(
        "select max(cast(updated_at as date)) from wh.staging.stg_raw__opportunities"
    ).fetchall()[0][0]
    seen = [d for d in (last_event, last_contact, last_opportunity) if d is not None]
    last_day = min(score_date, max(seen)) if seen else score_date
    return DataSpan(first_event=first_event, last_day=last_day, score_date=score_date)


# A won deal without closed_at is dated by the update that recorded it won.
_OUTCOMES = """
    with won_undated as (
        select contact_id, min(cast(coalesce(closed_at, updated_at) as date)) as won_date
        from wh.staging.stg_raw__opportunities
        where (coalesce(is_won, false) or stage = 'closed_won') and contact_id is not null
        group by contact_id
    )
    select
        outcomes.contact_id,
        outcomes.created_date,
        outcomes.first_opportunity_date,
        coalesce(
            outcomes.first_won_date, case when outcomes.is_customer then won_undated.won_date end
        ) as first_won_date,
        outcomes.is_customer and outcomes.first_won_date is null as is_won_undated
    from wh.intermediate.int_lead_outcomes as outcomes
    left join won_undated on outcomes.contact_id = won_undated.contact_id
    where outcomes.created_date is not null
    order by outcomes.contact_id
"""


def _unit(contact_id: str) -> float:
    """A number in [0, 1) fixed by the contact id (the same on every run and machine)."""
    digest = hashlib.blake2b(str(contact_id).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _days(n) -> pd.Timedelta:
    return pd.to_timedelta(n, unit="D")


def select_leads(con, options: Options, model: ModelInfo) -> LeadSet:
    span = data_span(con)
    frame = con.execute(_OUTCOMES).df()
    if frame.empty:
        raise CalibrateError("the warehouse holds no contacts: nothing to calibrate on")
    undated_ids = set(frame.loc[frame["is_won_undated"].fillna(False), "contact_id"])
    for c in ("created_date", "first_opportunity_date", "first_won_date"):
        frame[c] = pd.to_datetime(frame[c])
    window = _days(options.outcome_days)
    last_day = pd.Timestamp(span.last_day)
    created = frame["created_date"]
    won = frame["first_won_date"]
    first_outcome = frame[["first_opportunity_date", "first_won_date"]].min(axis=1)

    left_out: dict[str, int] = {}
    keep = pd.Series(True, index=frame.index)

    def drop(reason: str, mask: pd.Series) -> None:
        nonlocal keep
        n = int((keep & mask).sum())
        if n:
            left_out[reason] = n
        keep &= ~mask

    drop("won before their creation (a data error)", won.notna() & (won < created))
    if span.first_event is not None:
        drop(
            "created before the first event in the warehouse",
            created < pd.Timestamp(span.first_event),
        )
    drop("outcome window still open", created + window > last_day)
    frame = frame[keep].copy()
    created = frame["created_date"]
    won = frame["first_won_date"]
    first_outcome = first_outcome[keep]

    frame["label"] = (won.notna() & (won - created <= window)).astype(np.int8)
    frame["is_train"] = created <= pd.Timestamp(options.train_until)
    if not frame["is_train"].any():
        left = "; ".join(f"{n:,} {why}" for why, n in left_out.items())
        raise CalibrateError(
            f"no lead created on or before --train-until {options.train_until} has a closed "
            f"{options.outcome_days}-day outcome window (the warehouse holds data up to {span.last_day}"
            + (f", from {span.first_event}" if span.first_event else "")
            + (f"; left out: {left}" if left else "")
            + "): choose a later --train-until or a shorter --outcome-days"
        )
    # positives (and leads with a lost opportunity) inside their window: the day before it
    inside = first_outcome.notna() & (first_outcome <= created + window)
    frame["as_of"] = pd.NaT
    frame.loc[inside, "as_of"] = np.maximum(first_outcome[inside] - _days(1), created[inside])
    train_pos = frame["is_train"] & (frame["label"] == 1)
    ages = (frame.loc[train_pos, "as_of"] - frame.loc[train_pos, "created_date"]).dt.days.to_numpy()
    ages = np.sort(np.clip(ages, 0, options.outcome_days - 1)) if len(ages) else np.zeros(1, dtype=int)
    age = int(np.median(ages))
    draws = np.array([_unit(c) for c in frame.loc[~inside, "contact_id"]])
    drawn = ages[np.minimum((draws * len(ages)).astype(int), len(ages) - 1)]
    frame.loc[~inside, "as_of"] = created[~inside] + pd.to_timedelta(drawn, unit="D")
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    frame["created_date"] = frame["created_date"].dt.date
    frame = frame[["contact_id", "created_date", "as_of", "label", "is_train"]].reset_index(drop=True)

    frame = _scored_on_as_of(con, frame, model, left_out)
    notes = {}
    n_undated = int(frame["contact_id"].isin(undated_ids).sum())
    if n_undated:
        notes["won deals without closed_at, dated by the update that recorded the win"] = n_undated
    return LeadSet(frame=frame, span=span, comparable_age=age, left_out=left_out, notes=notes)


def _scored_on_as_of(con, frame: pd.DataFrame, model: ModelInfo, left_out: dict[str, int]) -> pd.DataFrame:
    """Keep the leads a version of this model would score on their as-of day (a profile, and
    the active version's segment), with the active version's total on that day."""
    con.register("calibrate_leads_in", frame[["contact_id", "as_of"]])
    con.execute(
        "create or replace temp table calibrate_leads as "
        "select row_number() over (order by contact_id) - 1 as lead_idx, contact_id, as_of "
        "from calibrate_leads_in"
    )
    con.unregister("calibrate_leads_in")
    if model.is_new:
        sql = """
            select leads.contact_id, true as in_segment, cast(null as double) as active_score
            from calibrate_leads as leads
            where exists (
                select 1 from wh.intermediate.int_contact_profiles_versioned as p
                where p.contact_id = leads.contact_id and p.valid_from <= leads.as_of
                    and (p.valid_to is null or p.valid_to > leads.as_of)
            )
        """
        params: list = []
    else:
        sql = """
            select leads.contact_id, m.is_member as in_segment, cast(h.total_score as double) as active_score
            from calibrate_leads as leads
            inner join wh.intermediate.int_segment_memberships as m
                on m.contact_id = leads.contact_id and m.model_id = ? and m.model_version = ?
                and m.valid_from <= leads.as_of and (m.valid_to is null or m.valid_to > leads.as_of)
            left join wh.marts.lead_score_history as h
                on h.contact_id = leads.contact_id and h.model_id = ? and h.model_version = ?
                and h.valid_from <= leads.as_of and (h.valid_to is null or h.valid_to > leads.as_of)
        """
        params = [model.model_id, model.active_version] * 2
    scored = con.execute(sql, params).df()
    merged = frame.merge(scored, on="contact_id", how="left")
    no_profile = merged["in_segment"].isna()
    if no_profile.any():
        left_out["no profile yet on their as-of day"] = int(no_profile.sum())
    outside = merged["in_segment"].notna() & ~merged["in_segment"].astype("boolean").fillna(False)
    if outside.any():
        left_out[f"outside the segment of {model.model_id} v{model.active_version}"] = int(outside.sum())
    merged = merged[~no_profile & ~outside].drop(columns=["in_segment"]).reset_index(drop=True)
    merged["active_score"] = merged["active_score"].astype(float)
    return merged
