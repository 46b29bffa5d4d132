-- How engagement and event-based negative points change over time, per contact, model
-- version and day: each counted event adds its points on the day it occurred and changes
-- them on each decay boundary. A score on day D is the sum of the deltas up to D.
-- In an incremental run the deltas before the window are summed into one opening delta
-- on its first day; only events young enough to still count are read.
{{ config(materialized='ephemeral') }}
{%- set window_start = history_window_start() %}

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
        {%- set delta_date = "cast(" ~ dbt.dateadd('day', 'boundaries.age_days', 'matches.occurred_date') ~ " as date)" %}
        {%- if window_start %}
        case
            when {{ delta_date }} < cast('{{ window_start }}' as date) then cast('{{ window_start }}' as date)
            else {{ delta_date }}
        end as delta_date,
        {%- else %}
        {{ delta_date }} as delta_date,
        {%- endif %}
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
