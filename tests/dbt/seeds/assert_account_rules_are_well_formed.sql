-- Every account rule row can be evaluated as documented in the seed: fit rules name a
-- company field and no contact count, breadth rules a contact count and no condition,
-- committee rules a contact field (and a count of at least 1 when given), and its model
-- version has account settings.
with

rules as (

    select * from {{ ref('account_rules') }}

),

account_models as (

    select * from {{ ref('account_models') }}

),

final as (

    select
        rules.model_id,
        rules.model_version,
        rules.rule_id,
        rules.rule_type
    from rules
    left join account_models
        on rules.model_id = account_models.model_id
        and rules.model_version = account_models.model_version
    where
        account_models.model_id is null
        or rules.points is null
        or (
            rules.rule_type = 'fit'
            and (
                rules.field not like 'company.%'
                or rules.operator is null
                or rules.min_contacts is not null
            )
        )
        or (
            rules.rule_type = 'breadth'
            and (
                rules.field is not null
                or rules.operator is not null
                or rules.min_contacts is null
                or rules.min_contacts < 1
            )
        )
        or (
            rules.rule_type = 'committee'
            and (
                rules.field not like 'contact.%'
                or rules.operator is null
                or rules.min_contacts < 1
            )
        )

)

select * from final
