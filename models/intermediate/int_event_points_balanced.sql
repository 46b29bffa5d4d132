-- What the events counted so far are worth, per contact, model version and day that
-- changes: engagement and event-based negative points after decay, stored as intervals
-- (valid from the start of valid_from to the start of valid_to; 9999-12-31 while open).
-- An event adds its points on the day it starts counting (scored_from) and changes them
-- on each decay boundary after it; the deltas are rounded values minus rounded values,
-- so they add up to each event's rounded value on every day.
--
-- Incremental by day: a run reads the interval stored for the day before its window
-- (the opening balance) and adds only the deltas dated inside the window: the events
-- that start counting there and those whose age reaches a decay boundary there. That
-- is a few days of events per boundary, not every event still young enough to count,
-- so a day's cost does not grow with history. Intervals reaching into the window are
-- replaced (window_column valid_to), so the opening one is written again, closed anew.
{{ config(
    materialized='incremental',
    incremental_strategy=leadscore.window_incremental_strategy(),
    window_column='valid_to',
    partition_by=leadscore.window_partition_by('valid_to'),
    on_schema_change='fail',
    tags=['history'],
) }}
{%- set window_start = history_window_start() if is_incremental() else none %}
{%- set window_start_date = "cast('" ~ window_start ~ "' as date)" %}

with

matches as (

    select * from {{ ref('int_event_rule_matches') }}
    where counted_points <> 0

),

boundaries as (

    select * from {{ ref('int_rule_decay_boundaries') }}

),

rules as (

    select * from {{ ref('int_engagement_rules_resolved') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

{%- if window_start %}

digits as (

    select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9

),

-- the days of the window (up to 10,000: a backfill of years is one window too)
window_days as (

    select cast({{ dbt.dateadd(
        'day', 'thousands.d * 1000 + hundreds.d * 100 + tens.d * 10 + ones.d', window_start_date
    ) }} as date) as delta_date
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as ones
    cross join score_dates
    where {{ dbt.dateadd(
        'day', 'thousands.d * 1000 + hundreds.d * 100 + tens.d * 10 + ones.d', window_start_date
    ) }} <= score_dates.score_date

),

-- each decay boundary after the first day, with the day an event must have occurred on
-- to reach it on a day of the window
boundary_days as (

    select
        boundaries.model_id,
        boundaries.model_version,
        boundaries.rule_id,
        boundaries.age_days,
        cast({{ dbt.dateadd('day', '-1 * boundaries.age_days', 'window_days.delta_date') }} as date) as occurred_date
    from boundaries
    cross join window_days
    where boundaries.age_days > 0

),

-- the events that can reach a boundary in the window (read by date range first, so
-- older events are skipped without being looked at)
aging_matches as (

    select matches.*
    from matches
    where matches.occurred_date >= {{ dbt.dateadd(
        'day', '-1 * (select max(decay_window_days) from rules)', window_start_date
    ) }}

),

{%- else %}

boundary_days as (

    select model_id, model_version, rule_id, age_days
    from boundaries
    where age_days > 0

),

aging_matches as (

    select * from matches

),

{%- endif %}

starts as (

    -- an event starts counting: worth its decayed value at that age (its full points,
    -- unless it landed later than the lookback and starts counting late)
    select
        matches.contact_id,
        matches.model_id,
        matches.model_version,
        matches.component,
        matches.scored_from as delta_date,
        cast(round(matches.counted_points * {{ leadscore.decay_factor(
            dbt.datediff('matches.occurred_date', 'matches.scored_from', 'day'),
            'matches.decay_method', 'matches.decay_full_days',
            'matches.decay_half_life_days', 'matches.decay_percent',
            'matches.decay_period_days', 'matches.decay_window_days'
        ) }}, 2) as decimal(18, 2)) as delta_points
    from matches
    cross join score_dates
    where matches.scored_from <= score_dates.score_date
    {%- if window_start %}
        and matches.scored_from >= {{ window_start_date }}
    {%- endif %}

),

steps as (

    -- an event reaches a decay boundary: its value there minus its value the day before
    select
        aging_matches.contact_id,
        aging_matches.model_id,
        aging_matches.model_version,
        aging_matches.component,
        cast({{ dbt.dateadd('day', 'boundary_days.age_days', 'aging_matches.occurred_date') }} as date) as delta_date,
        cast(round(aging_matches.counted_points * {{ leadscore.decay_factor(
            'boundary_days.age_days', 'aging_matches.decay_method', 'aging_matches.decay_full_days',
            'aging_matches.decay_half_life_days', 'aging_matches.decay_percent',
            'aging_matches.decay_period_days', 'aging_matches.decay_window_days'
        ) }}, 2) as decimal(18, 2))
        - cast(round(aging_matches.counted_points * {{ leadscore.decay_factor(
            'boundary_days.age_days - 1', 'aging_matches.decay_method', 'aging_matches.decay_full_days',
            'aging_matches.decay_half_life_days', 'aging_matches.decay_percent',
            'aging_matches.decay_period_days', 'aging_matches.decay_window_days'
        ) }}, 2) as decimal(18, 2)) as delta_points
    from aging_matches
    inner join boundary_days
        on aging_matches.model_id = boundary_days.model_id
        and aging_matches.model_version = boundary_days.model_version
        and aging_matches.rule_id = boundary_days.rule_id
        {%- if window_start %}
        and aging_matches.occurred_date = boundary_days.occurred_date
        {%- endif %}
    cross join score_dates
    where {{ dbt.dateadd('day', 'boundary_days.age_days', 'aging_matches.occurred_date') }} <= score_dates.score_date
        -- a late event's boundaries before it started counting are in its start value
        and {{ dbt.dateadd('day', 'boundary_days.age_days', 'aging_matches.occurred_date') }} > aging_matches.scored_from

),

daily as (

    select
        contact_id,
        model_id,
        model_version,
        delta_date as valid_from,
        sum(case when component = 'engagement' then delta_points else 0 end) as engagement_delta,
        sum(case when component = 'negative' then delta_points else 0 end) as negative_delta,
        false as is_opening,
        cast(null as decimal(18, 2)) as stored_engagement_delta,
        cast(null as decimal(18, 2)) as stored_negative_delta
    from (
        select * from starts
        union all
        select * from steps
    ) as deltas
    where delta_points <> 0
    group by contact_id, model_id, model_version, delta_date

),

balances as (

    select * from daily
    {%- if window_start %}
    union all
    -- the interval stored for the day before the window: the opening balance
    select
        contact_id,
        model_id,
        model_version,
        valid_from,
        engagement_points,
        negative_points,
        true as is_opening,
        engagement_delta,
        negative_delta
    from {{ this }}
    where valid_from < {{ window_start_date }}
        and valid_to >= {{ window_start_date }}
    {%- endif %}

),

running as (

    select
        contact_id,
        model_id,
        model_version,
        valid_from,
        is_opening,
        stored_engagement_delta,
        stored_negative_delta,
        sum(engagement_delta) over by_lead as engagement_points,
        sum(negative_delta) over by_lead as negative_points
    from balances
    window by_lead as (
        partition by contact_id, model_id, model_version
        order by valid_from
        rows between unbounded preceding and current row
    )

),

compared as (

    select
        running.*,
        coalesce(lag(engagement_points) over by_lead, 0) as previous_engagement_points,
        coalesce(lag(negative_points) over by_lead, 0) as previous_negative_points
    from running
    window by_lead as (partition by contact_id, model_id, model_version order by valid_from)

),

changed as (

    select * from compared
    where is_opening
        or engagement_points <> previous_engagement_points
        or negative_points <> previous_negative_points

),

final as (

    select
        -- ids
        contact_id,
        model_id,
        model_version,

        -- validity
        valid_from,
        cast(coalesce(
            lead(valid_from) over (partition by contact_id, model_id, model_version order by valid_from),
            cast('9999-12-31' as date)
        ) as date) as valid_to,

        -- points: the balance, and its change from the interval before (the opening
        -- interval keeps the change it was stored with)
        cast(engagement_points as decimal(18, 2)) as engagement_points,
        cast(negative_points as decimal(18, 2)) as negative_points,
        cast(case
            when is_opening then stored_engagement_delta
            else engagement_points - previous_engagement_points
        end as decimal(18, 2)) as engagement_delta,
        cast(case
            when is_opening then stored_negative_delta
            else negative_points - previous_negative_points
        end as decimal(18, 2)) as negative_delta

    from changed

)

select * from final
