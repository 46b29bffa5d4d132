-- What a lead, an MQL and a customer cost per acquisition channel, and what they brought
-- back: the month's spend on the channel divided by the leads the channel brought that
-- month (contacts.lead_source, by creation month) and by how many of those became MQL or
-- customers by the score date; their won revenue against the spend.
with

spend as (

    select * from {{ ref('stg_raw__marketing_spend') }}

),

outcomes as (

    select * from {{ ref('int_lead_outcomes') }}

),

lead_mqls as (

    select * from {{ ref('int_lead_version_outcomes') }}
    where is_active_version

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

spend_per_month as (

    select
        coalesce(spend.channel, 'unknown') as channel,
        cast({{ dbt.date_trunc('month', 'spend.spend_date') }} as date) as spend_month,
        sum(spend.amount) as spend
    from spend
    cross join score_dates
    where spend.spend_date <= score_dates.score_date
    group by 1, 2

),

mql_contacts as (

    -- MQL under any active model
    select distinct contact_id
    from lead_mqls
    where is_mql

),

leads_per_month as (

    select
        outcomes.channel,
        outcomes.cohort_month as spend_month,
        count(*) as leads,
        sum(case when mql_contacts.contact_id is not null then 1 else 0 end) as mqls,
        sum(case when outcomes.is_customer then 1 else 0 end) as customers,
        sum(outcomes.revenue) as revenue
    from outcomes
    left join mql_contacts
        on outcomes.contact_id = mql_contacts.contact_id
    group by 1, 2

),

joined as (

    select
        coalesce(spend_per_month.channel, leads_per_month.channel) as channel,
        coalesce(spend_per_month.spend_month, leads_per_month.spend_month) as spend_month,
        spend_per_month.spend,
        coalesce(leads_per_month.leads, 0) as leads,
        coalesce(leads_per_month.mqls, 0) as mqls,
        coalesce(leads_per_month.customers, 0) as customers,
        coalesce(leads_per_month.revenue, 0) as revenue
    from spend_per_month
    full outer join leads_per_month
        on spend_per_month.channel = leads_per_month.channel
        and spend_per_month.spend_month = leads_per_month.spend_month

),

final as (

    select
        -- ids
        cast(channel as string) as channel,
        spend_month as month,

        -- spend and counts
        cast(spend as double) as spend,
        cast(leads as bigint) as leads,
        cast(mqls as bigint) as mqls,
        cast(customers as bigint) as customers,

        -- unit costs (null without recorded spend or with nothing to divide by)
        cast(spend as double) / nullif(leads, 0) as cost_per_lead,
        cast(spend as double) / nullif(mqls, 0) as cost_per_mql,
        cast(spend as double) / nullif(customers, 0) as cost_per_customer,

        -- return (revenue of the month's leads, won by the score date)
        cast(revenue as double) as revenue,
        cast(revenue as double) / nullif(customers, 0) as revenue_per_customer,
        cast(revenue as double) / nullif(cast(spend as double), 0) as return_on_spend

    from joined

)

select * from final
