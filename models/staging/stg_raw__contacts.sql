with

source as (

    select * from {{ source('raw', 'contacts') }}

),

renamed as (

    -- Email, names and phone stop here: only the email domain (a fit signal) goes on.
    select
        -- ids
        contact_id,
        nullif(trim(company_id), '') as company_id,

        -- attributes
        lower({{ email_domain('email') }}) as email_domain,
        job_title,
        lower(seniority) as seniority,
        upper(country) as country,
        lower(lead_source) as lead_source,
        attributes as contact_attributes,

        -- timestamps
        created_at,
        updated_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
