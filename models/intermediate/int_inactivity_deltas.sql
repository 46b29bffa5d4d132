-- When inactivity penalties start and stop, per contact, model version and day: a
-- penalty starts inactive_days after an activity (creation or an event) and stops on the
-- next activity. In an incremental run only activity since (window start - the longest
-- inactive_days - 1) is read; a contact known before that gets one stand-in activity
-- just before it, which decides no day of the window, and deltas before the window are
-- summed into one opening delta on its first day.
{{ config(materialized='ephemeral') }}
{%- set window_start = history_window_start() %}

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

{%- if window_start %}

read_from as (

    select {{ dbt.dateadd(
        'day', '-1 * (max(inactive_days) + 1)', "cast('" ~ window_start ~ "' as date)"
    ) }} as read_from_date
    from rules

),
{%- endif %}

created as (

    select
        contact_id,
        cast(min(created_at) as date) as created_date
    from contacts
    group by contact_id

),

activity as (

    select distinct
        events.contact_id,
        events.occurred_date as activity_date
    from events
    cross join score_dates
    {%- if window_start %}
    cross join read_from
    {%- endif %}
    where events.occurred_date <= score_dates.score_date
    {%- if window_start %}
        and events.occurred_date >= cast(read_from.read_from_date as date)
    {%- endif %}
    union
    {%- if window_start %}
        select
            created.contact_id,
            case
                when created.created_date >= cast(read_from.read_from_date as date)
                    then created.created_date
                else cast({{ dbt.dateadd('day', -1, 'read_from.read_from_date') }} as date)
            end as activity_date
        from created
        cross join read_from
    {%- else %}
        select
            created.contact_id,
            created.created_date as activity_date
        from created
    {%- endif %}

),

gaps as (

    select
        contact_id,
        activity_date,
        lead(activity_date) over (
            partition by contact_id order by activity_date
        ) as next_activity_date
    from activity

),

starts_and_stops as (

    select
        gaps.contact_id,
        rules.model_id,
        rules.model_version,
        cast({{ dbt.dateadd('day', 'rules.inactive_days', 'gaps.activity_date') }} as date) as delta_date,  -- noqa: LT05
        rules.points as delta_points
    from gaps
    inner join rules
        on gaps.next_activity_date is null
        or {{ dbt.datediff('gaps.activity_date', 'gaps.next_activity_date', 'day') }} > rules.inactive_days  -- noqa: LT05
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
        and {{ dbt.datediff('gaps.activity_date', 'gaps.next_activity_date', 'day') }} > rules.inactive_days  -- noqa: LT05

),

final as (

    select
        starts_and_stops.contact_id,
        starts_and_stops.model_id,
        starts_and_stops.model_version,
        {{ leadscore.clamp_to_window('starts_and_stops.delta_date', window_start) }} as delta_date,
        cast(sum(starts_and_stops.delta_points) as decimal(18, 2)) as negative_delta,
        -- whether a penalty starts or stops that day (in a window: not only the opening
        -- delta of the days before it)
        max(
            case
                when
                    starts_and_stops.delta_date
                    >= cast('{{ window_start or "1900-01-01" }}' as date)
                    then 1
                else 0
            end
        ) = 1 as is_change
    from starts_and_stops
    cross join score_dates
    where starts_and_stops.delta_date <= score_dates.score_date
    group by
        starts_and_stops.contact_id,
        starts_and_stops.model_id,
        starts_and_stops.model_version,
        {{ leadscore.clamp_to_window('starts_and_stops.delta_date', window_start) }}

)

select * from final
