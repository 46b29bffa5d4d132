-- One row per contact: its cohort, channel and what happened to it by the end of the
-- score date: sales feedback, opportunities, and whether it became a customer (a contact
-- with a closed-won opportunity). Later rows of a change history (an opportunity's
-- update, a disposition) are ignored, so a build as of a past day sees that day's outcomes.
-- A contact that had won before the first day with any event (an older deal from the
-- CRM) is flagged: no score could have seen it coming.
with

contacts as (

    select * from {{ ref('stg_raw__contacts') }}

),

opportunities as (

    select * from {{ ref('stg_raw__opportunities') }}

),

dispositions as (

    select * from {{ ref('stg_raw__lead_dispositions') }}

),

events as (

    select * from {{ ref('stg_raw__events') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

data_start as (

    -- the day of the earliest event (cast once, not per event)
    select cast(min(occurred_at) as date) as first_event_date
    from events

),

contact_versions as (

    select
        contacts.contact_id,
        contacts.lead_source,
        contacts.created_at,
        row_number() over (
            partition by contacts.contact_id
            order by contacts.updated_at desc
        ) as version_rank
    from contacts
    cross join score_dates
    where cast(contacts.updated_at as date) <= score_dates.score_date

),

latest_contacts as (

    select
        contact_id,
        lead_source,
        cast(created_at as date) as created_date
    from contact_versions
    where version_rank = 1

),

opportunity_versions as (

    select
        opportunities.*,
        row_number() over (
            partition by opportunities.opportunity_id
            order by opportunities.updated_at desc
        ) as version_rank
    from opportunities
    cross join score_dates
    where
        cast(opportunities.updated_at as date) <= score_dates.score_date
        and opportunities.contact_id is not null

),

latest_opportunities as (

    select
        contact_id,
        cast(created_at as date) as created_date,
        cast(closed_at as date) as closed_date,
        amount,
        coalesce(is_won, false) or stage = 'closed_won' as is_won
    from opportunity_versions
    where version_rank = 1

),

opportunities_per_contact as (

    select
        contact_id,
        min(created_date) as first_opportunity_date,
        count(*) as opportunity_count,
        min(case when is_won then closed_date end) as first_won_date,
        sum(case when is_won then 1 else 0 end) as won_count,
        sum(case when is_won then coalesce(amount, 0) else 0 end) as revenue
    from latest_opportunities
    group by contact_id

),

dispositions_per_contact as (

    select
        dispositions.contact_id,
        min(cast(dispositions.decided_at as date)) as first_disposition_date,
        min(
            case
                when
                    dispositions.disposition = 'accepted'
                    then cast(dispositions.decided_at as date)
            end
        ) as first_accepted_date
    from dispositions
    cross join score_dates
    where cast(dispositions.decided_at as date) <= score_dates.score_date
    group by dispositions.contact_id

),

final as (

    select
        -- ids
        latest_contacts.contact_id,

        -- cohort
        latest_contacts.created_date,
        cast({{ dbt.date_trunc('month', 'latest_contacts.created_date') }} as date) as cohort_month,
        coalesce(latest_contacts.lead_source, 'unknown') as channel,

        -- sales feedback
        dispositions_per_contact.first_disposition_date,
        dispositions_per_contact.first_accepted_date,
        dispositions_per_contact.first_disposition_date is not null as is_dispositioned,
        dispositions_per_contact.first_accepted_date is not null as is_accepted,

        -- opportunities
        opportunities_per_contact.first_opportunity_date,
        coalesce(opportunities_per_contact.opportunity_count, 0) as opportunity_count,
        opportunities_per_contact.first_opportunity_date is not null as has_opportunity,

        -- outcome
        coalesce(opportunities_per_contact.won_count, 0) > 0 as is_customer,
        opportunities_per_contact.first_won_date,
        coalesce(opportunities_per_contact.revenue, 0) as revenue,
        coalesce(
            opportunities_per_contact.first_won_date < data_start.first_event_date, false
        ) as is_won_before_data,

        score_dates.score_date

    from latest_contacts
    cross join score_dates
    cross join data_start
    left join opportunities_per_contact
        on latest_contacts.contact_id = opportunities_per_contact.contact_id
    left join dispositions_per_contact
        on latest_contacts.contact_id = dispositions_per_contact.contact_id

)

select * from final
