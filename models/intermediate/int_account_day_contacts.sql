-- Every day an account's state may change under a model version (a day one of its
-- contacts' pieces starts or ends), with the contacts it holds that day. A day on which
-- the account holds no contact any more (its last contact left) keeps one row with a
-- null contact, so the account's score can end.
with

contact_intervals as (

    select * from {{ ref('int_account_contact_intervals') }}

),

change_days as (

    select
        company_id,
        model_id,
        model_version,
        valid_from as score_date
    from contact_intervals
    union
    select
        company_id,
        model_id,
        model_version,
        valid_to as score_date
    from contact_intervals
    where valid_to < cast('9999-12-31' as date)

),

final as (

    select
        -- ids
        change_days.company_id,
        change_days.model_id,
        change_days.model_version,
        change_days.score_date,
        contact_intervals.contact_id,
        contact_intervals.profile_valid_from,

        -- engagement
        coalesce(contact_intervals.is_in_segment, false) as is_in_segment,
        coalesce(contact_intervals.is_engaged, false) as is_engaged

    from change_days
    left join contact_intervals
        on change_days.company_id = contact_intervals.company_id
        and change_days.model_id = contact_intervals.model_id
        and change_days.model_version = contact_intervals.model_version
        and change_days.score_date >= contact_intervals.valid_from
        and change_days.score_date < contact_intervals.valid_to

)

select * from final
