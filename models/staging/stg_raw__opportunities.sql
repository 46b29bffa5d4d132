with

source as (

    select * from {{ source('raw', 'opportunities') }}

),

renamed as (

    select
        -- ids
        opportunity_id,
        contact_id,
        nullif(trim(company_id), '') as company_id,

        -- deal
        lower(stage) as stage,
        cast(amount as {{ dbt.type_numeric() }}) as amount,
        is_won,

        -- timestamps
        created_at,
        closed_at,
        updated_at

    from source

)

select * from renamed
