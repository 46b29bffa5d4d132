with

scores as (

    select * from {{ ref('int_lead_scores_graded') }}
    where is_active

),

final as (

    select
        -- ids
        cast(contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(model_id as {{ dbt.type_string() }}) as model_id,
        cast(model_version as {{ dbt.type_int() }}) as model_version,
        score_date,

        -- points
        cast(fit_score as decimal(18, 2)) as fit_score,
        cast(engagement_score as decimal(18, 2)) as engagement_score,
        cast(negative_score as decimal(18, 2)) as negative_score,
        cast(total_score as decimal(18, 2)) as total_score,

        -- thresholds
        cast(band as {{ dbt.type_string() }}) as band,
        cast(fit_grade as {{ dbt.type_string() }}) as fit_grade,
        cast(engagement_grade as {{ dbt.type_string() }}) as engagement_grade,
        cast(priority as {{ dbt.type_string() }}) as priority,
        cast(mql_threshold as decimal(18, 2)) as mql_threshold,
        is_mql

    from scores

)

select * from final
