-- The ages (in days) at which an engagement rule's points change: 0 (the event counts),
-- the start of each decay step after the full period, and the hard window (it stops
-- counting). Between two boundaries an event's points are constant.
with

rules as (

    select * from {{ ref('engagement_rules') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

digits as (

    select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9

),

step_numbers as (

    select hundreds.d * 100 + tens.d * 10 + ones.d + 1 as step_number
    from digits as hundreds
    cross join digits as tens
    cross join digits as ones

),

rule_decay as (

    select
        rules.model_id,
        rules.model_version,
        rules.rule_id,
        coalesce(rules.decay_method, models.decay_method) as decay_method,
        coalesce(rules.decay_full_days, models.decay_full_days) as decay_full_days,
        coalesce(rules.decay_period_days, models.decay_period_days) as decay_period_days,
        coalesce(rules.decay_window_days, models.decay_window_days) as decay_window_days
    from rules
    inner join models
        on rules.model_id = models.model_id
        and rules.model_version = models.model_version

),

step_ages as (

    select
        rule_decay.model_id,
        rule_decay.model_version,
        rule_decay.rule_id,
        rule_decay.decay_full_days + (step_numbers.step_number - 1) * rule_decay.decay_period_days as age_days
    from rule_decay
    cross join step_numbers
    where rule_decay.decay_method in ('percent', 'half_life')

),

boundaries as (

    select model_id, model_version, rule_id, 0 as age_days from rule_decay
    union
    select model_id, model_version, rule_id, decay_window_days from rule_decay
    union
    select step_ages.model_id, step_ages.model_version, step_ages.rule_id, step_ages.age_days
    from step_ages
    inner join rule_decay
        on step_ages.model_id = rule_decay.model_id
        and step_ages.model_version = rule_decay.model_version
        and step_ages.rule_id = rule_decay.rule_id
    where step_ages.age_days > 0
        and step_ages.age_days < rule_decay.decay_window_days

)

select * from boundaries
