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
        decided_at

    from source

)

select * from renamed
