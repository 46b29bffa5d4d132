-- Every day on which an account's score under a model version changed, with the score
-- from that day on, as intervals (valid from the start of valid_from to the start of
-- valid_to; 9999-12-31 while open), and the MQA crossing of the day if there is one. The
-- contacts come from int_account_contacts_counted, the points from the rules that hold
-- (int_account_rule_points): each adds its points on the day it starts to hold and takes
-- them away on the day it stops.
--
-- Incremental by day, as int_lead_score_changes: a run recomputes the days from
-- history_window_start() to the score date (a full recompute when that is none),
-- starting from the interval stored for the day before (the only one read from
-- history), which it writes again, closed anew; so day-by-day runs and a full refresh
-- store the same rows, and a day's cost does not grow with history.
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

counts as (

    select * from {{ ref('int_account_contacts_counted') }}

),

rule_points as (

    select * from {{ ref('int_account_rule_points') }}

),

account_models as (

    select * from {{ ref('account_models') }}

),

point_deltas as (

    select
        company_id,
        model_id,
        model_version,
        valid_from as change_date,
        case when rule_type = 'fit' then points else 0 end as fit_delta,
        case when rule_type = 'breadth' then points else 0 end as breadth_delta,
        case when rule_type = 'committee' then points else 0 end as committee_delta,
        cast(null as {{ dbt.type_int() }}) as segment_contacts,
        cast(null as {{ dbt.type_int() }}) as engaged_contacts
    from rule_points

    union all

    select
        company_id,
        model_id,
        model_version,
        valid_to as change_date,
        case when rule_type = 'fit' then -points else 0 end as fit_delta,
        case when rule_type = 'breadth' then -points else 0 end as breadth_delta,
        case when rule_type = 'committee' then -points else 0 end as committee_delta,
        cast(null as {{ dbt.type_int() }}) as segment_contacts,
        cast(null as {{ dbt.type_int() }}) as engaged_contacts
    from rule_points
    where valid_to < cast('9999-12-31' as date)

    union all

    -- the contacts of each day they change (a rule only changes on such a day, or on a
    -- day a contact's profile changes, which carries the counts of the day before)
    select
        company_id,
        model_id,
        model_version,
        valid_from as change_date,
        0 as fit_delta,
        0 as breadth_delta,
        0 as committee_delta,
        segment_contacts,
        engaged_contacts
    from counts

),

daily as (

    select
        company_id,
        model_id,
        model_version,
        change_date,
        sum(fit_delta) as fit_delta,
        sum(breadth_delta) as breadth_delta,
        sum(committee_delta) as committee_delta,
        max(segment_contacts) as segment_contacts,
        max(engaged_contacts) as engaged_contacts
    from point_deltas
    group by company_id, model_id, model_version, change_date

),

running as (

    select
        daily.*,
        sum(daily.fit_delta) over by_account_so_far as fit_points,
        sum(daily.breadth_delta) over by_account_so_far as breadth_points,
        sum(daily.committee_delta) over by_account_so_far as committee_points,
        -- the counts' row in force: the latest day up to this one that has counts
        count(daily.segment_contacts) over by_account_so_far as counts_number
    from daily
    window by_account_so_far as (
        partition by daily.company_id, daily.model_id, daily.model_version
        order by daily.change_date
        rows between unbounded preceding and current row
    )

),

account_days as (

    select
        company_id,
        model_id,
        model_version,
        change_date as score_date,
        fit_points,
        breadth_points,
        committee_points,
        max(segment_contacts) over by_counts as segment_contacts,
        max(engaged_contacts) over by_counts as engaged_contacts
    from running
    window by_counts as (partition by company_id, model_id, model_version, counts_number)

),

totals as (

    select
        account_days.company_id,
        account_days.model_id,
        account_days.model_version,
        account_days.score_date,
        coalesce(account_days.segment_contacts > 0, false) as is_in_segment,
        account_models.mqa_threshold,
        case when account_days.segment_contacts > 0 then account_days.segment_contacts end
            as segment_contacts,
        case when account_days.segment_contacts > 0 then account_days.engaged_contacts end
            as engaged_contacts,
        case when account_days.segment_contacts > 0 then account_days.fit_points end
            as fit_score,
        case when account_days.segment_contacts > 0 then account_days.breadth_points end
            as breadth_score,
        case when account_days.segment_contacts > 0 then account_days.committee_points end
            as committee_score,
        case
            when account_days.segment_contacts > 0
                then
                    account_days.fit_points
                    + account_days.breadth_points
                    + account_days.committee_points
        end as account_score
    from account_days
    inner join account_models
        on account_days.model_id = account_models.model_id
        and account_days.model_version = account_models.model_version

),

candidates as (

    select
        company_id,
        model_id,
        model_version,
        score_date,
        is_in_segment,
        mqa_threshold,
        segment_contacts,
        engaged_contacts,
        fit_score,
        breadth_score,
        committee_score,
        account_score,
        coalesce(account_score >= mqa_threshold, false) as is_mqa,
        false as is_stored,
        cast(null as {{ dbt.type_string() }}) as stored_mqa_direction,
        cast(null as decimal(18, 2)) as stored_previous_account_score
    from totals
    {%- if window_start %}
    union all
    -- the interval stored for the day before the window: what its first day is compared
    -- with, written again with its new end
    select
        company_id,
        model_id,
        model_version,
        valid_from as score_date,
        is_in_segment,
        mqa_threshold,
        segment_contacts,
        engaged_contacts,
        fit_score,
        breadth_score,
        committee_score,
        account_score,
        is_mqa,
        true as is_stored,
        mqa_direction as stored_mqa_direction,
        previous_account_score as stored_previous_account_score
    from {{ this }}
    where valid_from < cast('{{ window_start }}' as date)
        and valid_to >= cast('{{ window_start }}' as date)
    {%- endif %}

),

compared as (

    select
        candidates.*,
        lag(candidates.is_in_segment) over by_account as previous_is_in_segment,
        lag(candidates.segment_contacts) over by_account as previous_segment_contacts,
        lag(candidates.engaged_contacts) over by_account as previous_engaged_contacts,
        lag(candidates.fit_score) over by_account as previous_fit_score,
        lag(candidates.breadth_score) over by_account as previous_breadth_score,
        lag(candidates.committee_score) over by_account as previous_committee_score,
        lag(candidates.account_score) over by_account as previous_account_score,
        lag(candidates.is_mqa) over by_account as previous_is_mqa,
        row_number() over by_account as change_number
    from candidates
    window by_account as (
        partition by company_id, model_id, model_version order by score_date
    )

),

changed as (

    select * from compared
    where
        is_stored
        or change_number = 1
        or is_in_segment is distinct from previous_is_in_segment
        or segment_contacts is distinct from previous_segment_contacts
        or engaged_contacts is distinct from previous_engaged_contacts
        or fit_score is distinct from previous_fit_score
        or breadth_score is distinct from previous_breadth_score
        or committee_score is distinct from previous_committee_score

),

final as (

    select
        -- ids
        company_id,
        model_id,
        model_version,

        -- validity
        score_date as valid_from,
        cast(coalesce(
            lead(score_date)
                over (partition by company_id, model_id, model_version order by score_date),
            cast('9999-12-31' as date)
        ) as date) as valid_to,
        is_in_segment,

        -- contacts (null while no contact is in the segment)
        segment_contacts,
        engaged_contacts,

        -- points (null while no contact is in the segment)
        mqa_threshold,
        cast(fit_score as decimal(18, 2)) as fit_score,
        cast(breadth_score as decimal(18, 2)) as breadth_score,
        cast(committee_score as decimal(18, 2)) as committee_score,
        cast(account_score as decimal(18, 2)) as account_score,
        is_mqa,
        cast(
            case
                when is_stored then stored_mqa_direction
                when is_mqa and not coalesce(previous_is_mqa, false) then 'up'
                when not is_mqa and coalesce(previous_is_mqa, false) then 'down'
            end as {{ dbt.type_string() }}
        ) as mqa_direction,
        cast(
            case when is_stored then stored_previous_account_score else previous_account_score end
            as decimal(18, 2)
        ) as previous_account_score

    from changed

)

select * from final
