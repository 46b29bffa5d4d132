-- Points each engagement rule gives a scored contact as of the score date, after decay.
-- Engagement points count only from events on or after the contact's latest engagement
-- reset (int_engagement_resets); event-based negative points are kept.
with

-- only the narrow columns are read: decay comes from the rules
matches as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        counted_points,
        occurred_at,
        occurred_date
    from {{ ref('int_event_rule_matches') }}

),

members as (

    select * from {{ ref('int_segment_members') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

rules as (

    select * from {{ ref('int_engagement_rules_resolved') }}

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

-- only events young enough to count under their rule are read, so the cost does not
-- grow with history
aged as (

    select
        matches.*,
        {{ leadscore.decay_columns('rules') }},
        {{ dbt.datediff('matches.occurred_date', 'score_dates.score_date', 'day') }} as age_days  -- noqa: LT05
    from matches
    inner join rules
        on matches.model_id = rules.model_id
        and matches.model_version = rules.model_version
        and matches.rule_id = rules.rule_id
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

decayed as (

    select
        aged.*,
        -- each event's points are rounded to cents once, here and in the history deltas
        {{ leadscore.decayed_points(
            'aged.counted_points', 'aged.age_days', 'aged'
        ) }} as decayed_points
    from aged

),

final as (

    select
        decayed.contact_id,
        decayed.model_id,
        decayed.model_version,
        decayed.rule_id,
        decayed.component,
        sum(decayed.decayed_points) as points,
        sum(case when decayed.decayed_points <> 0 then 1 else 0 end) as occurrences,
        max(decayed.occurred_at) as last_occurred_at,
        -- the days of the events still counting, for score_contributions.evidence
        min(case when decayed.decayed_points <> 0 then decayed.occurred_date end)
            as first_counted_date,
        max(case when decayed.decayed_points <> 0 then decayed.occurred_date end)
            as last_counted_date
    from decayed
    inner join members
        on decayed.contact_id = members.contact_id
        and decayed.model_id = members.model_id
        and decayed.model_version = members.model_version
    where decayed.age_days < decayed.decay_window_days
    group by
        decayed.contact_id,
        decayed.model_id,
        decayed.model_version,
        decayed.rule_id,
        decayed.component
    having sum(case when decayed.decayed_points <> 0 then 1 else 0 end) > 0

)

select * from final
