-- Each contact's profile (its own attributes and its company's) as it was known day by
-- day: a new version starts on every day the contact or its company changed. Several
-- updates on one day: the last one is that day's state. Scores read the version valid
-- on their date, so no later attribute leaks into an earlier score.
-- depends_on: {{ ref('int_contacts_touched') }}
--
-- Per contact: a daily run (profiles_touched_only) rebuilds only the contacts of
-- int_contacts_touched (a row of theirs or of their company loaded since the last build)
-- and keeps every other contact's versions as stored (strategy replace_touched).
{{ config(
    materialized=leadscore.profile_materialization(),
    incremental_strategy='replace_touched',
    touched_key='contact_id',
    on_schema_change='fail',
) }}
{%- set touched_only = is_incremental() and leadscore.profiles_touched_only() %}

with

contacts as (

    select * from {{ ref('stg_raw__contacts') }}
    {%- if touched_only %}
    where contact_id in (select touched.contact_id from {{ ref('int_contacts_touched') }} as touched)
    {%- endif %}

),

companies as (

    select * from {{ ref('stg_raw__companies') }}
    {%- if touched_only %}
    where company_id in (select contacts.company_id from contacts)
    {%- endif %}

),

domain_lists as (

    select * from {{ ref('email_domain_lists') }}

),

contact_days as (

    select
        contacts.*,
        cast(contacts.updated_at as date) as change_date,
        row_number() over (
            partition by contacts.contact_id, cast(contacts.updated_at as date)
            order by contacts.updated_at desc
        ) as rank_in_day
    from contacts

),

contact_versions as (

    select
        contact_days.*,
        lead(contact_days.change_date)
            over (partition by contact_days.contact_id order by contact_days.change_date)
            as next_change_date
    from contact_days
    where contact_days.rank_in_day = 1

),

company_days as (

    select
        companies.*,
        cast(companies.updated_at as date) as change_date,
        row_number() over (
            partition by companies.company_id, cast(companies.updated_at as date)
            order by companies.updated_at desc
        ) as rank_in_day
    from companies

),

company_versions as (

    select * from company_days
    where rank_in_day = 1

),

company_changes as (

    select
        contact_versions.contact_id,
        company_versions.change_date as valid_from
    from contact_versions
    inner join company_versions
        on contact_versions.company_id = company_versions.company_id
        and contact_versions.change_date < company_versions.change_date
        and (
            contact_versions.next_change_date is null
            or contact_versions.next_change_date > company_versions.change_date
        )

),

profile_dates as (

    select
        contact_id,
        change_date as valid_from
    from contact_versions
    union
    select
        contact_id,
        valid_from
    from company_changes

),

with_contact as (

    select
        profile_dates.valid_from,
        contact_versions.*
    from profile_dates
    inner join contact_versions
        on profile_dates.contact_id = contact_versions.contact_id
        and profile_dates.valid_from >= contact_versions.change_date
        and (
            contact_versions.next_change_date is null
            or profile_dates.valid_from < contact_versions.next_change_date
        )

),

with_company as (

    select
        with_contact.*,
        company_versions.company_domain,
        company_versions.industry,
        company_versions.employee_count,
        company_versions.annual_revenue,
        company_versions.company_country,
        company_versions.company_attributes,
        company_versions.loaded_at as company_loaded_at,
        row_number() over (
            partition by with_contact.contact_id, with_contact.valid_from
            order by company_versions.change_date desc
        ) as company_rank
    from with_contact
    left join company_versions
        on with_contact.company_id = company_versions.company_id
        and with_contact.valid_from >= company_versions.change_date

),

final as (

    select
        -- ids
        with_company.contact_id,
        with_company.company_id,

        -- validity: from the start of valid_from to the start of valid_to (null = still valid)
        with_company.valid_from,
        lead(with_company.valid_from) over (
            partition by with_company.contact_id
            order by with_company.valid_from
        ) as valid_to,

        -- contact
        with_company.email_domain,
        domain_lists.list_name as email_domain_list,
        with_company.job_title,
        with_company.seniority,
        with_company.country,
        with_company.lead_source,
        with_company.contact_attributes,

        -- company
        with_company.company_domain,
        with_company.industry,
        with_company.employee_count,
        with_company.annual_revenue,
        with_company.company_country,
        with_company.company_attributes,

        -- timestamps
        with_company.created_at,
        -- the newest raw row the version was built from (int_contacts_touched's watermark)
        greatest(
            with_company.loaded_at,
            coalesce(with_company.company_loaded_at, with_company.loaded_at)
        ) as loaded_at

    from with_company
    left join domain_lists
        on with_company.email_domain = domain_lists.domain
    where with_company.company_rank = 1

)

select * from final
