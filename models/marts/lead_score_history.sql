-- A lead's score under every model version, as it was on every day: one row per change,
-- valid from the start of valid_from until the start of valid_to (null: still valid).
-- A view over the incremental change table, which stores each interval's end; whether a
-- version is active comes from the seeds, so it is never stale.
{{ config(materialized='view') }}

with

changes as (

    select * from {{ ref('int_lead_score_changes') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

final as (

    select
        -- ids
        cast(changes.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(changes.company_id as {{ dbt.type_string() }}) as company_id,
        cast(changes.model_id as {{ dbt.type_string() }}) as model_id,
        cast(changes.model_version as {{ dbt.type_int() }}) as model_version,
        models.is_active as is_active_version,

        -- validity
        changes.valid_from,
        case when changes.valid_to < cast('9999-12-31' as date) then changes.valid_to end
            as valid_to,
        changes.is_member as is_in_segment,

        -- points (null while the lead is outside the model's segment)
        cast(changes.fit_score as decimal(18, 2)) as fit_score,
        cast(changes.engagement_score as decimal(18, 2)) as engagement_score,
        cast(changes.negative_score as decimal(18, 2)) as negative_score,
        cast(changes.total_score as decimal(18, 2)) as total_score,

        -- thresholds
        cast(changes.band as {{ dbt.type_string() }}) as band,
        cast(changes.fit_grade as {{ dbt.type_string() }}) as fit_grade,
        cast(changes.engagement_grade as {{ dbt.type_string() }}) as engagement_grade,
        cast(changes.priority as {{ dbt.type_string() }}) as priority,
        changes.is_mql

    from changes
    inner join models
        on changes.model_id = models.model_id
        and changes.model_version = models.model_version

)

select * from final
