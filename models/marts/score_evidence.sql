-- The events behind each engagement rule's points in score_contributions: per scored lead,
-- model version and rule, every event that still gives points on the score date, with
-- its points after caps (before decay) and now (after decay). Ids, types, days and points
-- only: an event's properties (URLs, form fields) never leave the warehouse.
--
-- Decay, the window and engagement resets are those of int_engagement_points, event by
-- event, so each rule's events add up to its points there (and in score_contributions).
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

),

rules as (

    select * from {{ ref('int_engagement_rules_resolved') }}

),

rule_seeds as (

    select * from {{ ref('engagement_rules') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

members as (

    select * from {{ ref('int_segment_members') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

resets as (

    select * from {{ ref('int_engagement_resets') }}

),

-- engagement counts from the latest reset on (sales recycled the lead), as in
-- int_engagement_points
latest_resets as (

    select
        resets.contact_id,
        resets.model_id,
        resets.model_version,
        max(resets.reset_date) as reset_date
    from resets
    cross join score_dates
    where resets.reset_date <= score_dates.score_date
    group by resets.contact_id, resets.model_id, resets.model_version

),

aged as (

    select
        matches.*,
        score_dates.score_date,
        rules.event_type,
        {{ leadscore.decay_columns('rules') }},
        {{ dbt.datediff('matches.occurred_date', 'score_dates.score_date', 'day') }} as age_days  -- noqa: LT05
    from matches
    inner join rules
        on matches.model_id = rules.model_id
        and matches.model_version = rules.model_version
        and matches.rule_id = rules.rule_id
    cross join score_dates
    left join latest_resets
        on matches.contact_id = latest_resets.contact_id
        and matches.model_id = latest_resets.model_id
        and matches.model_version = latest_resets.model_version
    where
        matches.occurred_date  -- noqa: LT05
        > {{ dbt.dateadd('day', '-1 * rules.decay_window_days', 'score_dates.score_date') }}
        and matches.occurred_date <= score_dates.score_date
        and (
            rules.component <> 'engagement'
            or latest_resets.reset_date is null
            or matches.occurred_date >= latest_resets.reset_date
        )

),

decayed as (

    select
        aged.*,
        {{ leadscore.decayed_points('aged.counted_points', 'aged.age_days', 'aged') }} as points
    from aged

),

-- an event capped to nothing, or decayed to nothing, no longer counts: it is not evidence
counting as (

    select decayed.*
    from decayed
    inner join members
        on decayed.contact_id = members.contact_id
        and decayed.model_id = members.model_id
        and decayed.model_version = members.model_version
    where
        decayed.age_days < decayed.decay_window_days
        and decayed.points <> 0

),

final as (

    select
        -- ids
        cast(counting.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(counting.model_id as {{ dbt.type_string() }}) as model_id,
        cast(counting.model_version as {{ dbt.type_int() }}) as model_version,
        cast(counting.rule_id as {{ dbt.type_string() }}) as rule_id,
        cast(counting.event_id as {{ dbt.type_string() }}) as event_id,
        counting.score_date,
        models.is_active as is_active_version,

        -- rule
        cast(counting.component as {{ dbt.type_string() }}) as component,
        cast(rule_seeds.buying_stage as {{ dbt.type_string() }}) as buying_stage,

        -- event
        cast(counting.event_type as {{ dbt.type_string() }}) as event_type,
        counting.occurred_date,
        counting.scored_from,
        cast(counting.age_days as {{ dbt.type_int() }}) as age_days,

        -- points
        cast(counting.counted_points as decimal(18, 2)) as counted_points,
        cast(counting.points as decimal(18, 2)) as points

    from counting
    inner join rule_seeds
        on counting.model_id = rule_seeds.model_id
        and counting.model_version = rule_seeds.model_version
        and counting.rule_id = rule_seeds.rule_id
    inner join models
        on counting.model_id = models.model_id
        and counting.model_version = models.model_version

)

select * from final
