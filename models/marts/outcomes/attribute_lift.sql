-- Calibrating rules from data: the close rate (customers / leads) of the leads having
-- each attribute value or having performed each event type, against the overall close
-- rate. An attribute whose leads close at four times the overall rate gets a lift of 4
-- and three times the points of one that doubles it. A value fewer than var
-- lift_min_leads leads hold is published only as `(other)`: a custom attribute or a rare
-- value can single a person out (an email or a phone someone typed into an attribute).
{%- set skipped_fields = [
    'contact.job_title',
    'contact.email_domain',
    'company.domain',
    'company.annual_revenue',
    'company.employee_count',
] %}
{%- set points_unit = var('lift_points_unit', 10) %}
{%- set min_expected = var('lift_min_expected_customers', 5) %}
{%- set min_leads = var('lift_min_leads', 10) %}

with

fields as (

    select * from {{ ref('int_contact_fields_unpivoted') }}

),

events as (

    select * from {{ ref('stg_raw__events') }}

),

outcomes as (

    -- a win older than the first event has no behaviour to compare
    select * from {{ ref('int_lead_outcomes') }}
    where not is_won_before_data

),

latest_profiles as (

    select
        fields.contact_id,
        max(fields.valid_from) as valid_from
    from fields
    inner join outcomes
        on fields.contact_id = outcomes.contact_id
    where fields.valid_from <= outcomes.score_date
    group by fields.contact_id

),

field_values as (

    -- free text and near-unique fields say nothing about a group of leads; company size
    -- is bucketed at the thresholds the shipped fit rules use
    select
        fields.contact_id,
        'field' as attribute_kind,
        fields.field as attribute,
        fields.value_text as attribute_value
    from fields
    inner join latest_profiles
        on fields.contact_id = latest_profiles.contact_id
        and fields.valid_from = latest_profiles.valid_from
    where
        fields.field not in (
            '{{ skipped_fields | join("', '") }}'  -- noqa: LT05
        )
    union all
    select
        fields.contact_id,
        'field' as attribute_kind,
        'company.employee_count' as attribute,
        case
            when fields.value_number >= 1000 then '1000+'
            when fields.value_number >= 200 then '200-999'
            when fields.value_number >= 50 then '50-199'
            else '0-49'
        end as attribute_value
    from fields
    inner join latest_profiles
        on fields.contact_id = latest_profiles.contact_id
        and fields.valid_from = latest_profiles.valid_from
    where
        fields.field = 'company.employee_count'
        and fields.value_number is not null

),

event_values as (

    -- events before the lead's first win (or by the score date): what happens after a
    -- sale says nothing about winning it
    select distinct
        events.contact_id,
        'event' as attribute_kind,
        'event.' || events.event_type as attribute,
        'performed' as attribute_value
    from events
    inner join outcomes
        on events.contact_id = outcomes.contact_id
    where events.occurred_date <= coalesce(outcomes.first_won_date, outcomes.score_date)

),

attribute_values as (

    select * from field_values
    union all
    select * from event_values

),

overall as (

    select
        count(*) as overall_leads,
        sum(case when is_customer then 1 else 0 end) as overall_customers,
        cast(sum(case when is_customer then 1 else 0 end) as double)
        / nullif(count(*), 0) as overall_close_rate
    from outcomes

),

value_holders as (

    select
        attribute_kind,
        attribute,
        attribute_value,
        count(distinct contact_id) as holders
    from attribute_values
    group by
        attribute_kind,
        attribute,
        attribute_value

),

published_values as (

    -- the rare values of an attribute pooled into one row, so its leads still add up;
    -- event types are the project's vocabulary, not a person's data
    select
        attribute_values.contact_id,
        attribute_values.attribute_kind,
        attribute_values.attribute,
        case
            when
                attribute_values.attribute_kind = 'field'
                and value_holders.holders < {{ min_leads }}
                then '(other)'
            else attribute_values.attribute_value
        end as attribute_value
    from attribute_values
    inner join value_holders
        on attribute_values.attribute_kind = value_holders.attribute_kind
        and attribute_values.attribute = value_holders.attribute
        and attribute_values.attribute_value = value_holders.attribute_value

),

per_value as (

    select
        published_values.attribute_kind,
        published_values.attribute,
        published_values.attribute_value,
        count(distinct published_values.contact_id) as leads,
        count(distinct case when outcomes.is_customer then published_values.contact_id end)
            as customers
    from published_values
    inner join outcomes
        on published_values.contact_id = outcomes.contact_id
    group by
        published_values.attribute_kind,
        published_values.attribute,
        published_values.attribute_value

),

rated as (

    select
        per_value.*,
        overall.overall_leads,
        overall.overall_customers,
        overall.overall_close_rate,
        cast(per_value.customers as double) / per_value.leads as close_rate,
        {{ leadscore.wilson_interval('per_value.customers', 'per_value.leads', 'lower') }}
            as close_rate_lower,
        {{ leadscore.wilson_interval('per_value.customers', 'per_value.leads', 'upper') }}
            as close_rate_upper,
        coalesce(per_value.leads * overall.overall_close_rate < {{ min_expected }}, true)
            as is_small_sample
    from per_value
    cross join overall

),

final as (

    select
        -- ids
        cast(attribute_kind as string) as attribute_kind,
        cast(attribute as string) as attribute,
        cast(attribute_value as string) as attribute_value,

        -- leads
        cast(leads as bigint) as leads,
        cast(customers as bigint) as customers,
        cast(close_rate as double) as close_rate,
        cast(close_rate_lower as double) as close_rate_lower,
        cast(close_rate_upper as double) as close_rate_upper,

        -- against all leads
        cast(overall_leads as bigint) as overall_leads,
        cast(overall_customers as bigint) as overall_customers,
        cast(overall_close_rate as double) as overall_close_rate,
        cast(close_rate / nullif(overall_close_rate, 0) as double) as lift,
        cast(close_rate_lower / nullif(overall_close_rate, 0) as double) as lift_lower,
        cast(close_rate_upper / nullif(overall_close_rate, 0) as double) as lift_upper,
        is_small_sample,

        -- calibration
        cast(
            case
                when not is_small_sample and overall_close_rate > 0
                    then round({{ points_unit }} * (close_rate / overall_close_rate - 1), 0)
            end as integer
        ) as suggested_points

    from rated

)

select * from final
