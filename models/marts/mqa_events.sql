-- Each crossing of an account's MQA threshold, up or down: the account-level twin of
-- mql_events. An account whose last contact leaves the segment while MQA crosses down.
{{ config(materialized='view') }}

with

changes as (

    select * from {{ ref('int_account_score_changes') }}
    where mqa_direction is not null

),

models as (

    select * from {{ ref('scoring_models') }}

),

final as (

    select
        -- ids
        cast(changes.company_id as {{ dbt.type_string() }}) as company_id,
        cast(changes.model_id as {{ dbt.type_string() }}) as model_id,
        cast(changes.model_version as {{ dbt.type_int() }}) as model_version,
        models.is_active as is_active_version,

        -- crossing
        changes.valid_from as event_date,
        changes.mqa_direction as direction,
        cast(changes.previous_account_score as decimal(18, 2)) as previous_account_score,
        cast(changes.account_score as decimal(18, 2)) as account_score,
        cast(changes.engaged_contacts as {{ dbt.type_int() }}) as engaged_contacts,
        changes.is_in_segment

    from changes
    inner join models
        on changes.model_id = models.model_id
        and changes.model_version = models.model_version

)

select * from final
