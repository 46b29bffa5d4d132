-- Every aggregate rule row can be evaluated as documented in the seed: a windowed
-- measure has a positive window and bins above 0 (a window without a matching event
-- measures 0 and earns nothing), a sum names the property it sums, days_since has no
-- window and whole-day bins from 0 days on, and its model version exists.
with

rules as (

    select * from {{ ref('aggregate_rules') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

final as (

    select
        rules.model_id,
        rules.model_version,
        rules.rule_id,
        rules.min_value
    from rules
    left join models
        on rules.model_id = models.model_id
        and rules.model_version = models.model_version
    where
        models.model_id is null
        or rules.points is null
        or (
            rules.measure in ('count', 'sum', 'active_days')
            and (
                rules.window_days is null
                or rules.window_days < 1
                or rules.min_value <= 0
            )
        )
        or (rules.measure = 'sum' and rules.sum_property is null)
        or (rules.measure <> 'sum' and rules.sum_property is not null)
        or (
            rules.measure = 'days_since'
            and (
                rules.window_days is not null
                or rules.min_value < 0
                or rules.min_value <> floor(rules.min_value)
                or rules.max_value <> floor(rules.max_value)
            )
        )

)

select * from final
