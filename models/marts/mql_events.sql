-- Each crossing of a model's MQL threshold, up or down: the feed a CRM sync reads.
-- Leaving the model's segment while MQL counts as a crossing down.
with

history as (

    select * from {{ ref('lead_score_history') }}

),

compared as (

    select
        history.*,
        lag(is_mql) over (
            partition by contact_id, model_id, model_version order by valid_from
        ) as previous_is_mql,
        lag(total_score) over (
            partition by contact_id, model_id, model_version order by valid_from
        ) as previous_total_score
    from history

),

final as (

    select
        -- ids
        contact_id,
        company_id,
        model_id,
        model_version,
        is_active_version,

        -- crossing
        valid_from as event_date,
        cast(case when is_mql then 'up' else 'down' end as {{ dbt.type_string() }}) as direction,
        previous_total_score,
        total_score,
        is_in_segment

    from compared
    where (is_mql and not coalesce(previous_is_mql, false))
        or (not is_mql and coalesce(previous_is_mql, false))

)

select * from final
