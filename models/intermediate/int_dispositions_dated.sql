-- Each sales disposition known as of the score date, with the day it starts acting on
-- the score (scored_from): the day it was decided, or, for one that landed later than
-- the run's window reaches back, the window's first day, as for late events (see
-- int_event_rule_matches). History already stored before the window is never rewritten.
--
-- Incremental: a run recomputes the dispositions decided in its window and adds those
-- that landed since the last run but were decided before the window.
{{ config(
    materialized='incremental',
    incremental_strategy=leadscore.window_incremental_strategy(),
    window_column='decided_date',
    partition_by=leadscore.window_partition_by('decided_date'),
    on_schema_change='fail',
) }}
{%- set window_start = history_window_start() if is_incremental() else none %}

with

dispositions as (

    select * from {{ ref('stg_raw__lead_dispositions') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

dispositions_as_of as (

    select dispositions.*
    from dispositions
    cross join score_dates
    where dispositions.decided_date <= score_dates.score_date
    {%- if window_start %}
        and (
            dispositions.decided_date >= cast('{{ window_start }}' as date)
            -- landed since the last run (every one, while none is stored)
            or dispositions.loaded_at > coalesce(
                (select max(stored.loaded_at) from {{ this }} as stored),
                cast('1900-01-01' as {{ dbt.type_timestamp() }})
            )
        )
    {%- endif %}

),

final as (

    select
        -- ids
        contact_id,

        -- feedback
        disposition,
        reason,

        -- timestamps
        decided_at,
        decided_date,
        {%- if window_start %}
        case
            when decided_date < cast('{{ window_start }}' as date) then cast('{{ window_start }}' as date)
            else decided_date
        end as scored_from,
        {%- else %}
            decided_date as scored_from,
        {%- endif %}
        loaded_at

    from dispositions_as_of

)

select * from final
