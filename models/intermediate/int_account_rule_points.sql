-- The account rules that hold on each account change day, with their points: fit when
-- the company's fields meet the rule, breadth when enough contacts are engaged,
-- committee when enough engaged contacts meet the rule's contact condition. Only on days
-- the account has a contact in the model's segment.
with

day_contacts as (

    select * from {{ ref('int_account_day_contacts') }}

),

rules_matched as (

    select * from {{ ref('int_account_rules_matched') }}

),

account_rules as (

    select * from {{ ref('account_rules') }}

),

account_days as (

    select
        company_id,
        model_id,
        model_version,
        score_date,
        count(distinct case when is_engaged then contact_id end) as engaged_contacts
    from day_contacts
    group by company_id, model_id, model_version, score_date
    having max(case when is_in_segment then 1 else 0 end) = 1

),

-- per rule and day: whether any contact's profile meets it (the company's fields are the
-- same on every contact's profile of a day) and how many engaged contacts do
rule_hits as (

    select
        day_contacts.company_id,
        day_contacts.model_id,
        day_contacts.model_version,
        day_contacts.score_date,
        rules_matched.rule_id,
        count(distinct case when day_contacts.is_engaged then day_contacts.contact_id end)
            as engaged_matches
    from day_contacts
    inner join rules_matched
        on day_contacts.contact_id = rules_matched.contact_id
        and day_contacts.profile_valid_from = rules_matched.valid_from
        and day_contacts.model_id = rules_matched.model_id
        and day_contacts.model_version = rules_matched.model_version
    group by
        day_contacts.company_id,
        day_contacts.model_id,
        day_contacts.model_version,
        day_contacts.score_date,
        rules_matched.rule_id

),

condition_points as (

    select
        rule_hits.company_id,
        rule_hits.model_id,
        rule_hits.model_version,
        rule_hits.score_date,
        account_rules.rule_id,
        account_rules.rule_type,
        account_rules.points
    from rule_hits
    inner join account_days
        on rule_hits.company_id = account_days.company_id
        and rule_hits.model_id = account_days.model_id
        and rule_hits.model_version = account_days.model_version
        and rule_hits.score_date = account_days.score_date
    inner join account_rules
        on rule_hits.model_id = account_rules.model_id
        and rule_hits.model_version = account_rules.model_version
        and rule_hits.rule_id = account_rules.rule_id
    where
        account_rules.rule_type = 'fit'
        or rule_hits.engaged_matches >= coalesce(account_rules.min_contacts, 1)

),

breadth_points as (

    select
        account_days.company_id,
        account_days.model_id,
        account_days.model_version,
        account_days.score_date,
        account_rules.rule_id,
        account_rules.rule_type,
        account_rules.points
    from account_days
    inner join account_rules
        on account_days.model_id = account_rules.model_id
        and account_days.model_version = account_rules.model_version
    where
        account_rules.rule_type = 'breadth'
        and account_days.engaged_contacts >= account_rules.min_contacts

),

final as (

    select * from condition_points
    union all
    select * from breadth_points

)

select * from final
