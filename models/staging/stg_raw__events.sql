with

source as (

    select * from {{ source('raw', 'events') }}

),

renamed as (

    select
        -- ids
        event_id,
        contact_id,

        -- event
        lower(event_type) as event_type,
        properties,

        -- timestamps
        occurred_at,
        cast(occurred_at as date) as occurred_date,
        _loaded_at as loaded_at

    from source

)

select * from renamed
