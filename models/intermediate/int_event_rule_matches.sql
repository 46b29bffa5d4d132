-- Each event that an engagement rule counts, with the points it earns before decay.
-- Caps count the first occurrences of each fixed cap period (counted from 1970-01-01),
-- so a later event never changes what an earlier day was given.
--
-- Incremental: a run recomputes the events of its window (see history_window_start),
-- carrying over the occurrences and points already counted earlier in each cap period.
-- Events that landed later than the window reaches back are matched by the first run
-- after they land, counted after what their cap period already holds, and count from
-- that run's first day on (scored_from); every other event counts from the day it
-- occurred.
{{ config(
    materialized='incremental',
    incremental_strategy=leadscore.window_incremental_strategy(),
    window_column='occurred_date',
    partition_by=leadscore.window_partition_by('occurred_date'),
    on_schema_change='fail',
) }}
{%- set window_start = history_window_start() if is_incremental() else none %}

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
        cast(floor(
            {{ dbt.datediff("cast('1970-01-01' as date)", 'occurred_date', 'day') }}
            / candidates.cap_window_days
        ) as {{ dbt.type_int() }}) as cap_period
    from candidates
    where
        candidates.property is null
        or {{ leadscore.field_matches(
            'property_value',
            leadscore.to_number('property_value'),
            'operator', 'value', 'cast(null as ' ~ dbt.type_string() ~ ')'
        ) }}

),

{%- if window_start %}

-- what earlier events already counted in the cap periods the window continues: only the
-- rows of the period each rule's window start falls in (not the whole of its longest period)
counted_before as (

    select
        stored.contact_id,
        stored.model_id,
        stored.model_version,
        stored.rule_id,
        stored.cap_period,
        max(stored.occurrence_in_period) as occurrences_before,
        max(stored.running_points) as points_before
    from {{ this }} as stored
    inner join rules_with_decay
        on stored.model_id = rules_with_decay.model_id
        and stored.model_version = rules_with_decay.model_version
        and stored.rule_id = rules_with_decay.rule_id
    where stored.occurred_date < cast('{{ window_start }}' as date)
        and stored.occurred_date >= {{ dbt.dateadd(
            'day', '-1 * (select max(cap_window_days) from rules_with_decay)',
            "cast('" ~ window_start ~ "' as date)"
        ) }}
        and stored.cap_period >= cast(floor(
            {{ dbt.datediff("cast('1970-01-01' as date)", "cast('" ~ window_start ~ "' as date)", 'day') }}
            / rules_with_decay.cap_window_days
        ) as {{ dbt.type_int() }})
    group by stored.contact_id, stored.model_id, stored.model_version, stored.rule_id, stored.cap_period

),

{%- endif %}

ranked as (

    select
        matched.*,
        {% if window_start %}coalesce(counted_before.occurrences_before, 0) + {% endif -%}
        row_number() over (
            partition by
                matched.contact_id, matched.model_id, matched.model_version,
                matched.rule_id, matched.cap_period
            order by matched.occurred_at, matched.event_id
        ) as occurrence_in_period,
        {% if window_start %}coalesce(counted_before.points_before, 0) + {% endif -%}
        sum(abs(matched.points)) over (
            partition by
                matched.contact_id, matched.model_id, matched.model_version,
                matched.rule_id, matched.cap_period
            order by matched.occurred_at, matched.event_id
            rows between unbounded preceding and current row
        ) as running_points
    from matched
    {%- if window_start %}
    left join counted_before
        on matched.contact_id = counted_before.contact_id
        and matched.model_id = counted_before.model_id
        and matched.model_version = counted_before.model_version
        and matched.rule_id = counted_before.rule_id
        and matched.cap_period = counted_before.cap_period
    {%- endif %}

),

capped as (

    select
        ranked.*,
        case
            when
                ranked.max_occurrences is not null
                and ranked.occurrence_in_period > ranked.max_occurrences
                then 0.0
            when ranked.max_points is not null
                then
                    case when ranked.points < 0 then -1.0 else 1.0 end
                    * greatest(
                        0.0,
                        least(
                            abs(ranked.points),
                            ranked.max_points - (ranked.running_points - abs(ranked.points))
                        )
                    )
            else ranked.points
        end as counted_points
    from ranked

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
        occurrence_in_period,
        running_points,
        cap_period,

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
