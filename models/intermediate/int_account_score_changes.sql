-- Every day on which an account's score under a model version changed, with the score
-- from that day on, as intervals (valid from the start of valid_from to the start of
-- valid_to; 9999-12-31 while open), and the MQA crossing of the day if there is one.
-- Rebuilt in full from the lead score history on every run.
with

day_contacts as (

    select * from {{ ref('int_account_day_contacts') }}

),

rule_points as (

    select * from {{ ref('int_account_rule_points') }}

),

account_models as (

    select * from {{ ref('account_models') }}

),

account_days as (

    select
        company_id,
        model_id,
        model_version,
        score_date,
        max(case when is_in_segment then 1 else 0 end) = 1 as is_in_segment,
        count(distinct case when is_in_segment then contact_id end) as segment_contacts,
        count(distinct case when is_engaged then contact_id end) as engaged_contacts
    from day_contacts
    group by company_id, model_id, model_version, score_date

),

day_points as (

    select
        company_id,
        model_id,
        model_version,
        score_date,
        sum(case when rule_type = 'fit' then points else 0 end) as fit_score,
        sum(case when rule_type = 'breadth' then points else 0 end) as breadth_score,
        sum(case when rule_type = 'committee' then points else 0 end) as committee_score
    from rule_points
    group by company_id, model_id, model_version, score_date

),

scored as (

    select
        account_days.company_id,
        account_days.model_id,
        account_days.model_version,
        account_days.score_date,
        account_days.is_in_segment,
        account_models.mqa_threshold,
        case when account_days.is_in_segment then account_days.segment_contacts end
            as segment_contacts,
        case when account_days.is_in_segment then account_days.engaged_contacts end
            as engaged_contacts,
        case when account_days.is_in_segment then coalesce(day_points.fit_score, 0) end
            as fit_score,
        case when account_days.is_in_segment then coalesce(day_points.breadth_score, 0) end
            as breadth_score,
        case when account_days.is_in_segment then coalesce(day_points.committee_score, 0) end
            as committee_score
    from account_days
    inner join account_models
        on account_days.model_id = account_models.model_id
        and account_days.model_version = account_models.model_version
    left join day_points
        on account_days.company_id = day_points.company_id
        and account_days.model_id = day_points.model_id
        and account_days.model_version = day_points.model_version
        and account_days.score_date = day_points.score_date

),

totals as (

    select
        scored.*,
        scored.fit_score + scored.breadth_score + scored.committee_score as account_score,
        coalesce(
            scored.fit_score + scored.breadth_score + scored.committee_score
            >= scored.mqa_threshold,
            false
        ) as is_mqa
    from scored

),

compared as (

    select
        totals.*,
        lag(totals.is_in_segment) over by_account as previous_is_in_segment,
        lag(totals.segment_contacts) over by_account as previous_segment_contacts,
        lag(totals.engaged_contacts) over by_account as previous_engaged_contacts,
        lag(totals.fit_score) over by_account as previous_fit_score,
        lag(totals.breadth_score) over by_account as previous_breadth_score,
        lag(totals.committee_score) over by_account as previous_committee_score,
        lag(totals.account_score) over by_account as previous_account_score,
        lag(totals.is_mqa) over by_account as previous_is_mqa,
        row_number() over by_account as change_number
    from totals
    window by_account as (
        partition by company_id, model_id, model_version order by score_date
    )

),

changed as (

    select * from compared
    where
        change_number = 1
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
        fit_score,
        breadth_score,
        committee_score,
        account_score,
        is_mqa,
        cast(
            case
                when is_mqa and not coalesce(previous_is_mqa, false) then 'up'
                when not is_mqa and coalesce(previous_is_mqa, false) then 'down'
            end as {{ dbt.type_string() }}
        ) as mqa_direction,
        previous_account_score

    from changed

)

select * from final
