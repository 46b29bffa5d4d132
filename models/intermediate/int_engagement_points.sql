-- Points each engagement rule gives a scored contact as of the score date, after decay:
-- the sum of its events' points in int_engagement_event_points (where decay, windows and
-- engagement resets are applied). A rule whose every event is worth nothing (capped or
-- decayed to nothing) gives no row.
with

event_points as (

    select * from {{ ref('int_engagement_event_points') }}

),

final as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        component,
        sum(points) as points,
        sum(case when points <> 0 then 1 else 0 end) as occurrences,
        max(occurred_at) as last_occurred_at,
        -- the days of the events still counting, for score_contributions.evidence
        min(case when points <> 0 then occurred_date end) as first_counted_date,
        max(case when points <> 0 then occurred_date end) as last_counted_date
    from event_points
    group by contact_id, model_id, model_version, rule_id, component
    having sum(case when points <> 0 then 1 else 0 end) > 0

)

select * from final
