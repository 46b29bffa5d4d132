-- Points of each fit rule a contact profile version meets. Fit points do not decay:
-- they change only when the profile does.
with

matched as (

    select * from {{ ref('int_contact_rules_matched') }}
    where rule_kind = 'fit'

),

fit_rules as (

    select * from {{ ref('fit_rules') }}

),

final as (

    select
        -- ids
        matched.contact_id,
        matched.model_id,
        matched.model_version,
        matched.rule_id,

        -- validity
        matched.valid_from,
        matched.valid_to,

        -- points
        fit_rules.component,
        fit_rules.description,
        cast(fit_rules.points as decimal(18, 2)) as points,
        matched.matched_value as evidence

    from matched
    inner join fit_rules
        on matched.model_id = fit_rules.model_id
        and matched.model_version = fit_rules.model_version
        and matched.rule_id = fit_rules.rule_id

)

select * from final
