-- Every disposition rule can be applied as documented in the seed: its model version
-- exists, disposition and reason are lower case as staging reads them, points are given
-- (not zero) exactly for fit_adjustment, and no two rows of a version match the same
-- disposition and reason.
with

rules as (

    select * from {{ ref('disposition_rules') }}

),

models as (

    select * from {{ ref('scoring_models') }}

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

final as (

    select * from malformed
    union all
    select * from ambiguous

)

select * from final
