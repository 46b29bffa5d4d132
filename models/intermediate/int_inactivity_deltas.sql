-- When inactivity penalties start and stop, per contact, model version and day: a
-- penalty starts inactive_days after an activity (creation or an event) and stops on the
-- next activity.
with

events as (

    select * from {{ ref('stg_raw__events') }}

),

contacts as (

    select * from {{ ref('stg_raw__contacts') }}

),

rules as (

    select * from {{ ref('inactivity_rules') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

activity as (

    select distinct events.contact_id, events.occurred_date as activity_date
    from events
    cross join score_dates
    where events.occurred_date <= score_dates.score_date
    union
    select contact_id, cast(min(created_at) as date) as activity_date
    from contacts
    group by contact_id

),

gaps as (

    select
        contact_id,
        activity_date,
        lead(activity_date) over (partition by contact_id order by activity_date) as next_activity_date
    from activity

),

starts_and_stops as (

    select
        gaps.contact_id,
        rules.model_id,
        rules.model_version,
        cast({{ dbt.dateadd('day', 'rules.inactive_days', 'gaps.activity_date') }} as date) as delta_date,
        rules.points as delta_points
    from gaps
    inner join rules
        on gaps.next_activity_date is null
        or {{ dbt.datediff('gaps.activity_date', 'gaps.next_activity_date', 'day') }} > rules.inactive_days
    union all
    select
        gaps.contact_id,
        rules.model_id,
        rules.model_version,
        gaps.next_activity_date as delta_date,
        -rules.points as delta_points
    from gaps
    inner join rules
        on gaps.next_activity_date is not null
        and {{ dbt.datediff('gaps.activity_date', 'gaps.next_activity_date', 'day') }} > rules.inactive_days

),

final as (

    select
        starts_and_stops.contact_id,
        starts_and_stops.model_id,
        starts_and_stops.model_version,
        starts_and_stops.delta_date,
        cast(sum(starts_and_stops.delta_points) as decimal(18, 2)) as negative_delta
    from starts_and_stops
    cross join score_dates
    where starts_and_stops.delta_date <= score_dates.score_date
    group by
        starts_and_stops.contact_id,
        starts_and_stops.model_id,
        starts_and_stops.model_version,
        starts_and_stops.delta_date

)

select * from final
