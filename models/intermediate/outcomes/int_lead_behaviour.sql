-- What each contact did before its outcome (events up to its first win, or to the score
-- date), summed per contact: the days with any event (row_kind `days`, one row per
-- contact with events), the events of each type (`events`) and, per event type and
-- property key, the events carrying the key, those where it holds a number and the sum
-- of those numbers (`property`). attribute_lift reads it instead of every event. A
-- contact with events but not (yet) in int_lead_outcomes is summed too, up to the score
-- date, so that every loaded event is counted once it is due.
--
-- Incremental on DuckDB (delete+insert by contact): what is counted is every event
-- loaded by loaded_until that occurred by scored_through (or by the contact's first
-- win), the latest two stored. A run adds the events loaded or occurred since, and sums
-- anew only the contacts that got one. A contact whose first win moved before
-- scored_through (or changed) is counted again from all its events. A run of a day
-- before scored_through, --full-refresh and Spark (insert overwrite only) count every
-- event again.
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='delete+insert',
    unique_key='contact_id',
    on_schema_change='fail',
) }}
{%- set counted = none %}
{%- if is_incremental() %}
    {%- set counted = run_query(
        "select cast(max(scored_through) as varchar), cast(max(loaded_until) as varchar)"
        ~ " from " ~ this
    ).rows[0] %}
    {%- if counted[0] is none %}
        {%- set counted = none %}
    {%- endif %}
{%- endif %}

with

events as (

    select * from {{ ref('stg_raw__events') }}

),

loads as (

    select max(loaded_at) as loaded_until
    from {{ ref('stg_raw__events') }}

),

outcomes as (

    select * from {{ ref('int_lead_outcomes') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

{%- if counted %}

    -- the events that were not counted at the last run: loaded or occurred since
    fresh_events as (

        select * from {{ ref('stg_raw__events') }}
        where
            loaded_at > cast('{{ counted[1] }}' as timestamp)
            or occurred_date > cast('{{ counted[0] }}' as date)

    ),

    -- the days that had counted events at the last run
    counted_event_days as (

        select
            contact_id,
            occurred_date
        from {{ ref('stg_raw__events') }}
        where
            loaded_at <= cast('{{ counted[1] }}' as timestamp)
            and occurred_date <= cast('{{ counted[0] }}' as date)

    ),

    stored as (

        select * from {{ this }}
        where row_kind = 'days'

    ),

    won_changes as (

        -- the contacts whose first win is new or changed since their last count
        select
            stored.contact_id,
            stored.first_won_date as counted_won_date,
            outcomes.first_won_date
        from stored
        left join outcomes
            on stored.contact_id = outcomes.contact_id
        where stored.first_won_date is distinct from outcomes.first_won_date

    ),

    reworked as (

        -- a first win that changed, or a new one before the last run's day, bounds anew
        -- what counted; a run of an earlier day than the last counts every contact again
        select contact_id
        from won_changes
        where
            counted_won_date is not null
            or first_won_date < cast('{{ counted[0] }}' as date)
        union
        select stored.contact_id
        from stored
        cross join score_dates
        where score_dates.score_date < cast('{{ counted[0] }}' as date)

    ),

    counted_events as (

        -- the other contacts' events not counted at the last run, and due now
        select
            fresh_events.contact_id,
            fresh_events.event_type,
            fresh_events.occurred_date,
            fresh_events.properties,
            fresh_events.occurred_date <= cast('{{ counted[0] }}' as date) as is_late
        from fresh_events
        cross join score_dates
        left join outcomes
            on fresh_events.contact_id = outcomes.contact_id
        where
            fresh_events.occurred_date
            <= coalesce(outcomes.first_won_date, score_dates.score_date)
            and fresh_events.contact_id not in (select contact_id from reworked)
        union all
        select
            events.contact_id,
            events.event_type,
            events.occurred_date,
            events.properties,
            false as is_late
        from events
        cross join score_dates
        left join outcomes
            on events.contact_id = outcomes.contact_id
        where
            events.occurred_date <= coalesce(outcomes.first_won_date, score_dates.score_date)
            and events.contact_id in (select contact_id from reworked)

    ),

    counted_days as (

        select distinct
            contact_id,
            occurred_date,
            is_late
        from counted_events

    ),

    days_counted_before as (

        -- a late event's day already counted with others is not counted again (an inner
        -- join, so that the few late days are what is looked up)
        select distinct
            counted_days.contact_id,
            counted_days.occurred_date
        from counted_days
        inner join counted_event_days
            on counted_days.contact_id = counted_event_days.contact_id
            and counted_days.occurred_date = counted_event_days.occurred_date
        where counted_days.is_late

    ),

    new_days as (

        select
            counted_days.contact_id,
            count(*) as active_days
        from counted_days
        left join days_counted_before
            on counted_days.contact_id = days_counted_before.contact_id
            and counted_days.occurred_date = days_counted_before.occurred_date
        where days_counted_before.contact_id is null
        group by counted_days.contact_id

    ),

    touched as (

        select contact_id from won_changes
        union
        select contact_id from reworked
        union
        select contact_id from counted_events

    ),

{%- else %}

    counted_events as (

        select
            events.contact_id,
            events.event_type,
            events.occurred_date,
            events.properties
        from events
        cross join score_dates
        left join outcomes
            on events.contact_id = outcomes.contact_id
        where events.occurred_date <= coalesce(outcomes.first_won_date, score_dates.score_date)

    ),

    new_days as (

        select
            contact_id,
            count(distinct occurred_date) as active_days
        from counted_events
        group by contact_id

    ),

    touched as (

        select distinct contact_id from counted_events

    ),

{%- endif %}

event_property_entries as (

    {{ leadscore.json_object_entries(
        'counted_events', ['contact_id', 'event_type'], 'properties'
    ) }}

),

new_sums as (

    select
        contact_id,
        'events' as row_kind,
        event_type,
        cast(null as {{ dbt.type_string() }}) as attribute_key,
        count(*) as events,
        cast(null as bigint) as entries,
        cast(null as bigint) as measured_entries,
        cast(null as {{ dbt.type_float() }}) as measured_sum
    from counted_events
    group by contact_id, event_type
    union all
    select
        contact_id,
        'property' as row_kind,
        event_type,
        attribute_key,
        cast(null as bigint) as events,
        count(*) as entries,
        count({{ leadscore.to_number('attribute_value') }}) as measured_entries,
        sum({{ leadscore.to_number('attribute_value') }}) as measured_sum
    from event_property_entries
    group by contact_id, event_type, attribute_key
    union all
    select
        touched.contact_id,
        'days' as row_kind,
        cast(null as {{ dbt.type_string() }}) as event_type,
        cast(null as {{ dbt.type_string() }}) as attribute_key,
        coalesce(new_days.active_days, 0) as events,
        cast(null as bigint) as entries,
        cast(null as bigint) as measured_entries,
        cast(null as {{ dbt.type_float() }}) as measured_sum
    from touched
    left join new_days
        on touched.contact_id = new_days.contact_id

),

{%- if counted %}

    carried as (

        -- what the contacts that got events had, but those counted again
        select stored_rows.*
        from {{ this }} as stored_rows
        inner join touched
            on stored_rows.contact_id = touched.contact_id
        where stored_rows.contact_id not in (select contact_id from reworked)

    ),

    sums as (

        -- what a contact had, plus what it got
        select
            coalesce(new_sums.contact_id, carried.contact_id) as contact_id,
            coalesce(new_sums.row_kind, carried.row_kind) as row_kind,
            coalesce(new_sums.event_type, carried.event_type) as event_type,
            coalesce(new_sums.attribute_key, carried.attribute_key) as attribute_key,
            case
                when coalesce(new_sums.row_kind, carried.row_kind) <> 'property'
                    then coalesce(carried.events, 0) + coalesce(new_sums.events, 0)
            end as events,
            case
                when coalesce(new_sums.row_kind, carried.row_kind) = 'property'
                    then coalesce(carried.entries, 0) + coalesce(new_sums.entries, 0)
            end as entries,
            case
                when coalesce(new_sums.row_kind, carried.row_kind) = 'property'
                    then coalesce(carried.measured_entries, 0)
                    + coalesce(new_sums.measured_entries, 0)
            end as measured_entries,
            case
                when carried.measured_sum is null then new_sums.measured_sum
                when new_sums.measured_sum is null then carried.measured_sum
                else carried.measured_sum + new_sums.measured_sum
            end as measured_sum
        from new_sums
        full outer join carried
            on new_sums.contact_id = carried.contact_id
            and new_sums.row_kind = carried.row_kind
            and new_sums.event_type is not distinct from carried.event_type
            and new_sums.attribute_key is not distinct from carried.attribute_key

    ),

{%- else %}

    sums as (

        select * from new_sums

    ),

{%- endif %}

final as (

    select
        -- ids
        sums.contact_id,
        sums.row_kind,
        sums.event_type,
        sums.attribute_key,

        -- counts
        sums.events,
        sums.entries,
        sums.measured_entries,
        sums.measured_sum,

        -- what is counted: the next run adds what came since
        outcomes.first_won_date,
        score_dates.score_date as scored_through,
        loads.loaded_until

    from sums
    cross join score_dates
    cross join loads
    left join outcomes
        on sums.contact_id = outcomes.contact_id

)

select * from final
