-- Does a higher band convert more, close faster and bring more revenue? Per model
-- version, best band reached before the outcome, and cohort (month the lead was created).
with

leads as (

    select * from {{ ref('int_lead_version_outcomes') }}

),

final as (

    select
        -- ids
        cast(model_id as string) as model_id,
        cast(model_version as integer) as model_version,
        max(is_active_version) as is_active_version,
        cast(best_band as string) as band,
        cast(max(best_band_rank) as integer) as band_rank,
        cohort_month,

        -- funnel counts (leads)
        cast(count(*) as bigint) as leads,
        cast(sum(case when is_mql then 1 else 0 end) as bigint) as mqls,
        cast(sum(case when has_opportunity then 1 else 0 end) as bigint) as opportunities,
        cast(sum(case when is_customer then 1 else 0 end) as bigint) as customers,
        cast(sum(case when is_customer then 1 else 0 end) as double)
        / count(*) as conversion_rate,

        -- sales cycle (customers only)
        cast({{ leadscore.percentile_cont('cycle_days', 0.5) }} as double) as median_cycle_days,
        cast({{ leadscore.percentile_cont('cycle_days', 0.9) }} as double) as p90_cycle_days,

        -- revenue
        cast(sum(revenue) as double) as revenue,
        cast(sum(revenue) as double) / count(*) as revenue_per_lead,

        -- sales feedback
        cast(sum(case when is_dispositioned then 1 else 0 end) as bigint) as dispositioned_leads,
        cast(sum(case when is_accepted then 1 else 0 end) as double)
        / nullif(sum(case when is_dispositioned then 1 else 0 end), 0) as acceptance_rate

    from leads
    group by model_id, model_version, best_band, cohort_month

)

select * from final
