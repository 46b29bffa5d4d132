-- A lead's buying stage under each model version, as intervals (valid from the start of
-- valid_from to the start of valid_to; 9999-12-31 while open): how many counted events of
-- each stage still count, the furthest stage among them (decision > evaluation >
-- discovery; null when none does) and the first day of the current run of days with
-- that stage (stage_entered_on; for a null stage, the day the last one stopped counting).
-- An event counts for its stage from the day it starts counting (scored_from) until its
-- points are gone: the first decay boundary at which its counted points, after decay,
-- round to zero (at the latest its rule's decay window), or until an engagement reset
-- (a recycled lead: int_engagement_resets) after the day it occurred. Events that a cap
-- leaves without points never count; decay that only reduces the points keeps the stage.
--
-- Incremental by day, as int_event_points_balanced: a run reads the interval stored for
-- the day before its window (the opening counts) and adds the events that start
-- counting in the window and those that stop counting there. Intervals reaching into
-- the window are replaced (window_column valid_to), the opening one written again.
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

    select
        event_id,
        contact_id,
        model_id,
        model_version,
        rule_id,
        counted_points,
        occurred_date,
        scored_from
    from {{ ref('int_event_rule_matches') }}
    where counted_points > 0

),

stages as (

    select
        model_id,
        model_version,
        rule_id,
        buying_stage
    from {{ ref('engagement_rules') }}
    where buying_stage is not null

),

rules as (

    select * from {{ ref('int_engagement_rules_resolved') }}

),

boundaries as (

    select * from {{ ref('int_rule_decay_boundaries') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

resets as (

    select * from {{ ref('int_engagement_resets') }}

),

staged_events as (

    -- in a window: the events that start counting there, and those that started before
    -- and may stop counting there (young enough to be inside their decay window)
    select
        matches.*,
        stages.buying_stage,
        {{ leadscore.decay_columns('rules') }}
    from matches
    inner join stages
        on matches.model_id = stages.model_id
        and matches.model_version = stages.model_version
        and matches.rule_id = stages.rule_id
    inner join rules
        on matches.model_id = rules.model_id
        and matches.model_version = rules.model_version
        and matches.rule_id = rules.rule_id
    {%- if window_start %}
    where
        matches.scored_from >= {{ window_start_date }}
        or matches.occurred_date >= {{ dbt.dateadd('day', '-1 * rules.decay_window_days', window_start_date) }}
    {%- endif %}

),

zero_ages as (

    -- the first decay boundary at which the event's points, decayed and rounded as in
    -- the scores, are zero: the hard window at the latest
    select
        staged_events.event_id,
        staged_events.contact_id,
        staged_events.model_id,
        staged_events.model_version,
        staged_events.rule_id,
        staged_events.occurred_date,
        staged_events.scored_from,
        staged_events.buying_stage,
        min(boundaries.age_days) as zero_age
    from staged_events
    inner join boundaries
        on staged_events.model_id = boundaries.model_id
        and staged_events.model_version = boundaries.model_version
        and staged_events.rule_id = boundaries.rule_id
        and boundaries.age_days > 0
        and {{ leadscore.decayed_points(
            'staged_events.counted_points', 'boundaries.age_days', 'staged_events'
        ) }} = 0
    group by
        staged_events.event_id,
        staged_events.contact_id,
        staged_events.model_id,
        staged_events.model_version,
        staged_events.rule_id,
        staged_events.occurred_date,
        staged_events.scored_from,
        staged_events.buying_stage,
        staged_events.counted_points

),

spans as (

    -- the days an event counts for its stage: [counts_from, counts_until), ended early by
    -- the first engagement reset after the day it occurred (sales recycled the lead), as
    -- in int_event_points_balanced
    select
        zero_ages.contact_id,
        zero_ages.model_id,
        zero_ages.model_version,
        zero_ages.buying_stage,
        zero_ages.scored_from as counts_from,
        least(
            cast({{ dbt.dateadd('day', 'zero_ages.zero_age', 'zero_ages.occurred_date') }} as date),
            coalesce(min(resets.reset_date), cast('9999-12-31' as date))
        ) as counts_until
    from zero_ages
    left join resets
        on zero_ages.contact_id = resets.contact_id
        and zero_ages.model_id = resets.model_id
        and zero_ages.model_version = resets.model_version
        and zero_ages.occurred_date < resets.reset_date
    group by
        zero_ages.event_id,
        zero_ages.contact_id,
        zero_ages.model_id,
        zero_ages.model_version,
        zero_ages.rule_id,
        zero_ages.buying_stage,
        zero_ages.scored_from,
        zero_ages.occurred_date,
        zero_ages.zero_age

),

deltas as (

    select
        spans.contact_id,
        spans.model_id,
        spans.model_version,
        spans.buying_stage,
        spans.counts_from as delta_date,
        1 as delta_events
    from spans
    cross join score_dates
    where
        spans.counts_from < spans.counts_until
        and spans.counts_from <= score_dates.score_date
    {%- if window_start %}
        and spans.counts_from >= {{ window_start_date }}
    {%- endif %}

    union all

    select
        spans.contact_id,
        spans.model_id,
        spans.model_version,
        spans.buying_stage,
        spans.counts_until as delta_date,
        -1 as delta_events
    from spans
    cross join score_dates
    where
        spans.counts_from < spans.counts_until
        and spans.counts_until <= score_dates.score_date
    {%- if window_start %}
        and spans.counts_until >= {{ window_start_date }}
    {%- endif %}

),

daily as (

    -- days whose starts and ends cancel out change nothing and are left out
    select
        contact_id,
        model_id,
        model_version,
        delta_date as valid_from,
        sum(case when buying_stage = 'discovery' then delta_events else 0 end) as discovery_delta,
        sum(case when buying_stage = 'evaluation' then delta_events else 0 end) as evaluation_delta,
        sum(case when buying_stage = 'decision' then delta_events else 0 end) as decision_delta,
        false as is_opening,
        cast(null as date) as stored_stage_entered_on
    from deltas
    group by contact_id, model_id, model_version, delta_date
    having
        sum(case when buying_stage = 'discovery' then delta_events else 0 end) <> 0
        or sum(case when buying_stage = 'evaluation' then delta_events else 0 end) <> 0
        or sum(case when buying_stage = 'decision' then delta_events else 0 end) <> 0

),

balances as (

    select * from daily
    {%- if window_start %}
    union all
    -- the interval stored for the day before the window: the opening counts, and the day
    -- its stage was entered
    select
        contact_id,
        model_id,
        model_version,
        valid_from,
        discovery_events as discovery_delta,
        evaluation_events as evaluation_delta,
        decision_events as decision_delta,
        true as is_opening,
        stage_entered_on as stored_stage_entered_on
    from {{ this }}
    where valid_from < {{ window_start_date }}
        and valid_to >= {{ window_start_date }}
    {%- endif %}

),

counted as (

    select
        contact_id,
        model_id,
        model_version,
        valid_from,
        is_opening,
        stored_stage_entered_on,
        sum(discovery_delta) over by_lead_so_far as discovery_events,
        sum(evaluation_delta) over by_lead_so_far as evaluation_events,
        sum(decision_delta) over by_lead_so_far as decision_events
    from balances
    window by_lead_so_far as (
        partition by contact_id, model_id, model_version
        order by valid_from
        rows between unbounded preceding and current row
    )

),

staged as (

    select
        counted.*,
        case
            when counted.decision_events > 0 then 'decision'
            when counted.evaluation_events > 0 then 'evaluation'
            when counted.discovery_events > 0 then 'discovery'
        end as buying_stage
    from counted

),

compared as (

    select
        staged.*,
        lag(staged.buying_stage) over by_lead as previous_stage,
        row_number() over by_lead as interval_number
    from staged
    window by_lead as (partition by contact_id, model_id, model_version order by valid_from)

),

entered as (

    -- a run of days with one stage starts where the stage differs from the day before
    -- (the opening interval keeps the day stored with it)
    select
        compared.*,
        case
            when compared.is_opening then compared.stored_stage_entered_on
            when
                compared.interval_number = 1
                or coalesce(compared.buying_stage, '') <> coalesce(compared.previous_stage, '')
                then compared.valid_from
        end as run_started_on
    from compared

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

        -- events that count, per stage
        cast(discovery_events as {{ dbt.type_int() }}) as discovery_events,
        cast(evaluation_events as {{ dbt.type_int() }}) as evaluation_events,
        cast(decision_events as {{ dbt.type_int() }}) as decision_events,

        -- stage
        cast(buying_stage as {{ dbt.type_string() }}) as buying_stage,
        cast(max(run_started_on) over by_lead_so_far as date) as stage_entered_on

    from entered
    window
        by_lead as (partition by contact_id, model_id, model_version order by valid_from),
        by_lead_so_far as (
            partition by contact_id, model_id, model_version
            order by valid_from
            rows between unbounded preceding and current row
        )

)

select * from final
