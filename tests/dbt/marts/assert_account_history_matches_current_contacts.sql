-- The account history is built from the lead score intervals cut by profile versions; on
-- the score date its contact counts must agree with the current lead scores, computed
-- independently: per company and model version, the contacts in the segment and those
-- engaged (engagement score at or above the version's engaged_min_engagement_score).
with

account_changes as (

    select * from {{ ref('int_account_score_changes') }}

),

current_scores as (

    select * from {{ ref('int_lead_scores_graded') }}
    where company_id is not null

),

account_models as (

    select * from {{ ref('account_models') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

history_on_score_date as (

    select account_changes.*
    from account_changes
    cross join score_dates
    where
        account_changes.valid_from <= score_dates.score_date
        and account_changes.valid_to > score_dates.score_date
        and account_changes.is_in_segment

),

current_counts as (

    select
        current_scores.company_id,
        current_scores.model_id,
        current_scores.model_version,
        count(*) as segment_contacts,
        sum(
            case
                when current_scores.engagement_score >= account_models.engaged_min_engagement_score
                    then 1
                else 0
            end
        ) as engaged_contacts
    from current_scores
    inner join account_models
        on current_scores.model_id = account_models.model_id
        and current_scores.model_version = account_models.model_version
    group by current_scores.company_id, current_scores.model_id, current_scores.model_version

),

final as (

    select
        coalesce(history_on_score_date.company_id, current_counts.company_id) as company_id,
        coalesce(history_on_score_date.model_id, current_counts.model_id) as model_id,
        coalesce(history_on_score_date.model_version, current_counts.model_version)
            as model_version,
        history_on_score_date.segment_contacts as history_segment_contacts,
        current_counts.segment_contacts as current_segment_contacts,
        history_on_score_date.engaged_contacts as history_engaged_contacts,
        current_counts.engaged_contacts as current_engaged_contacts
    from history_on_score_date
    full outer join current_counts
        on history_on_score_date.company_id = current_counts.company_id
        and history_on_score_date.model_id = current_counts.model_id
        and history_on_score_date.model_version = current_counts.model_version
    where
        history_on_score_date.segment_contacts is distinct from current_counts.segment_contacts
        or history_on_score_date.engaged_contacts is distinct from current_counts.engaged_contacts

)

select * from final
