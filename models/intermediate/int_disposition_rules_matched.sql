-- Each disposition under each model version, with the disposition rule it takes: the
-- row of its disposition and reason, else the row of its disposition with a blank reason;
-- with neither, no rule (it acts as `none`).
with

dispositions as (

    select * from {{ ref('int_dispositions_dated') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

rules as (

    select * from {{ ref('disposition_rules') }}

),

final as (

    select
        -- ids
        dispositions.contact_id,
        models.model_id,
        models.model_version,
        coalesce(by_reason.rule_id, any_reason.rule_id) as rule_id,

        -- feedback
        dispositions.disposition,
        dispositions.reason,

        -- rule
        coalesce(by_reason.description, any_reason.description) as description,
        coalesce(by_reason.action, any_reason.action, 'none') as rule_action,
        cast(
            case
                when coalesce(by_reason.action, any_reason.action) = 'fit_adjustment'
                    then coalesce(by_reason.points, any_reason.points)
                else 0
            end as decimal(18, 2)
        ) as points,

        -- timestamps
        dispositions.decided_at,
        dispositions.decided_date,
        dispositions.scored_from

    from dispositions
    cross join models
    left join rules as by_reason
        on models.model_id = by_reason.model_id
        and models.model_version = by_reason.model_version
        and dispositions.disposition = by_reason.disposition
        and dispositions.reason = by_reason.reason
    left join rules as any_reason
        on models.model_id = any_reason.model_id
        and models.model_version = any_reason.model_version
        and dispositions.disposition = any_reason.disposition
        and any_reason.reason is null

)

select * from final
