-- Score history and current scores are computed independently (deltas summed over time
-- versus points as of one date); on the score date they must agree for every lead and
-- every model version.
with

changes as (

    select * from {{ ref('int_lead_score_changes') }}

),

current_scores as (

    select * from {{ ref('int_lead_scores_graded') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

history_on_score_date as (

    -- the stored interval covering the score date (read by its bounds, not by a search
    -- for the latest change, so the test does not grow with history)
    select changes.*
    from changes
    cross join score_dates
    where
        changes.valid_from <= score_dates.score_date
        and changes.valid_to > score_dates.score_date
        and changes.is_member

)

select
    coalesce(h.contact_id, c.contact_id) as contact_id,
    coalesce(h.model_id, c.model_id) as model_id,
    coalesce(h.model_version, c.model_version) as model_version,
    h.total_score as history_total,
    c.total_score as current_total
from history_on_score_date as h
full outer join current_scores as c
    on h.contact_id = c.contact_id
    and h.model_id = c.model_id
    and h.model_version = c.model_version
where
    h.contact_id is null
    or c.contact_id is null
    or h.total_score <> c.total_score
    or h.fit_score <> c.fit_score
    or h.engagement_score <> c.engagement_score
    or h.negative_score <> c.negative_score
    or h.band <> c.band
    or h.is_mql <> c.is_mql
