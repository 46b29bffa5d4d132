-- Is "decision" really where deals come from? Per model version and the furthest buying
-- stage a lead reached before its outcome (before its first win for customers, by the
-- score date for the others), as band_outcomes does with bands: conversion, sales cycle
-- and revenue, and each stage's share of the version's customers and revenue.
with

leads as (

    select * from {{ ref('int_lead_version_outcomes') }}

),

staged_leads as (

    -- the furthest stage is worked out per lead in int_lead_version_outcomes
    select
        *,
        coalesce(furthest_stage_rank, 0) as stage_rank
    from leads

),

per_stage as (

    select
        model_id,
        model_version,
        stage_rank,
        max(is_active_version) as is_active_version,
        count(*) as leads,
        sum(case when is_mql then 1 else 0 end) as mqls,
        sum(case when has_opportunity then 1 else 0 end) as opportunities,
        sum(case when is_customer then 1 else 0 end) as customers,
        {{ leadscore.percentile_cont('cycle_days', 0.5) }} as median_cycle_days,
        coalesce(sum(revenue), 0) as revenue
    from staged_leads
    group by model_id, model_version, stage_rank

),

final as (

    select
        -- ids
        cast(model_id as string) as model_id,
        cast(model_version as integer) as model_version,
        is_active_version,
        cast(case stage_rank
            when 1 then 'discovery'
            when 2 then 'evaluation'
            when 3 then 'decision'
        end as string) as buying_stage,
        cast(stage_rank as integer) as stage_rank,

        -- funnel counts (leads)
        cast(leads as bigint) as leads,
        cast(mqls as bigint) as mqls,
        cast(opportunities as bigint) as opportunities,
        cast(customers as bigint) as customers,
        cast(opportunities as double) / leads as opportunity_rate,
        cast(customers as double) / leads as conversion_rate,
        cast(customers as double)
        / nullif(sum(customers) over by_version, 0) as share_of_customers,

        -- sales cycle (customers only)
        cast(median_cycle_days as double) as median_cycle_days,

        -- revenue
        cast(revenue as double) as revenue,
        cast(revenue as double) / leads as revenue_per_lead,
        cast(revenue as double)
        / nullif(sum(revenue) over by_version, 0) as share_of_revenue

    from per_stage
    window by_version as (partition by model_id, model_version)

)

select * from final
