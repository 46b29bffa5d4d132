-- What each aggregate-behaviour rule (seed aggregate_rules) measures for a lead and the
-- points that gives, per contact, model version and rule, stored as intervals (valid
-- from the start of valid_from to the start of valid_to; 9999-12-31 while open). A row
-- starts on every day the measured value or the points change.
--
-- Measures, on each day d:
--   count        matching events in the trailing window: days d - window_days + 1 .. d
--   sum          the sum of the numeric event property sum_property over those events
--                (an event whose property is missing or not a number adds 0)
--   active_days  distinct days with a matching event in the trailing window
--   days_since   days since the last matching event (0 on its day; no value before one)
-- A bin gives its points while min_value <= value < max_value (blank max_value: no upper
-- bound). A window without a matching event measures 0 and earns nothing; for days_since
-- a lead that never had a matching event earns nothing.
--
-- Incremental by day, as int_lead_score_changes: a run recomputes the intervals from
-- history_window_start() (W) on and writes again the interval stored for the day before
-- W, closed anew. A windowed measure on a day from W on only sees events of its last
-- window_days days, so the run reads the events from W minus the longest window on;
-- days_since needs the last matching day before W, which the stored interval holds
-- (last_matched_date). Day-by-day runs and a full refresh store the same rows.
{{ config(
    materialized='incremental',
    incremental_strategy=leadscore.window_incremental_strategy(),
    window_column='valid_to',
    partition_by=leadscore.window_partition_by('valid_to'),
    on_schema_change='fail',
) }}
{%- set window_start = history_window_start() if is_incremental() else none %}

with

events as (

    select * from {{ ref('stg_raw__events') }}

),

rules as (

    select * from {{ ref('aggregate_rules') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

-- one row per rule: what it measures (the same on each of its bins, a seed test)
measures as (

    select distinct
        rules.model_id,
        rules.model_version,
        rules.rule_id,
        rules.measure,
        lower(rules.event_type) as event_type,
        rules.property,
        rules.operator,
        rules.value,
        rules.sum_property,
        rules.window_days
    from rules
    inner join models
        on rules.model_id = models.model_id
        and rules.model_version = models.model_version

),

bins as (

    select
        model_id,
        model_version,
        rule_id,
        component,
        min_value,
        max_value,
        points
    from rules

),

events_as_of as (

    select events.*
    from events
    cross join score_dates
    where events.occurred_date <= score_dates.score_date
    {%- if window_start %}
        -- what the longest window reaches back to (see matched)
        and events.occurred_date >= {{ dbt.dateadd(
            'day',
            '-1 * (select coalesce(max(measures.window_days), 0) from measures)',
            "cast('" ~ window_start ~ "' as date)",
        ) }}
    {%- endif %}

),

-- events of a rule's event type, and of any type for a rule without one
candidates as (

    select
        events_as_of.contact_id,
        events_as_of.occurred_date,
        events_as_of.properties,
        measures.*
    from events_as_of
    inner join measures
        on events_as_of.event_type = measures.event_type
    union all
    select
        events_as_of.contact_id,
        events_as_of.occurred_date,
        events_as_of.properties,
        measures.*
    from events_as_of
    cross join measures
    where measures.event_type is null

),

with_property_value as (

    select
        candidates.*,
        {{ leadscore.json_extract_text('candidates.properties', 'candidates.property') }}
            as property_value
    from candidates

),

matched as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        measure,
        window_days,
        occurred_date,
        cast(
            case
                when measure = 'sum' then coalesce({{ leadscore.to_number(
                    leadscore.json_extract_text('properties', 'sum_property')
                ) }}, 0)
                else 1
            end as decimal(18, 4)
        ) as amount
    from with_property_value
    where
        property is null
        or {{ leadscore.field_matches(
            'property_value',
            leadscore.to_number('property_value'),
            'operator', 'value', 'cast(null as ' ~ dbt.type_string() ~ ')'
        ) }}

),

matched_days as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        measure,
        window_days,
        occurred_date,
        case when measure = 'active_days' then 1 else sum(amount) end as amount
    from matched
    {%- if window_start %}
    -- the events a day from W on can see: a window's last window_days days; for
    -- days_since the days from W on (the last one before W comes from the history)
    where occurred_date >= {{ dbt.dateadd(
        'day',
        "-1 * case when measure = 'days_since' then 0 else window_days end",
        "cast('" ~ window_start ~ "' as date)",
    ) }}
    {%- endif %}
    group by contact_id, model_id, model_version, rule_id, measure, window_days, occurred_date

),

-- windowed measures: each day's amount enters the window on its day and leaves it
-- window_days later
window_steps as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        occurred_date as step_date,
        occurred_date as matched_date,
        amount as value_step
    from matched_days
    where measure <> 'days_since'
    union all
    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        cast({{ dbt.dateadd('day', 'window_days', 'occurred_date') }} as date) as step_date,
        cast(null as date) as matched_date,
        -amount as value_step
    from matched_days
    where measure <> 'days_since'

),

window_values as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        step_date,
        sum(sum(value_step)) over by_rule_so_far as measured_value,
        max(max(matched_date)) over by_rule_so_far as last_matched_date
    from window_steps
    group by contact_id, model_id, model_version, rule_id, step_date
    window by_rule_so_far as (
        partition by contact_id, model_id, model_version, rule_id
        order by step_date
        rows between unbounded preceding and current row
    )

),

window_levels as (

    select
        window_values.contact_id,
        window_values.model_id,
        window_values.model_version,
        window_values.rule_id,
        window_values.step_date,
        window_values.measured_value,
        window_values.last_matched_date,
        coalesce(sum(case when bins.component = 'engagement' then bins.points end), 0)
            as engagement_points,
        coalesce(sum(case when bins.component = 'negative' then bins.points end), 0)
            as negative_points
    from window_values
    left join bins
        on window_values.model_id = bins.model_id
        and window_values.model_version = bins.model_version
        and window_values.rule_id = bins.rule_id
        and window_values.measured_value >= bins.min_value
        and (bins.max_value is null or window_values.measured_value < bins.max_value)
    group by
        window_values.contact_id,
        window_values.model_id,
        window_values.model_version,
        window_values.rule_id,
        window_values.step_date,
        window_values.measured_value,
        window_values.last_matched_date

),

-- days_since: after each matching day, each bin holds from min_value days later until
-- max_value days later or the next matching day, whichever comes first
recency_days as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        occurred_date
    from matched_days
    where measure = 'days_since'
    {%- if window_start %}
    union all
    -- the last matching day before W, as the interval stored for the day before W holds it
    select
        stored.contact_id,
        stored.model_id,
        stored.model_version,
        stored.rule_id,
        stored.last_matched_date as occurred_date
    from {{ this }} as stored
    inner join measures
        on stored.model_id = measures.model_id
        and stored.model_version = measures.model_version
        and stored.rule_id = measures.rule_id
    where
        measures.measure = 'days_since'
        and stored.valid_from < cast('{{ window_start }}' as date)
        and stored.valid_to >= cast('{{ window_start }}' as date)
        and stored.last_matched_date is not null
    {%- endif %}

),

recency_spans as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        occurred_date,
        lead(occurred_date) over (
            partition by contact_id, model_id, model_version, rule_id order by occurred_date
        ) as next_date
    from recency_days

),

recency_bins as (

    select
        recency_spans.*,
        bins.component,
        bins.points,
        cast({{ dbt.dateadd(
            'day', 'cast(bins.min_value as ' ~ dbt.type_int() ~ ')', 'recency_spans.occurred_date'
        ) }} as date) as bin_start,
        cast({{ dbt.dateadd(
            'day', 'cast(bins.max_value as ' ~ dbt.type_int() ~ ')', 'recency_spans.occurred_date'
        ) }} as date) as bin_end
    from recency_spans
    inner join bins
        on recency_spans.model_id = bins.model_id
        and recency_spans.model_version = bins.model_version
        and recency_spans.rule_id = bins.rule_id

),

recency_steps as (

    -- the matching day itself: the value starts again from 0
    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        occurred_date as step_date,
        occurred_date as matched_date,
        0 as engagement_step,
        0 as negative_step
    from recency_spans
    union all
    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        bin_start as step_date,
        cast(null as date) as matched_date,
        case when component = 'engagement' then points else 0 end as engagement_step,
        case when component = 'negative' then points else 0 end as negative_step
    from recency_bins
    where next_date is null or bin_start < next_date
    union all
    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        case
            when next_date is null or bin_end < next_date then bin_end else next_date
        end as step_date,
        cast(null as date) as matched_date,
        case when component = 'engagement' then -points else 0 end as engagement_step,
        case when component = 'negative' then -points else 0 end as negative_step
    from recency_bins
    where
        (next_date is null or bin_start < next_date)
        and (bin_end is not null or next_date is not null)

),

recency_levels as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        step_date,
        sum(sum(engagement_step)) over by_rule_so_far as engagement_points,
        sum(sum(negative_step)) over by_rule_so_far as negative_points,
        max(max(matched_date)) over by_rule_so_far as last_matched_date
    from recency_steps
    group by contact_id, model_id, model_version, rule_id, step_date
    window by_rule_so_far as (
        partition by contact_id, model_id, model_version, rule_id
        order by step_date
        rows between unbounded preceding and current row
    )

),

levels as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        step_date,
        measured_value,
        last_matched_date,
        engagement_points,
        negative_points
    from window_levels
    union all
    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        step_date,
        cast({{ dbt.datediff('last_matched_date', 'step_date', 'day') }} as decimal(18, 4)) as measured_value,  -- noqa: LT05
        last_matched_date,
        engagement_points,
        negative_points
    from recency_levels

),

-- the levels of the days the run writes (from W on), and the interval stored for the
-- day before W, which is written again with its new end
levels_to_write as (

    select
        levels.*,
        false as is_stored,
        cast(null as decimal(18, 2)) as stored_engagement_delta,
        cast(null as decimal(18, 2)) as stored_negative_delta
    from levels
    cross join score_dates
    where levels.step_date <= score_dates.score_date
    {%- if window_start %}
        and levels.step_date >= cast('{{ window_start }}' as date)
    {%- endif %}
    {%- if window_start %}
    union all
    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        valid_from as step_date,
        measured_value,
        last_matched_date,
        engagement_points,
        negative_points,
        true as is_stored,
        engagement_delta as stored_engagement_delta,
        negative_delta as stored_negative_delta
    from {{ this }}
    where
        valid_from < cast('{{ window_start }}' as date)
        and valid_to >= cast('{{ window_start }}' as date)
    {%- endif %}

),

final as (

    select
        -- ids
        contact_id,
        model_id,
        model_version,
        rule_id,

        -- validity
        step_date as valid_from,
        cast(coalesce(
            lead(step_date) over by_rule,
            cast('9999-12-31' as date)
        ) as date) as valid_to,

        -- what was measured (for days_since: on valid_from, one more each day after)
        cast(measured_value as decimal(18, 4)) as measured_value,
        last_matched_date,

        -- points from valid_from on, and their change that day
        cast(engagement_points as decimal(18, 2)) as engagement_points,
        cast(negative_points as decimal(18, 2)) as negative_points,
        cast(
            case
                when is_stored then stored_engagement_delta
                else engagement_points - coalesce(lag(engagement_points) over by_rule, 0)
            end as decimal(18, 2)
        ) as engagement_delta,
        cast(
            case
                when is_stored then stored_negative_delta
                else negative_points - coalesce(lag(negative_points) over by_rule, 0)
            end as decimal(18, 2)
        ) as negative_delta

    from levels_to_write
    window by_rule as (
        partition by contact_id, model_id, model_version, rule_id
        order by step_date
    )

)

select * from final
