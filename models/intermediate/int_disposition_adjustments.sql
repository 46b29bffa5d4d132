-- The fit adjustment sales feedback gives a contact under a model version, as intervals
-- (valid from the start of valid_from to the start of valid_to; 9999-12-31 while open):
-- the contact's latest disposition (by decided_at) among those acting by then decides;
-- its rule's points when the rule is a fit_adjustment, else 0. So a rejected lead later
-- recycled or accepted loses the penalty from that day on.
with

matched as (

    select * from {{ ref('int_disposition_rules_matched') }}

),

change_days as (

    select distinct
        contact_id,
        model_id,
        model_version,
        scored_from as valid_from
    from matched

),

latest as (

    select
        change_days.contact_id,
        change_days.model_id,
        change_days.model_version,
        change_days.valid_from,
        matched.rule_id,
        matched.description,
        matched.disposition,
        matched.reason,
        matched.decided_date,
        matched.points,
        row_number() over (
            partition by
                change_days.contact_id, change_days.model_id, change_days.model_version,
                change_days.valid_from
            order by matched.decided_at desc
        ) as recency
    from change_days
    inner join matched
        on change_days.contact_id = matched.contact_id
        and change_days.model_id = matched.model_id
        and change_days.model_version = matched.model_version
        and change_days.valid_from >= matched.scored_from

),

final as (

    select
        -- ids
        contact_id,
        model_id,
        model_version,
        rule_id,

        -- validity
        valid_from,
        cast(coalesce(
            lead(valid_from)
                over (partition by contact_id, model_id, model_version order by valid_from),
            cast('9999-12-31' as date)
        ) as date) as valid_to,

        -- the deciding disposition
        disposition,
        reason,
        decided_date,
        description,

        -- points
        points

    from latest
    where recency = 1

)

select * from final
