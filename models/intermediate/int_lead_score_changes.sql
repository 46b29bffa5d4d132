-- Every day on which a lead's score under a model version changed, with the score from
-- that day on, stored as intervals (valid from the start of valid_from to the start of
-- valid_to; 9999-12-31 while open): the event points balance of the day, inactivity
-- penalties summed up to the day, fit points of the profile version valid that day, and
-- segment membership; graded, and with the MQL crossing of the day if there is one.
--
-- Incremental by day: a run recomputes the days from history_window_start() to the
-- score date (a full recompute when that is none), starting from the interval stored for
-- the day before (the only one read from history), which it writes again, closed anew;
-- so day-by-day runs and a full refresh store the same rows, and a day's cost does not
-- grow with history.
{{ config(
    materialized='incremental',
    incremental_strategy=leadscore.window_incremental_strategy(),
    window_column='valid_to',
    partition_by=leadscore.window_partition_by('valid_to'),
    on_schema_change='fail',
    tags=['history'],
) }}
{%- set window_start = history_window_start() if is_incremental() else none %}

with

memberships as (

    select * from {{ ref('int_segment_memberships') }}

),

fit_points as (

    select * from {{ ref('int_fit_points_versioned') }}

),

event_balances as (

    select * from {{ ref('int_event_points_balanced') }}
    {%- if window_start %}
    where valid_to >= cast('{{ window_start }}' as date)
    {%- endif %}

),

inactivity_deltas as (

    select * from {{ ref('int_inactivity_deltas') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

known_memberships as (

    select memberships.*
    from memberships
    cross join score_dates
    where memberships.valid_from <= score_dates.score_date
    {%- if window_start %}
        and (memberships.valid_to is null or memberships.valid_to > cast('{{ window_start }}' as date))
    {%- endif %}

),

fit_totals as (

    select
        contact_id,
        valid_from,
        model_id,
        model_version,
        sum(case when component = 'fit' then points else 0 end) as fit_points,
        sum(case when component = 'negative' then points else 0 end) as fit_negative_points
    from fit_points
    group by contact_id, valid_from, model_id, model_version

),

deltas as (

    -- event points: the change of each balance interval on its first day; in a window the
    -- interval open the day before it counts in full on its first day
    select
        contact_id,
        model_id,
        model_version,
        {%- if window_start %}
        case
            when valid_from < cast('{{ window_start }}' as date) then cast('{{ window_start }}' as date)
            else valid_from
        end as change_date,
        case
            when valid_from < cast('{{ window_start }}' as date) then engagement_points
            else engagement_delta
        end as engagement_delta,
        case
            when valid_from < cast('{{ window_start }}' as date) then negative_points
            else negative_delta
        end as negative_delta
        {%- else %}
        valid_from as change_date,
        engagement_delta,
        negative_delta
        {%- endif %}
    from event_balances
    cross join score_dates
    where event_balances.valid_from <= score_dates.score_date
    union all
    select contact_id, model_id, model_version, delta_date, 0, negative_delta
    from inactivity_deltas
    union all
    -- every profile change is a day to look at (in a window, from its first day on)
    select
        contact_id,
        model_id,
        model_version,
        {%- if window_start %}
        case
            when valid_from < cast('{{ window_start }}' as date) then cast('{{ window_start }}' as date)
            else valid_from
        end,
        {%- else %}
        valid_from,
        {%- endif %}
        0,
        0
    from known_memberships

),

daily as (

    select
        contact_id,
        model_id,
        model_version,
        change_date,
        sum(engagement_delta) as engagement_delta,
        sum(negative_delta) as negative_delta
    from deltas
    group by contact_id, model_id, model_version, change_date

),

running as (

    select
        daily.*,
        sum(engagement_delta) over (
            partition by contact_id, model_id, model_version
            order by change_date
            rows between unbounded preceding and current row
        ) as engagement_points,
        sum(negative_delta) over (
            partition by contact_id, model_id, model_version
            order by change_date
            rows between unbounded preceding and current row
        ) as event_negative_points
    from daily

),

with_profile as (

    select
        running.*,
        known_memberships.company_id,
        known_memberships.is_member,
        known_memberships.valid_from as profile_valid_from
    from running
    inner join known_memberships
        on running.contact_id = known_memberships.contact_id
        and running.model_id = known_memberships.model_id
        and running.model_version = known_memberships.model_version
        and known_memberships.valid_from <= running.change_date
        and (known_memberships.valid_to is null or running.change_date < known_memberships.valid_to)

),

scored as (

    select
        with_profile.contact_id,
        with_profile.company_id,
        with_profile.model_id,
        with_profile.model_version,
        with_profile.change_date,
        with_profile.is_member,
        models.mql_threshold,
        models.min_score,
        models.max_score,
        coalesce(fit_totals.fit_points, 0) as fit_score,
        with_profile.engagement_points as engagement_score,
        coalesce(fit_totals.fit_negative_points, 0) + with_profile.event_negative_points as negative_score
    from with_profile
    inner join models
        on with_profile.model_id = models.model_id
        and with_profile.model_version = models.model_version
    left join fit_totals
        on with_profile.contact_id = fit_totals.contact_id
        and with_profile.profile_valid_from = fit_totals.valid_from
        and with_profile.model_id = fit_totals.model_id
        and with_profile.model_version = fit_totals.model_version

),

bounded as (

    select
        contact_id,
        company_id,
        model_id,
        model_version,
        change_date,
        is_member,
        mql_threshold,
        min_score,
        max_score,
        case when is_member then cast(fit_score as decimal(18, 2)) end as fit_score,
        case when is_member then cast(engagement_score as decimal(18, 2)) end as engagement_score,
        case when is_member then cast(negative_score as decimal(18, 2)) end as negative_score,
        case when is_member then cast(
            case
                when fit_score + engagement_score + negative_score > max_score then max_score
                when fit_score + engagement_score + negative_score < min_score then min_score
                else fit_score + engagement_score + negative_score
            end as decimal(18, 2)
        ) end as total_score
    from scored

),

graded as (

    {{ leadscore.band_and_grade('bounded') }}

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
    from graded
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
    {%- endif %}

),

compared as (

    select
        candidates.*,
        lag(is_member) over by_lead as previous_is_member,
        lag(total_score) over by_lead as previous_total_score,
        lag(fit_score) over by_lead as previous_fit_score,
        lag(engagement_score) over by_lead as previous_engagement_score,
        lag(negative_score) over by_lead as previous_negative_score,
        lag(is_mql) over by_lead as previous_is_mql,
        row_number() over by_lead as change_number
    from candidates
    window by_lead as (partition by contact_id, model_id, model_version order by valid_from)

),

changed as (

    select * from compared
    where is_stored
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
            lead(valid_from) over (partition by contact_id, model_id, model_version order by valid_from),
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
        case when is_stored then stored_previous_total_score else previous_total_score end as previous_total_score

    from changed

)

select * from final
