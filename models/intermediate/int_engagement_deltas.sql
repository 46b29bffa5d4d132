-- How engagement and event-based negative points change over time, per contact, model
-- version and day: each counted event adds its points on the day it occurred and changes
-- them on each decay boundary. A score on day D is the sum of the deltas up to D.
-- In an incremental run the deltas before the window are summed into one opening delta
-- on its first day, computed directly as the event's decayed value the day before (one
-- row per event, not one per boundary); only events young enough to still count are read.
{{ config(materialized='ephemeral') }}
{%- set window_start = history_window_start() %}
{%- set window_start_date = "cast('" ~ window_start ~ "' as date)" %}

with

rules as (

    select * from {{ ref('int_engagement_rules_resolved') }}

),

matches as (

    select * from {{ ref('int_event_rule_matches') }}
    where counted_points <> 0
    {%- if window_start %}
        and occurred_date >= {{ dbt.dateadd(
            'day',
            '-1 * (select max(decay_window_days) from rules)',
            "cast('" ~ window_start ~ "' as date)"
        ) }}
    {%- endif %}

),

boundaries as (

    select * from {{ ref('int_rule_decay_boundaries') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

valued as (

    -- points the event gives on the boundary day, and the day before it
    select
        matches.contact_id,
        matches.model_id,
        matches.model_version,
        matches.component,
        cast({{ dbt.dateadd('day', 'boundaries.age_days', 'matches.occurred_date') }} as date) as delta_date,
        cast(round(matches.counted_points * {{ leadscore.decay_factor(
            'boundaries.age_days', 'matches.decay_method', 'matches.decay_full_days',
            'matches.decay_half_life_days', 'matches.decay_percent',
            'matches.decay_period_days', 'matches.decay_window_days'
        ) }}, 2) as decimal(18, 2))
        - cast(round(matches.counted_points * {{ leadscore.decay_factor(
            'boundaries.age_days - 1', 'matches.decay_method', 'matches.decay_full_days',
            'matches.decay_half_life_days', 'matches.decay_percent',
            'matches.decay_period_days', 'matches.decay_window_days'
        ) }}, 2) as decimal(18, 2)) as delta_points
    from matches
    inner join boundaries
        on matches.model_id = boundaries.model_id
        and matches.model_version = boundaries.model_version
        and matches.rule_id = boundaries.rule_id
    {%- if window_start %}
        -- in a window, only the boundaries from its first day on (those before it are
        -- summed up in the opening value below)
        and boundaries.age_days >= {{ dbt.datediff('matches.occurred_date', window_start_date, 'day') }}
    {%- endif %}
    {%- if window_start %}

    union all

    -- the opening value on the window's first day: the sum of an older event's deltas
    -- before the window, which is what the event is worth the day before it (the deltas
    -- telescope: each is the value at a boundary minus the value the day before)
    select
        matches.contact_id,
        matches.model_id,
        matches.model_version,
        matches.component,
        {{ window_start_date }} as delta_date,
        cast(round(matches.counted_points * {{ leadscore.decay_factor(
            dbt.datediff('matches.occurred_date', window_start_date, 'day') ~ ' - 1',
            'matches.decay_method', 'matches.decay_full_days',
            'matches.decay_half_life_days', 'matches.decay_percent',
            'matches.decay_period_days', 'matches.decay_window_days'
        ) }}, 2) as decimal(18, 2)) as delta_points
    from matches
    where matches.occurred_date < {{ window_start_date }}
    {%- endif %}

),

final as (

    select
        valued.contact_id,
        valued.model_id,
        valued.model_version,
        valued.delta_date,
        sum(case when valued.component = 'engagement' then valued.delta_points else 0 end) as engagement_delta,
        sum(case when valued.component = 'negative' then valued.delta_points else 0 end) as negative_delta
    from valued
    cross join score_dates
    where valued.delta_date <= score_dates.score_date
        and valued.delta_points <> 0
    group by valued.contact_id, valued.model_id, valued.model_version, valued.delta_date

)

select * from final
