-- What a reverse-ETL sync pushes into a CRM: every change of a lead's published fields
-- and every MQL crossing recorded or undone, dated by the day the warehouse detected it.
-- A sync reads the rows detected after its last sync (detected_at, or detected_on:
-- docs/bi.md, "CRM feed") and upserts them by change_id: reading a row twice changes
-- nothing.
{{ config(materialized='view') }}

with

states as (

    select * from {{ ref('int_lead_states_recorded') }}

),

crossings as (

    select * from {{ ref('int_mql_crossings_recorded') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

changes as (

    select
        entry_id as change_id,
        'lead_state' as change_type,
        state_number as change_number,
        detected_on,
        detected_at,
        contact_id,
        company_id,
        model_id,
        model_version,
        as_of_date,
        total_score,
        band,
        priority,
        is_mql,
        buying_stage,
        cast(null as {{ dbt.type_string() }}) as crossing_id,
        cast(null as date) as crossing_date,
        cast(null as {{ dbt.type_string() }}) as direction
    from states

    union all

    select
        entry_id as change_id,
        case entry_kind
            when 'recorded' then 'mql_crossing'
            else 'mql_crossing_undone'
        end as change_type,
        recording_number as change_number,
        detected_on,
        detected_at,
        contact_id,
        company_id,
        model_id,
        model_version,
        crossing_date as as_of_date,
        total_score,
        cast(null as {{ dbt.type_string() }}) as band,
        cast(null as {{ dbt.type_string() }}) as priority,
        cast(null as boolean) as is_mql,
        cast(null as {{ dbt.type_string() }}) as buying_stage,
        crossing_id,
        crossing_date,
        direction
    from crossings

),

final as (

    select
        -- ids: the upsert key is change_id (unique); contact_id and model_id say which
        -- CRM record it updates
        cast(changes.change_id as {{ dbt.type_string() }}) as change_id,
        cast(changes.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(changes.company_id as {{ dbt.type_string() }}) as company_id,
        cast(changes.model_id as {{ dbt.type_string() }}) as model_id,
        cast(changes.model_version as {{ dbt.type_int() }}) as model_version,
        models.is_active as is_active_version,

        -- change
        cast(changes.change_type as {{ dbt.type_string() }}) as change_type,
        cast(changes.change_number as {{ dbt.type_int() }}) as change_number,
        cast(changes.detected_on as date) as detected_on,
        cast(changes.detected_at as {{ dbt.type_timestamp() }}) as detected_at,
        cast(changes.as_of_date as date) as as_of_date,

        -- published fields (lead_state rows; total_score also on crossings)
        cast(changes.total_score as decimal(18, 2)) as total_score,
        cast(changes.band as {{ dbt.type_string() }}) as band,
        cast(changes.priority as {{ dbt.type_string() }}) as priority,
        changes.is_mql,
        cast(changes.buying_stage as {{ dbt.type_string() }}) as buying_stage,

        -- crossing (mql_crossing and mql_crossing_undone rows)
        cast(changes.crossing_id as {{ dbt.type_string() }}) as crossing_id,
        cast(changes.crossing_date as date) as crossing_date,
        cast(changes.direction as {{ dbt.type_string() }}) as direction

    from changes
    inner join models
        on changes.model_id = models.model_id
        and changes.model_version = models.model_version

)

select * from final
