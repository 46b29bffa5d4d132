-- The days sales feedback restarts a contact's engagement under a model version: the day
-- each disposition whose rule is an engagement_reset starts acting (scored_from). From
-- that day on, the engagement points of every event that occurred before it count zero;
-- event-based negative points (unsubscribes, ...) are kept.
with

matched as (

    select * from {{ ref('int_disposition_rules_matched') }}

),

final as (

    select distinct
        -- ids
        contact_id,
        model_id,
        model_version,

        -- timestamps
        scored_from as reset_date

    from matched
    where rule_action = 'engagement_reset'

)

select * from final
