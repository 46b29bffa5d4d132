-- The contacts each model version scores on the score date.
with

memberships as (

    select * from {{ ref('int_segment_memberships') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

final as (

    select
        memberships.contact_id,
        memberships.company_id,
        memberships.created_at,
        memberships.model_id,
        memberships.model_version,
        memberships.valid_from as profile_valid_from
    from memberships
    cross join score_dates
    where
        memberships.is_member
        and memberships.valid_from <= score_dates.score_date
        and (memberships.valid_to is null or memberships.valid_to > score_dates.score_date)

)

select * from final
