-- Would each rule version have found the customers? Scores as they were on a reference
-- day (var backtest_reference_date; default the score date minus the outcome window)
-- against the leads that became customers in the window after it (var
-- backtest_window_days, default 90). Every version of a model is judged on the same
-- leads: those in the segment of all its versions that day and not yet customers.
-- One row per model version and score decile (1 = highest scores); the version's
-- figures repeat on each of its deciles.
{%- set window_days = var('backtest_window_days', 90) | int %}

with

history as (

    -- the stored intervals (9999-12-31 while open), not lead_score_history: the view's
    -- buying-stage cuts split no score
    select * from {{ ref('int_lead_score_changes') }}

),

bands as (

    select * from {{ ref('score_bands') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

outcomes as (

    select * from {{ ref('int_lead_outcomes') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

reference as (

    select
        {% if var('backtest_reference_date', none) -%}
        cast('{{ var("backtest_reference_date") }}' as date)
        {%- else -%}
            cast({{ dbt.dateadd('day', -window_days, 'score_date') }} as date)
        {%- endif %} as reference_date
    from score_dates

),

window_bounds as (

    select
        reference_date,
        cast({{ dbt.dateadd('day', window_days, 'reference_date') }} as date) as window_end_date
    from reference

),

as_of_scores as (

    select
        history.contact_id,
        history.model_id,
        history.model_version,
        history.total_score,
        history.band,
        history.is_mql
    from history
    cross join window_bounds
    inner join models
        on history.model_id = models.model_id
        and history.model_version = models.model_version
    where
        history.is_member
        and history.valid_from <= window_bounds.reference_date
        and history.valid_to > window_bounds.reference_date

),

version_counts as (

    select
        model_id,
        count(*) as versions
    from models
    group by model_id

),

common_leads as (

    -- in the segment of every version of the model, not a customer yet
    select
        as_of_scores.contact_id,
        as_of_scores.model_id
    from as_of_scores
    inner join outcomes
        on as_of_scores.contact_id = outcomes.contact_id
    inner join version_counts
        on as_of_scores.model_id = version_counts.model_id
    cross join window_bounds
    where
        outcomes.first_won_date is null
        or outcomes.first_won_date > window_bounds.reference_date
    group by as_of_scores.contact_id, as_of_scores.model_id, version_counts.versions
    having count(*) = version_counts.versions

),

scored as (

    select
        as_of_scores.*,
        models.is_active as is_active_version,
        bands.band_rank,
        case
            when
                outcomes.first_won_date > window_bounds.reference_date
                and outcomes.first_won_date <= window_bounds.window_end_date
                then 1
            else 0
        end as is_converted
    from as_of_scores
    inner join common_leads
        on as_of_scores.contact_id = common_leads.contact_id
        and as_of_scores.model_id = common_leads.model_id
    inner join outcomes
        on as_of_scores.contact_id = outcomes.contact_id
    inner join models
        on as_of_scores.model_id = models.model_id
        and as_of_scores.model_version = models.model_version
    left join bands
        on as_of_scores.model_id = bands.model_id
        and as_of_scores.model_version = bands.model_version
        and as_of_scores.band = bands.band
    cross join window_bounds

),

ranked as (

    -- midranks for the rank-sum (Mann-Whitney) AUC: tied scores share the mean of
    -- their ranks. Deciles split tied scores by a hash of contact_id: reproducible, and
    -- unrelated to age (ids grow with creation time, and older leads convert differently)
    select
        scored.*,
        rank() over (
            partition by scored.model_id, scored.model_version order by scored.total_score
        ) + (count(*) over (
            partition by scored.model_id, scored.model_version, scored.total_score
        ) - 1) / 2.0 as mid_rank,
        ntile(10) over (
            partition by scored.model_id, scored.model_version
            order by scored.total_score desc, {{ dbt.hash('contact_id') }}, scored.contact_id asc
        ) as decile
    from scored

),

per_version as (

    select
        model_id,
        model_version,
        max(is_active_version) as is_active_version,
        count(*) as leads,
        sum(is_converted) as customers,
        sum(case when is_converted = 1 then mid_rank else 0 end) as positive_rank_sum,
        sum(case when is_mql then 1 else 0 end) as mqls,
        sum(case when is_mql and is_converted = 1 then 1 else 0 end) as mql_customers
    from ranked
    group by model_id, model_version

),

per_band as (

    select
        model_id,
        model_version,
        band_rank,
        cast(sum(is_converted) as double) / count(*) as band_conversion_rate
    from ranked
    group by model_id, model_version, band_rank

),

band_steps as (

    select
        per_band.*,
        lag(per_band.band_conversion_rate) over (
            partition by per_band.model_id, per_band.model_version order by per_band.band_rank
        ) as lower_band_conversion_rate
    from per_band

),

band_monotony as (

    -- true when each band converts strictly better than the band below it
    select
        model_id,
        model_version,
        min(
            case
                when lower_band_conversion_rate is null then 1
                when band_conversion_rate > lower_band_conversion_rate then 1
                else 0
            end
        ) = 1 as conversion_rises_by_band
    from band_steps
    group by model_id, model_version

),

per_decile as (

    select
        model_id,
        model_version,
        decile,
        count(*) as decile_leads,
        sum(is_converted) as decile_customers,
        min(total_score) as decile_min_score,
        max(total_score) as decile_max_score
    from ranked
    group by model_id, model_version, decile

),

final as (

    select
        -- ids
        cast(per_version.model_id as string) as model_id,
        cast(per_version.model_version as integer) as model_version,
        per_version.is_active_version,
        window_bounds.reference_date,
        cast({{ window_days }} as integer) as outcome_window_days,

        -- the version on all its leads
        cast(per_version.leads as bigint) as leads,
        cast(per_version.customers as bigint) as customers,
        cast(per_version.customers as double) / per_version.leads as conversion_rate,
        cast(
            (
                per_version.positive_rank_sum
                - per_version.customers * (per_version.customers + 1) / 2.0
            )
            / nullif(
                cast(per_version.customers as double) * (per_version.leads - per_version.customers),
                0
            )
            as double
        ) as auc,
        cast(top_decile.decile_customers as double) / top_decile.decile_leads
        / nullif(cast(per_version.customers as double) / per_version.leads, 0) as top_decile_lift,
        cast(per_version.mql_customers as double) / nullif(per_version.customers, 0) as mql_recall,
        cast(per_version.mql_customers as double) / nullif(per_version.mqls, 0) as mql_precision,
        band_monotony.conversion_rises_by_band,

        -- the decile
        cast(per_decile.decile as integer) as decile,
        cast(per_decile.decile_leads as bigint) as decile_leads,
        cast(per_decile.decile_customers as bigint) as decile_customers,
        cast(per_decile.decile_customers as double)
        / per_decile.decile_leads as decile_conversion_rate,
        cast(per_decile.decile_customers as double) / per_decile.decile_leads
        / nullif(cast(per_version.customers as double) / per_version.leads, 0) as decile_lift,
        cast(per_decile.decile_min_score as double) as decile_min_score,
        cast(per_decile.decile_max_score as double) as decile_max_score

    from per_version
    cross join window_bounds
    inner join per_decile
        on per_version.model_id = per_decile.model_id
        and per_version.model_version = per_decile.model_version
    inner join per_decile as top_decile
        on per_version.model_id = top_decile.model_id
        and per_version.model_version = top_decile.model_version
        and top_decile.decile = 1
    inner join band_monotony
        on per_version.model_id = band_monotony.model_id
        and per_version.model_version = band_monotony.model_version

)

select * from final
