with

source as (

    select * from {{ source('raw', 'companies') }}

),

renamed as (

    select
        -- ids
        company_id,

        -- attributes
        name as company_name,
        lower(domain) as company_domain,
        lower(industry) as industry,
        employee_count,
        cast(annual_revenue as {{ dbt.type_numeric() }}) as annual_revenue,
        upper(country) as company_country,
        attributes as company_attributes,

        -- timestamps
        updated_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
