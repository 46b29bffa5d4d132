with

contacts as (

    select * from {{ ref('stg_raw__contacts') }}

),

companies as (

    select * from {{ ref('stg_raw__companies') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

domain_lists as (

    select * from {{ ref('email_domain_lists') }}

),

-- Only what was known by the end of the score date: no later version leaks in.
contact_versions as (

    select
        contacts.*,
        score_dates.score_date,
        row_number() over (
            partition by contacts.contact_id
            order by contacts.updated_at desc
        ) as version_rank
    from contacts
    cross join score_dates
    where contacts.updated_at < {{ dbt.dateadd('day', 1, 'score_dates.score_date') }}

),

company_versions as (

    select
        companies.*,
        row_number() over (
            partition by companies.company_id
            order by companies.updated_at desc
        ) as version_rank
    from companies
    cross join score_dates
    where companies.updated_at < {{ dbt.dateadd('day', 1, 'score_dates.score_date') }}

),

final as (

    select
        -- ids
        contact_versions.contact_id,
        contact_versions.company_id,
        contact_versions.score_date,

        -- contact
        contact_versions.email_domain,
        domain_lists.list_name as email_domain_list,
        contact_versions.job_title,
        contact_versions.seniority,
        contact_versions.country,
        contact_versions.lead_source,
        contact_versions.contact_attributes,

        -- company
        company_versions.company_domain,
        company_versions.industry,
        company_versions.employee_count,
        company_versions.annual_revenue,
        company_versions.company_country,
        company_versions.company_attributes,

        -- timestamps
        contact_versions.created_at,
        contact_versions.updated_at

    from contact_versions
    left join company_versions
        on contact_versions.company_id = company_versions.company_id
        and company_versions.version_rank = 1
    left join domain_lists
        on contact_versions.email_domain = domain_lists.domain
    where contact_versions.version_rank = 1

)

select * from final
