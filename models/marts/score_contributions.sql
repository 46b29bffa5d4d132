with

contributions as (

    select * from {{ ref('int_score_contributions') }}

),

totals as (

    select * from {{ ref('int_lead_score_totals') }}

),

-- When a total is held inside the model's bounds, the difference is shown as a
-- contribution of its own, so a lead's contributions always add up to its total.
bounds as (

    select
        contact_id,
        model_id,
        model_version,
        '_bounds' as rule_id,
        'bounds' as rule_kind,
        'bounds' as component,
        case
            when total_score > unbounded_score then 'Raised to the model minimum score'
            else 'Lowered to the model maximum score'
        end as description,
        cast(null as {{ dbt.type_string() }}) as buying_stage,
        total_score - unbounded_score as points,
        1 as occurrences,
        cast(null as {{ dbt.type_string() }}) as evidence,
        cast(null as {{ dbt.type_timestamp() }}) as last_occurred_at
    from totals
    where total_score <> unbounded_score

),

unioned as (

    select * from contributions
    union all
    select * from bounds

),

final as (

    select
        -- ids
        cast(unioned.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(unioned.model_id as {{ dbt.type_string() }}) as model_id,
        cast(unioned.model_version as {{ dbt.type_int() }}) as model_version,
        cast(unioned.rule_id as {{ dbt.type_string() }}) as rule_id,
        totals.score_date,
        totals.is_active as is_active_version,

        -- rule
        cast(unioned.rule_kind as {{ dbt.type_string() }}) as rule_kind,
        cast(unioned.component as {{ dbt.type_string() }}) as component,
        cast(unioned.description as {{ dbt.type_string() }}) as description,
        cast(unioned.buying_stage as {{ dbt.type_string() }}) as buying_stage,

        -- points
        cast(unioned.points as decimal(18, 2)) as points,
        cast(unioned.occurrences as {{ dbt.type_int() }}) as occurrences,
        cast(unioned.evidence as {{ dbt.type_string() }}) as evidence,
        unioned.last_occurred_at

    from unioned
    inner join totals
        on unioned.contact_id = totals.contact_id
        and unioned.model_id = totals.model_id
        and unioned.model_version = totals.model_version

)

select * from final
