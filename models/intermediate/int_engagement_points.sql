-- Points each engagement rule gives a scored contact as of the score date, after decay.
with

matches as (

    select * from {{ ref('int_event_rule_matches') }}

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

-- only events young enough to count are read, so the cost does not grow with history
oldest_counted as (

    select
        {{ dbt.dateadd(
            'day',
            '-1 * max(rules.decay_window_days)',
            'max(score_dates.score_date)'
        ) }} as oldest_date
    from rules
    cross join score_dates

),

aged as (

    select
        matches.*,
        {{ dbt.datediff('matches.occurred_date', 'score_dates.score_date', 'day') }} as age_days
    from matches
    cross join score_dates
    cross join oldest_counted
    where matches.occurred_date >= cast(oldest_counted.oldest_date as date)

),

decayed as (

    select
        aged.*,
        -- each event's points are rounded to cents once, here and in the history deltas
        cast(round(counted_points * {{ leadscore.decay_factor(
            'age_days', 'decay_method', 'decay_full_days', 'decay_half_life_days',
            'decay_percent', 'decay_period_days', 'decay_window_days'
        ) }}, 2) as decimal(18, 2)) as decayed_points
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
        max(decayed.occurred_at) as last_occurred_at
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
