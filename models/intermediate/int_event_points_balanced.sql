-- What the events counted so far are worth, per contact, model version and day that
-- changes: engagement and event-based negative points after decay, stored as intervals
-- (valid from the start of valid_from to the start of valid_to; 9999-12-31 while open).
-- An event adds its points on the day it starts counting (scored_from) and changes them
-- on each decay boundary after it; the deltas are rounded values minus rounded values,
-- so they add up to each event's rounded value on every day. An engagement reset (sales
-- recycled the lead, int_engagement_resets) ends the engagement points of every event
-- that occurred before it: on the reset's day a delta of minus the event's value, and no
-- decay step after.
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
{#- the first day a delta may be dated: the window's, or any day in a full recompute #}
{%- set first_delta_date = window_start_date if window_start else "cast('1900-01-01' as date)" %}

with

-- the events that start counting (in a window: there; the filter reaches the scan)
starting_events as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        counted_points,
        occurred_date,
        scored_from
    from {{ ref('int_event_rule_matches') }}
    where counted_points <> 0
    {%- if window_start %}
        and scored_from >= {{ window_start_date }}
    {%- endif %}

),

-- the events that may reach a decay boundary (only the narrow columns: decay comes
-- from the rules)
aging_events as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        counted_points,
        occurred_date,
        scored_from
    from {{ ref('int_event_rule_matches') }}
    where counted_points <> 0

),

resets as (

    select * from {{ ref('int_engagement_resets') }}

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

-- between two engagement resets of a lead: an event that occurred on or after after_date
-- and before reset_date is reset on reset_date (rules of component negative ignore it)
reset_spans as (

    select
        contact_id,
        model_id,
        model_version,
        reset_date,
        coalesce(
            lag(reset_date) over (
                partition by contact_id, model_id, model_version order by reset_date
            ),
            cast('1900-01-01' as date)
        ) as after_date
    from resets

),

starts as (

    -- an event starts counting: worth its decayed value at that age (its full points,
    -- unless it landed later than the lookback and starts counting late)
    select
        starting_events.contact_id,
        starting_events.model_id,
        starting_events.model_version,
        rules.component,
        starting_events.scored_from as delta_date,
        {{ leadscore.decayed_points(
            'starting_events.counted_points',
            dbt.datediff('starting_events.occurred_date', 'starting_events.scored_from', 'day'),
            'rules'
        ) }} as delta_points
    from starting_events
    inner join rules
        on starting_events.model_id = rules.model_id
        and starting_events.model_version = rules.model_version
        and starting_events.rule_id = rules.rule_id
    cross join score_dates
    left join reset_spans
        on starting_events.contact_id = reset_spans.contact_id
        and starting_events.model_id = reset_spans.model_id
        and starting_events.model_version = reset_spans.model_version
        and starting_events.occurred_date >= reset_spans.after_date
        and starting_events.occurred_date < reset_spans.reset_date
    where
        starting_events.scored_from <= score_dates.score_date
        -- an event reset before it starts counting never counts
        and (
            rules.component <> 'engagement'
            or reset_spans.reset_date is null
            or reset_spans.reset_date > starting_events.scored_from
        )

),

aging as (

    -- the ages (days since it occurred) at which an event can still change a stored
    -- day: after it started counting, in the window, up to the score date (and before
    -- its engagement reset)
    select
        aging_events.*,
        case when rules.component = 'engagement' then reset_spans.reset_date end as reset_date,
        {{ leadscore.decay_columns('rules') }},
        greatest(
            {%- if window_start %}
            {{ dbt.datediff('aging_events.occurred_date', window_start_date, 'day') }},  -- noqa: LT05
            {%- endif %}
            {{ dbt.datediff('aging_events.occurred_date', 'aging_events.scored_from', 'day') }} + 1,  -- noqa: LT05
            1
        ) as first_age,
        least(
            {{ dbt.datediff('aging_events.occurred_date', 'score_dates.score_date', 'day') }},  -- noqa: LT05
            coalesce(
                case
                    when rules.component = 'engagement'
                        then {{ dbt.datediff('aging_events.occurred_date', 'reset_spans.reset_date', 'day') }} - 1  -- noqa: LT05
                end,
                {{ dbt.datediff('aging_events.occurred_date', 'score_dates.score_date', 'day') }}  -- noqa: LT05
            )
        ) as last_age
    from aging_events
    inner join rules
        on aging_events.model_id = rules.model_id
        and aging_events.model_version = rules.model_version
        and aging_events.rule_id = rules.rule_id
    cross join score_dates
    left join reset_spans
        on aging_events.contact_id = reset_spans.contact_id
        and aging_events.model_id = reset_spans.model_id
        and aging_events.model_version = reset_spans.model_version
        and aging_events.occurred_date >= reset_spans.after_date
        and aging_events.occurred_date < reset_spans.reset_date
    {%- if window_start %}
    where aging_events.occurred_date >= {{ dbt.dateadd('day', '-1 * rules.decay_window_days', window_start_date) }}
    {%- endif %}

),

aging_in_window as (

    -- in a window, the events that reach a boundary between first_age and last_age: the
    -- hard window's end, or the first decay step at or after first_age (steps start at
    -- full_days and follow every period_days). Worked out per event, so the few events
    -- that do are found without pairing every event with every boundary.
    select aging.*
    from aging
    {%- if window_start %}
    where
        aging.decay_window_days between aging.first_age and aging.last_age
        or (
            aging.decay_method in ('percent', 'half_life')
            and case
                when aging.first_age <= aging.decay_full_days then aging.decay_full_days
                else aging.decay_full_days + aging.decay_period_days * ceil(
                    (aging.first_age - aging.decay_full_days)
                    / {{ dbt.safe_cast('aging.decay_period_days', dbt.type_float()) }}
                )
            end <= least(aging.last_age, aging.decay_window_days - 1)
        )
    {%- endif %}

),

steps as (

    -- an event reaches a decay boundary: its value there minus its value the day before
    select
        aging_in_window.contact_id,
        aging_in_window.model_id,
        aging_in_window.model_version,
        aging_in_window.component,
        cast({{ dbt.dateadd('day', 'boundaries.age_days', 'aging_in_window.occurred_date') }} as date) as delta_date,  -- noqa: LT05
        {{ leadscore.decayed_points(
            'aging_in_window.counted_points', 'boundaries.age_days', 'aging_in_window'
        ) }}
        - {{ leadscore.decayed_points(
            'aging_in_window.counted_points', 'boundaries.age_days - 1', 'aging_in_window'
        ) }} as delta_points
    from aging_in_window
    inner join boundaries
        on aging_in_window.model_id = boundaries.model_id
        and aging_in_window.model_version = boundaries.model_version
        and aging_in_window.rule_id = boundaries.rule_id
        and boundaries.age_days between aging_in_window.first_age and aging_in_window.last_age

),

reset_ends as (

    -- an event that counted is reset: minus its value the day before the reset (in a
    -- window: resets dated there)
    select
        aging.contact_id,
        aging.model_id,
        aging.model_version,
        aging.component,
        aging.reset_date as delta_date,
        -1 * {{ leadscore.decayed_points(
            'aging.counted_points',
            dbt.datediff('aging.occurred_date', 'aging.reset_date', 'day') ~ ' - 1',
            'aging'
        ) }} as delta_points
    from aging
    cross join score_dates
    where
        aging.reset_date > aging.scored_from
        and aging.reset_date >= {{ first_delta_date }}
        and aging.reset_date <= score_dates.score_date

),

deltas as (

    select * from starts
    union all
    select * from steps
    union all
    select * from reset_ends

),

daily as (

    -- days whose deltas cancel out change nothing and are left out
    select
        contact_id,
        model_id,
        model_version,
        delta_date as valid_from,
        sum(case when component = 'engagement' then delta_points else 0 end) as engagement_delta,
        sum(case when component = 'negative' then delta_points else 0 end) as negative_delta,
        false as is_opening
    from deltas
    group by contact_id, model_id, model_version, delta_date
    having
        sum(case when component = 'engagement' then delta_points else 0 end) <> 0
        or sum(case when component = 'negative' then delta_points else 0 end) <> 0

),

balances as (

    select
        daily.*,
        daily.engagement_delta as running_engagement_delta,
        daily.negative_delta as running_negative_delta
    from daily
    {%- if window_start %}
    union all
    -- the interval stored for the day before the window: the opening balance, which
    -- keeps the change it was stored with
    select
        contact_id,
        model_id,
        model_version,
        valid_from,
        engagement_delta,
        negative_delta,
        true as is_opening,
        engagement_points as running_engagement_delta,
        negative_points as running_negative_delta
    from {{ this }}
    where valid_from < {{ window_start_date }}
        and valid_to >= {{ window_start_date }}
    {%- endif %}

),

final as (

    select
        -- ids
        contact_id,
        model_id,
        model_version,

        -- validity
        valid_from,
        cast(
            coalesce(lead(valid_from) over by_lead, cast('9999-12-31' as date)) as date
        ) as valid_to,

        -- points: the balance, and its change from the interval before
        cast(
            sum(running_engagement_delta) over by_lead_so_far as decimal(18, 2)
        ) as engagement_points,
        cast(
            sum(running_negative_delta) over by_lead_so_far as decimal(18, 2)
        ) as negative_points,
        cast(engagement_delta as decimal(18, 2)) as engagement_delta,
        cast(negative_delta as decimal(18, 2)) as negative_delta

    from balances
    window
        by_lead as (partition by contact_id, model_id, model_version order by valid_from),
        by_lead_so_far as (
            partition by contact_id, model_id, model_version
            order by valid_from
            rows between unbounded preceding and current row
        )

)

select * from final
