-- Each MQL crossing as the warehouse recorded it: when it was first detected and, if a
-- later correction took it away, when it was undone. One row per recording of a crossing
-- (a crossing undone and brought back by another correction is recorded twice).
{{ config(materialized='view') }}

with

ledger as (

    select * from {{ ref('int_mql_crossings_recorded') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

recorded as (

    select * from ledger
    where entry_kind = 'recorded'

),

undone as (

    select
        crossing_id,
        recording_number,
        detected_on as undone_on,
        detected_at as undone_at
    from ledger
    where entry_kind = 'undone'

),

final as (

    select
        -- ids
        recorded.crossing_id,
        recorded.recording_number,
        recorded.contact_id,
        recorded.company_id,
        recorded.model_id,
        recorded.model_version,
        models.is_active as is_active_version,

        -- crossing
        recorded.crossing_date,
        recorded.direction,
        recorded.previous_total_score,
        recorded.total_score,

        -- detection
        recorded.detected_on,
        recorded.recorded_by_score_date,
        recorded.detected_at,
        undone.undone_on,
        undone.undone_at

    from recorded
    inner join models
        on recorded.model_id = models.model_id
        and recorded.model_version = models.model_version
    left join undone
        on recorded.crossing_id = undone.crossing_id
        and recorded.recording_number = undone.recording_number

)

select * from final
