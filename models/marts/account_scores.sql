with

scores as (

    select * from {{ ref('int_lead_scores_graded') }}
    where
        is_active
        and company_id is not null

),

final as (

    select
        -- ids
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(model_id as {{ dbt.type_string() }}) as model_id,
        cast(model_version as {{ dbt.type_int() }}) as model_version,
        max(score_date) as score_date,

        -- contacts
        cast(count(*) as {{ dbt.type_int() }}) as scored_contacts,
        cast(sum(case when engagement_score > 0 then 1 else 0 end) as {{ dbt.type_int() }})
            as engaged_contacts,
        cast(sum(case when is_mql then 1 else 0 end) as {{ dbt.type_int() }}) as mql_contacts,

        -- points
        cast(max(total_score) as decimal(18, 2)) as best_total_score,
        cast(sum(total_score) as decimal(18, 2)) as summed_total_score,
        cast(max(engagement_score) as decimal(18, 2)) as best_engagement_score,
        max(band_rank) as best_band_rank,
        max(case when is_mql then 1 else 0 end) = 1 as has_mql

    from scores
    group by company_id, model_id, model_version

)

select * from final
