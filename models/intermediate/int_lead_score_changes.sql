-- Every day on which a lead's score under a model version changed, with the score from
-- that day on, stored as intervals (valid from the start of valid_from to the start of
-- valid_to; 9999-12-31 while open), graded, and with the MQL crossing of the day if there
-- is one. The score of each day that may change comes from int_lead_scores_graded_daily.
--
-- Incremental by day: a run recomputes the days from history_window_start() to the
-- score date (a full recompute when that is none), starting from the interval stored for
-- the day before (the only one read from history), which it writes again, closed anew;
-- so day-by-day runs and a full refresh store the same rows, and a day's cost does not
-- grow with history. In a daily run only the leads something touched in the window are
-- scored again (see int_lead_scores_graded_daily); the others' intervals stay as stored.
{{ config(
    materialized='incremental',
    incremental_strategy=leadscore.window_incremental_strategy(),
    window_column='valid_to',
    partition_by=leadscore.window_partition_by('valid_to'),
    on_schema_change='fail',
    tags=['history'],
    touched_key='contact_id',
    touched_after_column='valid_from',
) }}
{%- set window_start = history_window_start() if is_incremental() else none %}
{%- set touched_only = window_start and leadscore.touched_keys_only() %}

with

graded_daily as (

    select * from {{ ref('int_lead_scores_graded_daily') }}

),

candidates as (

    select
        contact_id,
        company_id,
        model_id,
        model_version,
        change_date as valid_from,
        is_member,
        mql_threshold,
        fit_score,
        engagement_score,
        negative_score,
        total_score,
        band,
        band_rank,
        fit_grade,
        engagement_grade,
        priority,
        coalesce(is_mql, false) as is_mql,
        false as is_stored,
        cast(null as {{ dbt.type_string() }}) as stored_mql_direction,
        cast(null as decimal(18, 2)) as stored_previous_total_score
    from graded_daily
    {%- if window_start %}
    union all
    -- the interval stored for the day before the window: what its first day is compared
    -- with, written again with its new end
    select
        stored_changes.contact_id,
        stored_changes.company_id,
        stored_changes.model_id,
        stored_changes.model_version,
        stored_changes.valid_from,
        stored_changes.is_member,
        stored_changes.mql_threshold,
        stored_changes.fit_score,
        stored_changes.engagement_score,
        stored_changes.negative_score,
        stored_changes.total_score,
        stored_changes.band,
        stored_changes.band_rank,
        stored_changes.fit_grade,
        stored_changes.engagement_grade,
        stored_changes.priority,
        stored_changes.is_mql,
        true as is_stored,
        stored_changes.mql_direction,
        stored_changes.previous_total_score
    from {{ this }} as stored_changes
    where stored_changes.valid_from < cast('{{ window_start }}' as date)
        and stored_changes.valid_to >= cast('{{ window_start }}' as date)
    {%- if touched_only %}
        -- a lead the run scores (int_lead_scores_graded_daily): the others keep theirs
        and stored_changes.contact_id in (select graded_daily.contact_id from graded_daily)
    {%- endif %}
    {%- endif %}

),

compared as (

    select
        candidates.*,
        lag(candidates.is_member) over by_lead as previous_is_member,
        lag(candidates.total_score) over by_lead as previous_total_score,
        lag(candidates.fit_score) over by_lead as previous_fit_score,
        lag(candidates.engagement_score) over by_lead as previous_engagement_score,
        lag(candidates.negative_score) over by_lead as previous_negative_score,
        lag(candidates.is_mql) over by_lead as previous_is_mql,
        row_number() over by_lead as change_number
    from candidates
    window by_lead as (partition by contact_id, model_id, model_version order by valid_from)

),

changed as (

    select * from compared
    where
        is_stored
        or (
            change_number = 1
            or is_member is distinct from previous_is_member
            or total_score is distinct from previous_total_score
            or fit_score is distinct from previous_fit_score
            or engagement_score is distinct from previous_engagement_score
            or negative_score is distinct from previous_negative_score
        )

),

final as (

    select
        -- ids
        contact_id,
        company_id,
        model_id,
        model_version,

        -- validity
        valid_from,
        cast(coalesce(
            lead(valid_from)
                over (partition by contact_id, model_id, model_version order by valid_from),
            cast('9999-12-31' as date)
        ) as date) as valid_to,
        is_member,

        -- points (null while outside the segment)
        mql_threshold,
        fit_score,
        engagement_score,
        negative_score,
        total_score,

        -- thresholds
        band,
        band_rank,
        fit_grade,
        engagement_grade,
        priority,
        is_mql,
        cast(
            case
                when is_stored then stored_mql_direction
                when is_mql and not coalesce(previous_is_mql, false) then 'up'
                when not is_mql and coalesce(previous_is_mql, false) then 'down'
            end as {{ dbt.type_string() }}
        ) as mql_direction,
        case when is_stored then stored_previous_total_score else previous_total_score end
            as previous_total_score

    from changed

)

select * from final
