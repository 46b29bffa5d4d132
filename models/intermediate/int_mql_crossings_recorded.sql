-- The crossing ledger: when the warehouse first saw each MQL crossing, and when a
-- correction took one away. Detection dates are state that no recompute of history can
-- give back, so rows are only ever appended (never updated or deleted; --full-refresh
-- leaves the table alone). Each run compares the crossings of the score history up to
-- its score date with the crossings the ledger holds open, and appends the differences:
-- `recorded` for a crossing it does not hold open, `undone` for an open one the history
-- no longer has. Crossings after the run's score date are not compared: a rerun of a past
-- day cannot see them (docs/bi.md, "CRM feed").
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}
{%- set started_at = run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') %}

with

changes as (

    select * from {{ ref('int_lead_score_changes') }}
    where mql_direction is not null

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
            cast(null as {{ dbt.type_string() }}) as crossing_id,
            cast(null as {{ dbt.type_int() }}) as recording_number,
            cast(null as {{ dbt.type_string() }}) as entry_kind,
            cast(null as {{ dbt.type_string() }}) as contact_id,
            cast(null as {{ dbt.type_string() }}) as company_id,
            cast(null as {{ dbt.type_string() }}) as model_id,
            cast(null as {{ dbt.type_int() }}) as model_version,
            cast(null as date) as crossing_date,
            cast(null as {{ dbt.type_string() }}) as direction,
            cast(null as decimal(18, 2)) as previous_total_score,
            cast(null as decimal(18, 2)) as total_score,
            cast(null as date) as detected_on,
            cast(null as date) as recorded_by_score_date,
            cast(null as {{ dbt.type_timestamp() }}) as detected_at
        from score_dates
        where 1 = 0

    ),

{% endif %}

run as (

    -- a run never dates an entry before the score date of a run before it: a sync that
    -- has read up to that day must still get what a rerun of a past day finds
    select
        score_dates.score_date,
        greatest(
            score_dates.score_date, coalesce(max(feed_runs.score_date), score_dates.score_date)
        ) as detected_on
    from score_dates
    left join feed_runs
        on feed_runs.started_at < cast('{{ started_at }}' as {{ dbt.type_timestamp() }})
    group by score_dates.score_date

),

crossings as (

    select
        {{ dbt.hash(dbt.concat([
            "cast(changes.contact_id as " ~ dbt.type_string() ~ ")", "'|'",
            "cast(changes.model_id as " ~ dbt.type_string() ~ ")", "'|'",
            "cast(changes.model_version as " ~ dbt.type_string() ~ ")", "'|'",
            "cast(changes.valid_from as " ~ dbt.type_string() ~ ")", "'|'",
            "changes.mql_direction",
        ])) }} as crossing_id,
        changes.contact_id,
        changes.company_id,
        changes.model_id,
        changes.model_version,
        changes.valid_from as crossing_date,
        changes.mql_direction as direction,
        changes.previous_total_score,
        changes.total_score
    from changes
    inner join run on changes.valid_from <= run.score_date

),

recordings as (

    -- each time a crossing was recorded, and whether that recording is still open
    select
        crossing_id,
        recording_number,
        max(case when entry_kind = 'undone' then 1 else 0 end) = 0 as is_open
    from ledger
    group by crossing_id, recording_number

),

stored as (

    select
        crossing_id,
        max(recording_number) as last_recording_number,
        max(case when is_open then 1 else 0 end) = 1 as is_open
    from recordings
    group by crossing_id

),

newly_recorded as (

    select
        crossings.*,
        coalesce(stored.last_recording_number, 0) + 1 as recording_number,
        'recorded' as entry_kind
    from crossings
    left join stored on crossings.crossing_id = stored.crossing_id
    where stored.crossing_id is null or not stored.is_open

),

undone as (

    select
        ledger.crossing_id,
        ledger.contact_id,
        ledger.company_id,
        ledger.model_id,
        ledger.model_version,
        ledger.crossing_date,
        ledger.direction,
        ledger.previous_total_score,
        ledger.total_score,
        ledger.recording_number,
        'undone' as entry_kind
    from ledger
    inner join recordings
        on ledger.crossing_id = recordings.crossing_id
        and ledger.recording_number = recordings.recording_number
    inner join run on ledger.crossing_date <= run.score_date
    left join crossings on ledger.crossing_id = crossings.crossing_id
    where
        ledger.entry_kind = 'recorded'
        and recordings.is_open
        and crossings.crossing_id is null

),

entries as (

    select * from newly_recorded
    union all
    select * from undone

),

final as (

    select
        -- ids
        cast({{ dbt.hash(dbt.concat([
            "entries.crossing_id", "'|'",
            "cast(entries.recording_number as " ~ dbt.type_string() ~ ")", "'|'",
            "entries.entry_kind",
        ])) }} as {{ dbt.type_string() }}) as entry_id,
        cast(entries.crossing_id as {{ dbt.type_string() }}) as crossing_id,
        cast(entries.recording_number as {{ dbt.type_int() }}) as recording_number,
        cast(entries.entry_kind as {{ dbt.type_string() }}) as entry_kind,
        cast(entries.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(entries.company_id as {{ dbt.type_string() }}) as company_id,
        cast(entries.model_id as {{ dbt.type_string() }}) as model_id,
        cast(entries.model_version as {{ dbt.type_int() }}) as model_version,

        -- crossing
        cast(entries.crossing_date as date) as crossing_date,
        cast(entries.direction as {{ dbt.type_string() }}) as direction,
        cast(entries.previous_total_score as decimal(18, 2)) as previous_total_score,
        cast(entries.total_score as decimal(18, 2)) as total_score,

        -- detection
        cast(run.detected_on as date) as detected_on,
        cast(run.score_date as date) as recorded_by_score_date,
        -- when the dbt invocation started: later for every run than for the one before,
        -- whatever days they score (the exact cursor for a sync)
        cast('{{ started_at }}' as {{ dbt.type_timestamp() }}) as detected_at

    from entries
    cross join run

)

select * from final
