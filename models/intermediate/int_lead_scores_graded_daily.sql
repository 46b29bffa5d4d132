-- A lead's graded score under a model version on every day it may change (a day its
-- event points, inactivity penalties, aggregate-behaviour points or profile change):
-- event and aggregate points are the running sum of the day's deltas, fit points those
-- of the profile version valid that day plus the sales-feedback adjustment valid that
-- day (int_disposition_adjustments).
-- int_lead_score_changes keeps the days whose score did change.
--
-- A step of the incremental int_lead_score_changes, in the window of its run: the
-- interval open the day before the window counts in full on the window's first day.
--
-- Per lead (touched_keys_only): in a daily run only the leads something touched in the
-- window are scored: an event balance, aggregate-rule or profile version or sales-feedback
-- adjustment starting in it, an inactivity penalty starting or stopping in it, or a stored
-- change after the score date (an earlier day run again). Every other lead's stored
-- intervals stay as they are (int_lead_score_changes, config touched_key).
{{ config(materialized='ephemeral') }}
{%- set window_start = leadscore.incremental_window_start('int_lead_score_changes') %}
{%- set touched_only = window_start and leadscore.touched_keys_only('int_lead_score_changes') %}
{%- set touched_filter -%}
    contact_id in (select touched.contact_id from touched)
{%- endset %}

with
{%- if touched_only %}

touched as (

    select contact_id from {{ ref('int_event_points_balanced') }}
    where valid_from >= cast('{{ window_start }}' as date)
    union
    select contact_id from {{ ref('int_aggregate_rule_points') }}
    where valid_from >= cast('{{ window_start }}' as date)
    union
    select contact_id from {{ ref('int_segment_memberships') }}
    where valid_from >= cast('{{ window_start }}' as date)
    union
    select contact_id from {{ ref('int_disposition_adjustments') }}
    where valid_from >= cast('{{ window_start }}' as date)
    union
    select contact_id from {{ ref('int_inactivity_deltas') }}
    where is_change
    union
    select stored.contact_id
    from {{ adapter.get_relation(
        database=target.database, schema='intermediate', identifier='int_lead_score_changes'
    ) }} as stored
    where stored.valid_from > cast('{{ var("score_date") }}' as date)

),
{%- endif %}

memberships as (

    select * from {{ ref('int_segment_memberships') }}
    {%- if touched_only %}
    where {{ touched_filter }}
    {%- endif %}

),

fit_points as (

    select * from {{ ref('int_fit_points_versioned') }}
    {%- if touched_only %}
    where {{ touched_filter }}
    {%- endif %}

),

event_balances as (

    select * from {{ ref('int_event_points_balanced') }}
    {%- if window_start %}
    where valid_to >= cast('{{ window_start }}' as date)
    {%- endif %}
    {%- if touched_only %}
        and {{ touched_filter }}
    {%- endif %}

),

inactivity_deltas as (

    select * from {{ ref('int_inactivity_deltas') }}
    {%- if touched_only %}
    where {{ touched_filter }}
    {%- endif %}

),

aggregate_points as (

    select * from {{ ref('int_aggregate_rule_points') }}
    {%- if window_start %}
    where valid_to >= cast('{{ window_start }}' as date)
    {%- endif %}
    {%- if touched_only %}
        and {{ touched_filter }}
    {%- endif %}

),

models as (

    select * from {{ ref('scoring_models') }}

),

disposition_adjustments as (

    select * from {{ ref('int_disposition_adjustments') }}
    {%- if window_start %}
    where valid_to > cast('{{ window_start }}' as date)
    {%- endif %}
    {%- if touched_only %}
        and {{ touched_filter }}
    {%- endif %}

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
        and (
            memberships.valid_to is null
            or memberships.valid_to > cast('{{ window_start }}' as date)
        )
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
        event_balances.contact_id,
        event_balances.model_id,
        event_balances.model_version,
        {{ leadscore.clamp_to_window('event_balances.valid_from', window_start) }} as change_date,
        {{ leadscore.window_opening_delta(
            'event_balances.valid_from', window_start,
            'event_balances.engagement_points', 'event_balances.engagement_delta'
        ) }} as engagement_delta,
        {{ leadscore.window_opening_delta(
            'event_balances.valid_from', window_start,
            'event_balances.negative_points', 'event_balances.negative_delta'
        ) }} as negative_delta
    from event_balances
    cross join score_dates
    where event_balances.valid_from <= score_dates.score_date

    union all

    select
        contact_id,
        model_id,
        model_version,
        delta_date as change_date,
        0 as engagement_delta,
        negative_delta
    from inactivity_deltas

    union all

    -- aggregate-behaviour points: like event points, a running balance per rule
    select
        contact_id,
        model_id,
        model_version,
        {{ leadscore.clamp_to_window('valid_from', window_start) }} as change_date,
        {{ leadscore.window_opening_delta(
            'valid_from', window_start, 'engagement_points', 'engagement_delta'
        ) }} as engagement_delta,
        {{ leadscore.window_opening_delta(
            'valid_from', window_start, 'negative_points', 'negative_delta'
        ) }} as negative_delta
    from aggregate_points

    union all

    -- every profile change is a day to look at (in a window, from its first day on)
    select
        contact_id,
        model_id,
        model_version,
        {{ leadscore.clamp_to_window('valid_from', window_start) }} as change_date,
        0 as engagement_delta,
        0 as negative_delta
    from known_memberships

    union all

    -- every change of the sales-feedback adjustment (in a window, from its first day on)
    select
        disposition_adjustments.contact_id,
        disposition_adjustments.model_id,
        disposition_adjustments.model_version,
        {{ leadscore.clamp_to_window('disposition_adjustments.valid_from', window_start) }}
            as change_date,
        0 as engagement_delta,
        0 as negative_delta
    from disposition_adjustments
    cross join score_dates
    where disposition_adjustments.valid_from <= score_dates.score_date

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
        sum(daily.engagement_delta) over by_lead_so_far as engagement_points,
        sum(daily.negative_delta) over by_lead_so_far as event_negative_points
    from daily
    window by_lead_so_far as (
        partition by daily.contact_id, daily.model_id, daily.model_version
        order by daily.change_date
        rows between unbounded preceding and current row
    )

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
        and running.change_date >= known_memberships.valid_from
        and (
            known_memberships.valid_to is null
            or running.change_date < known_memberships.valid_to
        )

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
        coalesce(fit_totals.fit_points, 0)
        + coalesce(disposition_adjustments.points, 0) as fit_score,
        with_profile.engagement_points as engagement_score,
        coalesce(fit_totals.fit_negative_points, 0)
        + with_profile.event_negative_points as negative_score
    from with_profile
    inner join models
        on with_profile.model_id = models.model_id
        and with_profile.model_version = models.model_version
    left join fit_totals
        on with_profile.contact_id = fit_totals.contact_id
        and with_profile.profile_valid_from = fit_totals.valid_from
        and with_profile.model_id = fit_totals.model_id
        and with_profile.model_version = fit_totals.model_version
    left join disposition_adjustments
        on with_profile.contact_id = disposition_adjustments.contact_id
        and with_profile.model_id = disposition_adjustments.model_id
        and with_profile.model_version = disposition_adjustments.model_version
        and with_profile.change_date >= disposition_adjustments.valid_from
        and with_profile.change_date < disposition_adjustments.valid_to

),

-- points count only while the lead is in the model version's segment
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
        case
            when is_member then cast(engagement_score as decimal(18, 2))
        end as engagement_score,
        case when is_member then cast(negative_score as decimal(18, 2)) end as negative_score,
        case
            when is_member then cast({{ leadscore.bounded_score(
                'fit_score + engagement_score + negative_score'
            ) }} as decimal(18, 2))
        end as total_score
    from scored

),

final as (

    {{ leadscore.band_and_grade('bounded') }}

)

select * from final
