-- Every disposition rule can be applied as documented in the seed: its model version
-- exists, disposition and reason are lower case as staging reads them, points are given
-- (not zero) exactly for fit_adjustment, no two rows of a version match the same
-- disposition and reason, and its rule_id names no other rule of the version (the rules
-- share score_contributions).
with

rules as (

    select * from {{ ref('disposition_rules') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

other_rule_ids as (

    select
        model_id,
        model_version,
        rule_id
    from {{ ref('fit_rules') }}
    union all
    select
        model_id,
        model_version,
        rule_id
    from {{ ref('engagement_rules') }}
    union all
    select
        model_id,
        model_version,
        rule_id
    from {{ ref('aggregate_rules') }}
    union all
    select
        model_id,
        model_version,
        rule_id
    from {{ ref('inactivity_rules') }}

),

matches as (

    select
        model_id,
        model_version,
        disposition,
        coalesce(reason, '') as reason_or_any,
        count(*) as rules_matching
    from rules
    group by model_id, model_version, disposition, coalesce(reason, '')

),

malformed as (

    select
        rules.model_id,
        rules.model_version,
        rules.rule_id
    from rules
    left join models
        on rules.model_id = models.model_id
        and rules.model_version = models.model_version
    where
        models.model_id is null
        or rules.disposition <> lower(rules.disposition)
        or rules.reason <> lower(rules.reason)
        or (rules.action = 'fit_adjustment' and coalesce(rules.points, 0) = 0)
        or (rules.action <> 'fit_adjustment' and rules.points is not null)

),

ambiguous as (

    select
        rules.model_id,
        rules.model_version,
        rules.rule_id
    from rules
    inner join matches
        on rules.model_id = matches.model_id
        and rules.model_version = matches.model_version
        and rules.disposition = matches.disposition
        and coalesce(rules.reason, '') = matches.reason_or_any
    where matches.rules_matching > 1

),

shared_ids as (

    select
        rules.model_id,
        rules.model_version,
        rules.rule_id
    from rules
    inner join other_rule_ids
        on rules.model_id = other_rule_ids.model_id
        and rules.model_version = other_rule_ids.model_version
        and rules.rule_id = other_rule_ids.rule_id

),

final as (

    select * from malformed
    union all
    select * from ambiguous
    union all
    select * from shared_ids

)

select * from final
