-- Negative points for scored contacts with no event in the last inactive_days days.
-- Activity is the latest of the last event on or before the score date and creation.
with

members as (

    select * from {{ ref('int_segment_members') }}

),

events as (

    select * from {{ ref('stg_raw__events') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

rules as (

    select * from {{ ref('inactivity_rules') }}

),

last_activity as (

    select
        events.contact_id,
        max(events.occurred_date) as last_event_date
    from events
    cross join score_dates
    where events.occurred_date <= score_dates.score_date
    group by events.contact_id

),

idle as (

    select
        members.contact_id,
        members.model_id,
        members.model_version,
        {{ leadscore.last_activity_date('last_activity.last_event_date', 'members.created_at') }}
            as active_since,
        {{ dbt.datediff(
            leadscore.last_activity_date('last_activity.last_event_date', 'members.created_at'),
            'score_dates.score_date', 'day'
        ) }} as idle_days
    from members
    cross join score_dates
    left join last_activity
        on members.contact_id = last_activity.contact_id

),

final as (

    select
        idle.contact_id,
        idle.model_id,
        idle.model_version,
        rules.rule_id,
        'negative' as component,
        rules.points,
        idle.idle_days,
        idle.active_since
    from idle
    inner join rules
        on idle.model_id = rules.model_id
        and idle.model_version = rules.model_version
    where idle.idle_days >= rules.inactive_days

)

select * from final
