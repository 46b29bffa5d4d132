-- Account settings belong to a lead scoring model version: the account score rolls up
-- that version's contact scores.
with

account_models as (

    select * from {{ ref('account_models') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

final as (

    select
        account_models.model_id,
        account_models.model_version
    from account_models
    left join models
        on account_models.model_id = models.model_id
        and account_models.model_version = models.model_version
    where models.model_id is null

)

select * from final
