-- The ages (in days) at which an engagement rule's points change: 0 (the event counts),
-- the start of each decay step after the full period, and the hard window (it stops
-- counting). Between two boundaries an event's points are constant.
with

rule_decay as (

    select * from {{ ref('int_engagement_rules_resolved') }}

),

digits as (

    select 0 as d
    union all
    select 1 as d
    union all
    select 2 as d
    union all
    select 3 as d
    union all
    select 4 as d
    union all
    select 5 as d
    union all
    select 6 as d
    union all
    select 7 as d
    union all
    select 8 as d
    union all
    select 9 as d

),

step_numbers as (

    select hundreds.d * 100 + tens.d * 10 + ones.d + 1 as step_number
    from digits as hundreds
    cross join digits as tens
    cross join digits as ones

),

step_ages as (

    select
        rule_decay.model_id,
        rule_decay.model_version,
        rule_decay.rule_id,
        rule_decay.decay_full_days
        + (step_numbers.step_number - 1) * rule_decay.decay_period_days as age_days
    from rule_decay
    cross join step_numbers
    where rule_decay.decay_method in ('percent', 'half_life')

),

boundaries as (

    select
        model_id,
        model_version,
        rule_id,
        0 as age_days
    from rule_decay
    union
    select
        model_id,
        model_version,
        rule_id,
        decay_window_days
    from rule_decay
    union
    select
        step_ages.model_id,
        step_ages.model_version,
        step_ages.rule_id,
        step_ages.age_days
    from step_ages
    inner join rule_decay
        on step_ages.model_id = rule_decay.model_id
        and step_ages.model_version = rule_decay.model_version
        and step_ages.rule_id = rule_decay.rule_id
    where
        step_ages.age_days > 0
        and step_ages.age_days < rule_decay.decay_window_days

)

select * from boundaries
