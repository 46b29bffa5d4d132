-- The events behind each engagement rule's points in score_contributions: per scored lead,
-- model version and rule, every event that still gives points on the score date, with
-- its points after caps (before decay) and now (after decay). Ids, types, days and points
-- only: an event's properties (URLs, form fields) never leave the warehouse.
--
-- The events and their points are int_engagement_event_points', which int_engagement_points
-- sums: each rule's events add up to its points there (and in score_contributions).
with

event_points as (

    select * from {{ ref('int_engagement_event_points') }}

),

rule_seeds as (

    select * from {{ ref('engagement_rules') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

-- an event capped to nothing, or decayed to nothing, no longer counts: it is not evidence
counting as (

    select * from event_points
    where points <> 0

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
