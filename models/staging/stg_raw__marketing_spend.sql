with

source as (

    select * from {{ source('raw', 'marketing_spend') }}

),

renamed as (

    select
        spend_date,
        lower(channel) as channel,
        cast(amount as {{ dbt.type_numeric() }}) as amount

    from source

)

select * from renamed
