-- Each event that an engagement rule counts, with the points it earns before decay.
-- Caps hold over a trailing window: an event counts only if fewer than max_occurrences
-- events of its rule (and less than max_points) counted for the lead in the
-- cap_window_days days before it, the day cap_window_days before excluded (see
-- trailing_caps). Events are taken in order of occurrence, so a later event never
-- changes what an earlier day was given, and no span of cap_window_days days holds more
-- than the cap.
--
-- Incremental: a run recomputes the events of its window (see history_window_start),
-- starting from the events of each chain stored as counted in the cap window before its
-- first event. Events that landed later than the window reaches back are matched by the
-- first run after they land, counted after what already counted within cap_window_days
-- of them (on either side), and count from that run's first day on (scored_from); every
-- other event counts from the day it occurred.
--
-- Per lead (touched_keys_only): only the leads with an event the stored rows have not
-- seen (loaded since, or occurred after the last stored event) are recomputed, and the
-- leads with stored events after the score date (a run for an earlier day); the window's
-- rows of every other lead stay as stored, which is what recomputing them would give.
{{ config(
    materialized='incremental',
    incremental_strategy=leadscore.window_incremental_strategy(),
    window_column='occurred_date',
    partition_by=leadscore.window_partition_by('occurred_date'),
    on_schema_change='fail',
    touched_key='contact_id',
) }}
{%- set window_start = history_window_start() if is_incremental() else none %}
{%- set touched_only = window_start and leadscore.touched_keys_only() %}
{%- set capped_events_of_chain = leadscore.trailing_caps(
    'chains.events',
    'carried.kept' if window_start else 'null',
    'chains.max_occurrences',
    'chains.max_points',
    'chains.cap_window_days',
) %}

with

events as (

    select * from {{ ref('stg_raw__events') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

rules_with_decay as (

    select * from {{ ref('int_engagement_rules_resolved') }}

),

{%- if touched_only %}

-- (its own read of the events, so that the one above is not materialized whole)
event_loads as (

    select
        contact_id,
        occurred_date,
        loaded_at
    from {{ ref('stg_raw__events') }}

),

touched_contacts as (

    select event_loads.contact_id
    from event_loads
    cross join score_dates
    where
        event_loads.occurred_date <= score_dates.score_date
        and (
            event_loads.loaded_at > (select max(stored.loaded_at) from {{ this }} as stored)
            or event_loads.occurred_date > (select max(stored.occurred_date) from {{ this }} as stored)
        )
    union
    select stored.contact_id
    from {{ this }} as stored
    cross join score_dates
    where stored.occurred_date > score_dates.score_date

),

{%- endif %}

events_as_of as (

    select events.*
    from events
    cross join score_dates
    where events.occurred_date <= score_dates.score_date
    {%- if window_start %}
        and (
            events.occurred_date >= cast('{{ window_start }}' as date)
            or events.loaded_at > (select max(loaded_at) from {{ this }})
        )
    {%- endif %}
    {%- if touched_only %}
        and events.contact_id in (select touched_contacts.contact_id from touched_contacts)
    {%- endif %}

),

candidates as (

    select
        events_as_of.event_id,
        events_as_of.contact_id,
        events_as_of.occurred_at,
        events_as_of.occurred_date,
        events_as_of.loaded_at,
        rules_with_decay.*,
        {{ leadscore.json_extract_text('events_as_of.properties', 'rules_with_decay.property') }}
            as property_value
    from events_as_of
    inner join rules_with_decay
        on events_as_of.event_type = rules_with_decay.event_type

),

matched as (

    select
        candidates.*,
        cast(
            {{ dbt.datediff("cast('1970-01-01' as date)", 'candidates.occurred_date', 'day') }}
            as {{ dbt.type_int() }}
        ) as occurred_day
    from candidates
    where
        candidates.property is null
        or {{ leadscore.field_matches(
            'property_value',
            leadscore.to_number('property_value'),
            'operator', 'value', 'cast(null as ' ~ dbt.type_string() ~ ')'
        ) }}

),

-- a chain: the events of one lead and rule, in the order the caps take them
chains as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        max_occurrences,
        max_points,
        cap_window_days,
        min(occurred_date) as first_date,
        {{ leadscore.sorted_struct_list([
            ['occurred_at', 'occurred_at'],
            ['event_id', 'event_id'],
            ['day', 'occurred_day'],
            ['points', 'cast(abs(points) as ' ~ dbt.type_float() ~ ')'],
        ]) }} as events
    from matched
    group by
        contact_id, model_id, model_version, rule_id, max_occurrences, max_points, cap_window_days

),

{%- if window_start %}

-- what counted before the window in reach of each chain's first event: the opening state
carried as (

    select
        chains.contact_id,
        chains.model_id,
        chains.model_version,
        chains.rule_id,
        {{ leadscore.sorted_struct_list([
            ['day', 'cast(' ~ dbt.datediff("cast('1970-01-01' as date)", 'stored.occurred_date', 'day')
                ~ ' as ' ~ dbt.type_int() ~ ')'],
            ['points', 'cast(abs(stored.counted_points) as ' ~ dbt.type_float() ~ ')'],
        ]) }} as kept
    from {{ this }} as stored
    inner join chains
        on stored.contact_id = chains.contact_id
        and stored.model_id = chains.model_id
        and stored.model_version = chains.model_version
        and stored.rule_id = chains.rule_id
    where stored.counted_points <> 0
        and stored.occurred_date < cast('{{ window_start }}' as date)
        and stored.occurred_date > {{ dbt.dateadd('day', '-1 * chains.cap_window_days', 'chains.first_date') }}
    group by chains.contact_id, chains.model_id, chains.model_version, chains.rule_id

),

{%- endif %}

capped_chains as (

    select
        chains.contact_id,
        chains.model_id,
        chains.model_version,
        chains.rule_id,
        -- sqlfluff's DuckDB dialect does not parse lambdas of two parameters (lambda acc, e:)
        {{ capped_events_of_chain }} as capped_events  -- noqa: PRS
    from chains
    {%- if window_start %}
    left join carried
        on chains.contact_id = carried.contact_id
        and chains.model_id = carried.model_id
        and chains.model_version = carried.model_version
        and chains.rule_id = carried.rule_id
    {%- endif %}

),

capped_events as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        {{ leadscore.explode_structs('capped_events') }}
    from capped_chains

),

capped as (

    select
        matched.*,
        case when matched.points < 0 then -1.0 else 1.0 end
        * capped_events.counted_points as counted_points,
        capped_events.occurrences_in_window,
        capped_events.points_in_window
    from matched
    inner join capped_events
        on matched.event_id = capped_events.event_id
        and matched.contact_id = capped_events.contact_id
        and matched.model_id = capped_events.model_id
        and matched.model_version = capped_events.model_version
        and matched.rule_id = capped_events.rule_id

),

final as (

    select
        -- ids
        event_id,
        contact_id,
        model_id,
        model_version,
        rule_id,

        -- points
        component,
        points as rule_points,
        counted_points,

        -- caps: what counted within the cap window ending at the event, it included
        max_occurrences,
        max_points,
        cap_window_days,
        occurrences_in_window,
        points_in_window,

        -- decay
        decay_method,
        decay_full_days,
        decay_half_life_days,
        decay_percent,
        decay_period_days,
        decay_window_days,

        -- timestamps
        occurred_at,
        occurred_date,
        {%- if window_start %}
        case
            when occurred_date < cast('{{ window_start }}' as date) then cast('{{ window_start }}' as date)
            else occurred_date
        end as scored_from,
        {%- else %}
            occurred_date as scored_from,
        {%- endif %}
        loaded_at

    from capped

)

select * from final
