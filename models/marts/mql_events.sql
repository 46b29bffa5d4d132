-- Each crossing of a model's MQL threshold, up or down: the feed a CRM sync reads.
-- Leaving the model's segment while MQL counts as a crossing down.
{{ config(materialized='view') }}

with

changes as (

    select * from {{ ref('int_lead_score_changes') }}
    where mql_direction is not null

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

        -- crossing
        changes.valid_from as event_date,
        changes.mql_direction as direction,
        cast(changes.previous_total_score as decimal(18, 2)) as previous_total_score,
        cast(changes.total_score as decimal(18, 2)) as total_score,
        changes.is_member as is_in_segment

    from changes
    inner join models
        on changes.model_id = models.model_id
        and changes.model_version = models.model_version

)

select * from final
