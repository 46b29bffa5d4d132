-- Is conversion by band trending? band_outcomes by cohort week instead of month: per model
-- version, best band and the week (Monday to Sunday) the leads were created. A cohort
-- younger than its version's median sales cycle has most of its customers still to come
-- (is_immature); the week holding the score date is not over (is_partial_week).
with

leads as (

    select * from {{ ref('int_lead_version_outcomes') }}

),

contacts as (

    select * from {{ ref('int_lead_outcomes') }}

),

dated as (

    select
        leads.*,
        contacts.score_date,
        cast({{ dbt.date_trunc('week', 'contacts.created_date') }} as date) as cohort_week
    from leads
    inner join contacts
        on leads.contact_id = contacts.contact_id

),

cycles as (

    -- the version's median sales cycle over all its customers
    select
        model_id,
        model_version,
        {{ leadscore.percentile_cont('cycle_days', 0.5) }} as median_cycle_days
    from dated
    group by model_id, model_version

),

weeks as (

    select
        model_id,
        model_version,
        max(is_active_version) as is_active_version,
        best_band as band,
        max(best_band_rank) as band_rank,
        cohort_week,
        max(score_date) as score_date,
        count(*) as leads,
        sum(case when is_mql then 1 else 0 end) as mqls,
        sum(case when is_customer then 1 else 0 end) as customers,
        sum(revenue) as revenue
    from dated
    group by model_id, model_version, best_band, cohort_week

),

aged as (

    select
        weeks.*,
        cycles.median_cycle_days,
        cast({{ dbt.dateadd('day', 6, 'weeks.cohort_week') }} as date) as week_end
    from weeks
    inner join cycles
        on weeks.model_id = cycles.model_id
        and weeks.model_version = cycles.model_version

),

final as (

    select
        -- ids
        cast(model_id as {{ dbt.type_string() }}) as model_id,
        cast(model_version as {{ dbt.type_int() }}) as model_version,
        is_active_version,
        cast(band as {{ dbt.type_string() }}) as band,
        cast(band_rank as {{ dbt.type_int() }}) as band_rank,
        cohort_week,
        score_date,

        -- counts (leads)
        cast(leads as bigint) as leads,
        cast(mqls as bigint) as mqls,
        cast(customers as bigint) as customers,
        cast(customers as double) / leads as conversion_rate,

        -- revenue
        cast(revenue as double) as revenue,

        -- maturity: the cohort's age counts from its youngest day (the week's Sunday, or
        -- the score date in the week not over yet)
        week_end > score_date as is_partial_week,
        cast(
            {{ dbt.datediff('least(week_end, score_date)', 'score_date', 'day') }}
            as {{ dbt.type_int() }}
        ) as cohort_age_days,
        cast(median_cycle_days as double) as median_cycle_days,
        -- no customer yet: no cycle to compare with, and no cohort can be called mature
        coalesce(
            {{ dbt.datediff('least(week_end, score_date)', 'score_date', 'day') }}
            < median_cycle_days,
            true
        ) as is_immature

    from aged

)

select * from final
