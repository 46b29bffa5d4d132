-- Each engagement rule with the decay and cap it really uses: its own where set, else
-- its model's. One place for it, read by matching, decay boundaries and scoring.
with

rules as (

    select * from {{ ref('engagement_rules') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

final as (

    select
        -- ids
        rules.model_id,
        rules.model_version,
        rules.rule_id,

        -- what it matches
        lower(rules.event_type) as event_type,
        rules.property,
        rules.operator,
        rules.value,

        -- points and caps
        rules.points,
        rules.component,
        rules.max_occurrences,
        rules.max_points,
        coalesce(
            rules.cap_window_days,
            rules.decay_window_days,
            models.decay_window_days
        ) as cap_window_days,

        -- decay
        coalesce(rules.decay_method, models.decay_method) as decay_method,
        coalesce(rules.decay_full_days, models.decay_full_days) as decay_full_days,
        coalesce(rules.decay_half_life_days, models.decay_half_life_days) as decay_half_life_days,
        coalesce(rules.decay_percent, models.decay_percent) as decay_percent,
        coalesce(rules.decay_period_days, models.decay_period_days) as decay_period_days,
        coalesce(rules.decay_window_days, models.decay_window_days) as decay_window_days

    from rules
    inner join models
        on rules.model_id = models.model_id
        and rules.model_version = models.model_version

)

select * from final
