-- The ledger of what a CRM holds of each lead: the fields lead_scores publishes per
-- contact and active model, appended whenever they differ from the last state recorded
-- (rows are never updated or deleted; --full-refresh leaves the table alone). A run whose
-- score date is earlier than that of a run before it (a rerun or backfill of past days,
-- int_crm_feed_runs) records nothing: a past day's scores are not news for a CRM, and
-- the run that brings the scores back to the present records what the correction
-- changed. A column added later is added to the stored table (null in the rows before):
-- it is never rebuilt.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}
{%- set started_at = run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') %}

with

scores as (

    select * from {{ ref('lead_scores') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

feed_runs as (

    select * from {{ ref('int_crm_feed_runs') }}

),

{% if is_incremental() %}

    ledger as (

        select * from {{ this }}

    ),

{% else %}

    ledger as (

        select
            cast(null as {{ dbt.type_string() }}) as entry_id,
            cast(null as {{ dbt.type_int() }}) as state_number,
            cast(null as {{ dbt.type_string() }}) as state_hash,
            cast(null as {{ dbt.type_string() }}) as contact_id,
            cast(null as {{ dbt.type_string() }}) as company_id,
            cast(null as {{ dbt.type_string() }}) as model_id,
            cast(null as {{ dbt.type_int() }}) as model_version,
            cast(null as date) as as_of_date,
            cast(null as decimal(18, 2)) as total_score,
            cast(null as {{ dbt.type_string() }}) as band,
            cast(null as {{ dbt.type_string() }}) as priority,
            cast(null as boolean) as is_mql,
            cast(null as {{ dbt.type_string() }}) as buying_stage,
            cast(null as date) as detected_on,
            cast(null as {{ dbt.type_timestamp() }}) as detected_at
        from score_dates
        where 1 = 0

    ),

{% endif %}

run as (

    -- only a run at or after the score date of every run before it records states
    select score_dates.score_date
    from score_dates
    left join feed_runs
        on feed_runs.started_at < cast('{{ started_at }}' as {{ dbt.type_timestamp() }})
    group by score_dates.score_date
    having score_dates.score_date >= coalesce(max(feed_runs.score_date), score_dates.score_date)

),

states as (

    select
        scores.contact_id,
        scores.company_id,
        scores.model_id,
        scores.model_version,
        scores.score_date as as_of_date,
        scores.total_score,
        scores.band,
        scores.priority,
        scores.is_mql,
        -- buying_stage came later than the other fields: a stored ledger gains the column
        -- (on_schema_change), and every lead gets one new state, its stage included, on
        -- the first run after (its hash includes the stage)
        scores.buying_stage,
        {{ dbt.hash(dbt.concat([
            "cast(scores.model_version as " ~ dbt.type_string() ~ ")", "'|'",
            "coalesce(cast(scores.total_score as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(scores.band, '')", "'|'",
            "coalesce(scores.priority, '')", "'|'",
            "coalesce(cast(scores.is_mql as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(scores.buying_stage, '')",
        ])) }} as state_hash
    from scores
    inner join run on scores.score_date = run.score_date

),

numbered as (

    select
        contact_id,
        model_id,
        state_number,
        state_hash,
        row_number() over (
            partition by contact_id, model_id order by state_number desc
        ) as recency
    from ledger

),

latest as (

    select * from numbered
    where recency = 1

),

changed as (

    select
        states.*,
        coalesce(latest.state_number, 0) + 1 as state_number
    from states
    left join latest
        on states.contact_id = latest.contact_id
        and states.model_id = latest.model_id
    where latest.contact_id is null or latest.state_hash != states.state_hash

),

final as (

    select
        -- ids
        cast({{ dbt.hash(dbt.concat([
            "changed.contact_id", "'|'",
            "changed.model_id", "'|'",
            "cast(changed.state_number as " ~ dbt.type_string() ~ ")",
        ])) }} as {{ dbt.type_string() }}) as entry_id,
        cast(changed.state_number as {{ dbt.type_int() }}) as state_number,
        cast(changed.state_hash as {{ dbt.type_string() }}) as state_hash,
        cast(changed.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(changed.company_id as {{ dbt.type_string() }}) as company_id,
        cast(changed.model_id as {{ dbt.type_string() }}) as model_id,
        cast(changed.model_version as {{ dbt.type_int() }}) as model_version,

        -- published fields, as of as_of_date
        cast(changed.as_of_date as date) as as_of_date,
        cast(changed.total_score as decimal(18, 2)) as total_score,
        cast(changed.band as {{ dbt.type_string() }}) as band,
        cast(changed.priority as {{ dbt.type_string() }}) as priority,
        changed.is_mql,
        cast(changed.buying_stage as {{ dbt.type_string() }}) as buying_stage,

        -- detection
        cast(changed.as_of_date as date) as detected_on,
        -- when the dbt invocation started (as in int_mql_crossings_recorded)
        cast('{{ started_at }}' as {{ dbt.type_timestamp() }}) as detected_at

    from changed

)

select * from final
