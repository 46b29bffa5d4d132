-- An account's score under every model version with account settings, as it was on
-- every day: one row per change, valid from the start of valid_from until the start of
-- valid_to (null: still valid). Whether a version is active comes from the seeds.
{{ config(materialized='view') }}

with

changes as (

    select * from {{ ref('int_account_score_changes') }}

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

        -- validity
        changes.valid_from,
        case when changes.valid_to < cast('9999-12-31' as date) then changes.valid_to end
            as valid_to,
        changes.is_in_segment,

        -- contacts
        cast(changes.segment_contacts as {{ dbt.type_int() }}) as segment_contacts,
        cast(changes.engaged_contacts as {{ dbt.type_int() }}) as engaged_contacts,

        -- points
        cast(changes.fit_score as decimal(18, 2)) as account_fit_score,
        cast(changes.breadth_score as decimal(18, 2)) as breadth_score,
        cast(changes.committee_score as decimal(18, 2)) as committee_score,
        cast(changes.account_score as decimal(18, 2)) as account_score,

        -- threshold
        cast(changes.mqa_threshold as decimal(18, 2)) as mqa_threshold,
        changes.is_mqa

    from changes
    inner join models
        on changes.model_id = models.model_id
        and changes.model_version = models.model_version

)

select * from final
