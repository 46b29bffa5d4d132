-- Each contact's part in its account under every model version with account settings:
-- its score intervals cut by its profile versions, so that each piece has one company,
-- one profile (for committee rules) and one engagement score. Engaged: in the segment
-- with an engagement score at or above the version's engaged_min_engagement_score.
--
-- Incremental by day: a run recomputes the pieces that end on or after
-- history_window_start() (all of them when that is none) from the score intervals and
-- profile versions reaching that far; the pieces that ended before are left as stored.
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

lead_intervals as (

    select * from {{ ref('int_lead_score_changes') }}
    {%- if window_start %}
    where valid_to >= cast('{{ window_start }}' as date)
    {%- endif %}

),

profiles as (

    select * from {{ ref('int_contact_profiles_versioned') }}
    where company_id is not null
    {%- if window_start %}
        and (valid_to is null or valid_to >= cast('{{ window_start }}' as date))
    {%- endif %}

),

account_models as (

    select * from {{ ref('account_models') }}

),

final as (

    select
        -- ids
        profiles.company_id,
        lead_intervals.contact_id,
        lead_intervals.model_id,
        lead_intervals.model_version,
        profiles.valid_from as profile_valid_from,

        -- validity: from the start of valid_from to the start of valid_to (9999-12-31 while open)
        greatest(lead_intervals.valid_from, profiles.valid_from) as valid_from,
        least(
            lead_intervals.valid_to, coalesce(profiles.valid_to, cast('9999-12-31' as date))
        ) as valid_to,

        -- engagement
        coalesce(lead_intervals.is_member, false) as is_in_segment,
        coalesce(
            lead_intervals.is_member
            and lead_intervals.engagement_score >= account_models.engaged_min_engagement_score,
            false
        ) as is_engaged

    from lead_intervals
    inner join account_models
        on lead_intervals.model_id = account_models.model_id
        and lead_intervals.model_version = account_models.model_version
    inner join profiles
        on lead_intervals.contact_id = profiles.contact_id
        and lead_intervals.valid_to > profiles.valid_from
        and (profiles.valid_to is null or lead_intervals.valid_from < profiles.valid_to)

)

select * from final
{%- if window_start %}
where valid_to >= cast('{{ window_start }}' as date)
{%- endif %}
