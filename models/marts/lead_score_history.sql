-- A lead's score under every model version, as it was on every day: one row per change,
-- valid from the start of valid_from until the start of valid_to (null: still valid).
with

changes as (

    select * from {{ ref('int_lead_score_changes') }}

),

graded as (

    {{ leadscore.band_and_grade('changes', ['contact_id', 'model_id', 'model_version', 'valid_from']) }}

),

final as (

    select
        -- ids
        cast(contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(model_id as {{ dbt.type_string() }}) as model_id,
        cast(model_version as {{ dbt.type_int() }}) as model_version,
        is_active as is_active_version,

        -- validity
        valid_from,
        lead(valid_from) over (
            partition by contact_id, model_id, model_version
            order by valid_from
        ) as valid_to,
        is_member as is_in_segment,

        -- points (null while the lead is outside the model's segment)
        cast(fit_score as decimal(18, 2)) as fit_score,
        cast(engagement_score as decimal(18, 2)) as engagement_score,
        cast(negative_score as decimal(18, 2)) as negative_score,
        cast(total_score as decimal(18, 2)) as total_score,

        -- thresholds
        cast(band as {{ dbt.type_string() }}) as band,
        cast(fit_grade as {{ dbt.type_string() }}) as fit_grade,
        cast(engagement_grade as {{ dbt.type_string() }}) as engagement_grade,
        cast(priority as {{ dbt.type_string() }}) as priority,
        coalesce(is_mql, false) as is_mql

    from graded

)

select * from final
