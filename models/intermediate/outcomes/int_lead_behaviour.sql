-- What each contact did before its outcome (events up to its first win, or to the score
-- date), summed per contact: the days with any event (row_kind `days`, one row per
-- contact, 0 without events), the events of each type (`events`) and, per event type
-- and property key, the events carrying the key, those where it holds a number and the
-- sum of those numbers (`property`). attribute_lift reads it instead of every event.
--
-- Incremental on DuckDB (delete+insert by contact): the events counted so far are those
-- loaded by loaded_until that occurred by scored_through (or the first win), the two
-- latest stored; a run adds the events loaded or occurred since, re-sums only the
-- contacts that got one, and works out anew a contact whose first win changed or that
-- is new. A run of a day before scored_through, --full-refresh and Spark (insert
-- overwrite only) count every event again.
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
{%- if counted %}

    -- the events that did not count at the last run: loaded or occurred since
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
{%- endif %}

outcomes as (

    select * from {{ ref('int_lead_outcomes') }}

),

limits as (

    -- the outcome bounds what counts: the first win, else the score date
    select
        contact_id,
        first_won_date,
        score_date,
        coalesce(first_won_date, score_date) as counts_until
    from outcomes

),

{%- if counted %}

    stored as (

        select * from {{ this }}

    ),

    reworked as (

        -- new contacts, and those whose first win moved: counted from scratch; a run of
        -- an earlier day than the last counts every contact again
        select limits.contact_id
        from limits
        left join stored
            on limits.contact_id = stored.contact_id
            and stored.row_kind = 'days'
        where
            stored.contact_id is null
            or stored.first_won_date is distinct from limits.first_won_date
            or limits.score_date < cast('{{ counted[0] }}' as date)

    ),

    counted_events as (

        -- the events of the other contacts that did not count at the last run
        select
            fresh_events.contact_id,
            fresh_events.event_type,
            fresh_events.occurred_date,
            fresh_events.properties,
            fresh_events.occurred_date <= cast('{{ counted[0] }}' as date) as is_late
        from fresh_events
        inner join limits
            on fresh_events.contact_id = limits.contact_id
        where
            fresh_events.occurred_date <= limits.counts_until
            and fresh_events.contact_id not in (select contact_id from reworked)
        union all
        select
            events.contact_id,
            events.event_type,
            events.occurred_date,
            events.properties,
            false as is_late
        from events
        inner join limits
            on events.contact_id = limits.contact_id
        where
            events.occurred_date <= limits.counts_until
            and events.contact_id in (select contact_id from reworked)

    ),

    counted_days as (

        -- a day already counted (a late event on a day with others) is not counted again
        select distinct
            contact_id,
            occurred_date,
            is_late
        from counted_events

    ),

    days_counted_before as (

        -- an inner join, so that the few late days are what is looked up
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
        inner join limits
            on events.contact_id = limits.contact_id
        where events.occurred_date <= limits.counts_until

    ),

    new_days as (

        select
            contact_id,
            count(distinct occurred_date) as active_days
        from counted_events
        group by contact_id

    ),

    touched as (

        select contact_id from limits

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

    sums as (

        -- a contact carried on: what it had, plus what it got
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
        full outer join (
            select stored.*
            from stored
            inner join touched
                on stored.contact_id = touched.contact_id
            where stored.contact_id not in (select contact_id from reworked)
        ) as carried
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
        limits.first_won_date,
        limits.score_date as scored_through,
        loads.loaded_until

    from sums
    inner join limits
        on sums.contact_id = limits.contact_id
    cross join loads

)

select * from final
