-- One row per dbt invocation that builds the CRM feed: the day it scored and when it
-- started. The ledgers read the latest score date of the runs before theirs (whether or
-- not those runs appended anything), so that no entry is dated before a day a sync may
-- already have read. Append only, kept through --full-refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}
{%- set started_at = run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') %}

with

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

final as (

    select
        cast(score_date as date) as score_date,
        cast('{{ started_at }}' as {{ dbt.type_timestamp() }}) as started_at
    from score_dates

)

select * from final
