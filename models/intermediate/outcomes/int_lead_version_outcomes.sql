-- One row per lead and model version (a contact that was in the version's segment on
-- some day): its outcome, its first MQL day and the best band it reached before the
-- outcome (before its first win for customers, else by the score date), and the length
-- of its sales cycle: from the first MQL day (or creation, when it never was MQL before
-- winning) to the first closed-won day.
with

history as (

    select * from {{ ref('lead_score_history') }}
    where is_in_segment

),

mql_events as (

    select * from {{ ref('mql_events') }}
    where direction = 'up'

),

bands as (

    select * from {{ ref('score_bands') }}

),

outcomes as (

    -- a win older than the first event says nothing about the scores
    select * from {{ ref('int_lead_outcomes') }}
    where not is_won_before_data

),

first_mqls as (

    select
        contact_id,
        model_id,
        model_version,
        min(event_date) as first_mql_date
    from mql_events
    group by contact_id, model_id, model_version

),

best_bands as (

    select
        history.contact_id,
        history.model_id,
        history.model_version,
        max(history.is_active_version) as is_active_version,
        max(
            case
                when history.valid_from <= coalesce(outcomes.first_won_date, outcomes.score_date)
                    then bands.band_rank
            end
        ) as best_band_rank
    from history
    inner join outcomes
        on history.contact_id = outcomes.contact_id
    left join bands
        on history.model_id = bands.model_id
        and history.model_version = bands.model_version
        and history.band = bands.band
    group by history.contact_id, history.model_id, history.model_version

),

with_cycle as (

    select
        best_bands.*,
        first_mqls.first_mql_date,
        outcomes.cohort_month,
        outcomes.channel,
        outcomes.is_accepted,
        outcomes.is_dispositioned,
        outcomes.has_opportunity,
        outcomes.is_customer,
        outcomes.first_won_date,
        outcomes.revenue,
        case
            when first_mqls.first_mql_date <= outcomes.first_won_date then first_mqls.first_mql_date
            else outcomes.created_date
        end as cycle_start_date
    from best_bands
    inner join outcomes
        on best_bands.contact_id = outcomes.contact_id
    left join first_mqls
        on best_bands.contact_id = first_mqls.contact_id
        and best_bands.model_id = first_mqls.model_id
        and best_bands.model_version = first_mqls.model_version

),

final as (

    select
        -- ids
        with_cycle.contact_id,
        with_cycle.model_id,
        with_cycle.model_version,
        with_cycle.is_active_version,

        -- cohort
        with_cycle.cohort_month,
        with_cycle.channel,

        -- score
        bands.band as best_band,
        with_cycle.best_band_rank,
        with_cycle.first_mql_date,
        with_cycle.first_mql_date is not null as is_mql,

        -- outcome
        with_cycle.is_dispositioned,
        with_cycle.is_accepted,
        with_cycle.has_opportunity,
        with_cycle.is_customer,
        with_cycle.first_won_date,
        with_cycle.revenue,
        with_cycle.cycle_start_date,
        case
            when with_cycle.is_customer
                then {{ dbt.datediff(
                    'with_cycle.cycle_start_date', 'with_cycle.first_won_date', 'day'
                ) }}
        end as cycle_days

    from with_cycle
    left join bands
        on with_cycle.model_id = bands.model_id
        and with_cycle.model_version = bands.model_version
        and with_cycle.best_band_rank = bands.band_rank

)

select * from final
