{{ config(materialized='view') }}

-- Every event that counts for a scored contact under an event rule on the score date,
-- with its points after caps (counted_points) and after decay (points, rounded to cents
-- once per event). The one place where an event's age, window, decay and the contact's
-- engagement reset are applied: int_engagement_points sums it per rule, score_evidence
-- publishes it. A view: both read it in their own query, nothing is stored twice.
--
-- Engagement points count only from events on or after the contact's latest engagement
-- reset (int_engagement_resets); event-based negative points are kept. Only events young
-- enough to count under their rule are read, so the cost does not grow with history.
with

matches as (

    select
        event_id,
        contact_id,
        model_id,
        model_version,
        rule_id,
        counted_points,
        occurred_at,
        occurred_date,
        scored_from
    from {{ ref('int_event_rule_matches') }}

),

rules as (

    select * from {{ ref('int_engagement_rules_resolved') }}

),

members as (

    select * from {{ ref('int_segment_members') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

resets as (

    select * from {{ ref('int_engagement_resets') }}

),

latest_resets as (

    select
        resets.contact_id,
        resets.model_id,
        resets.model_version,
        max(resets.reset_date) as reset_date
    from resets
    cross join score_dates
    where resets.reset_date <= score_dates.score_date
    group by resets.contact_id, resets.model_id, resets.model_version

),

aged as (

    select
        matches.*,
        score_dates.score_date,
        rules.event_type,
        {{ leadscore.decay_columns('rules') }},
        {{ dbt.datediff('matches.occurred_date', 'score_dates.score_date', 'day') }} as age_days  -- noqa: LT05
    from matches
    inner join rules
        on matches.model_id = rules.model_id
        and matches.model_version = rules.model_version
        and matches.rule_id = rules.rule_id
    inner join members
        on matches.contact_id = members.contact_id
        and matches.model_id = members.model_id
        and matches.model_version = members.model_version
    cross join score_dates
    left join latest_resets
        on matches.contact_id = latest_resets.contact_id
        and matches.model_id = latest_resets.model_id
        and matches.model_version = latest_resets.model_version
    where
        matches.occurred_date  -- noqa: LT05
        > {{ dbt.dateadd('day', '-1 * rules.decay_window_days', 'score_dates.score_date') }}
        and matches.occurred_date <= score_dates.score_date
        and (
            rules.component <> 'engagement'
            or latest_resets.reset_date is null
            or matches.occurred_date >= latest_resets.reset_date
        )

),

final as (

    select
        -- ids
        aged.event_id,
        aged.contact_id,
        aged.model_id,
        aged.model_version,
        aged.rule_id,
        aged.score_date,

        -- rule
        aged.component,

        -- event
        aged.event_type,
        aged.occurred_at,
        aged.occurred_date,
        aged.scored_from,
        aged.age_days,

        -- points
        aged.counted_points,
        {{ leadscore.decayed_points('aged.counted_points', 'aged.age_days', 'aged') }} as points

    from aged

)

select * from final
