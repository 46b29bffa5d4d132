with

source as (

    select * from {{ source('raw', 'lead_dispositions') }}

),

renamed as (

    select
        -- ids
        contact_id,

        -- feedback
        lower(disposition) as disposition,
        lower(reason) as reason,

        -- timestamps
        decided_at,
        cast(decided_at as date) as decided_date,
        _loaded_at as loaded_at

    from source

)

select * from renamed
