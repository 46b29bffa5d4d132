-- Calibrating rules from data, one attribute at a time: the close rate (customers /
-- leads) of the leads having each attribute value, numeric field quartile, event type or
-- volume of behaviour, against the overall close rate. An attribute whose leads close at
-- four times the overall rate gets a lift of 4 and three times the points of one that
-- doubles it. A first look only: attributes that go together (seniority and company
-- size, visits and time on site) each get the lift they share, so their suggestions
-- added up overstate a lead; `leadscore calibrate` fits them together. A value (or a
-- quartile) fewer than var lift_min_leads leads hold is published only as `(other)`: a
-- custom attribute or a rare value can single a person out (an email or a phone someone
-- typed into an attribute).
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
{#- a numeric field with more distinct values than this is put in quartiles -#}
{%- set min_numeric_values = 10 %}

with

fields as (

    select * from {{ ref('int_contact_fields_unpivoted') }}

),

behaviour as (

    -- per lead: events per type, active days, sums of numeric properties
    select * from {{ ref('int_lead_behaviour') }}

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

lead_fields as (

    select fields.*
    from fields
    inner join latest_profiles
        on fields.contact_id = latest_profiles.contact_id
        and fields.valid_from = latest_profiles.valid_from

),

numeric_fields as (

    -- a field every lead holding it holds as a number, in more than a handful of values
    select field
    from lead_fields
    where field not in ('company.employee_count')
    group by field
    having
        count(*) = count(value_number)
        and count(distinct value_number) > {{ min_numeric_values }}

),

field_values as (

    -- free text and near-unique fields say nothing about a group of leads; company size
    -- is bucketed at the thresholds the shipped fit rules use, other numbers in quartiles
    select
        lead_fields.contact_id,
        'field' as attribute_kind,
        lead_fields.field as attribute,
        lead_fields.value_text as attribute_value
    from lead_fields
    left join numeric_fields
        on lead_fields.field = numeric_fields.field
    where
        lead_fields.field not in (
            '{{ skipped_fields | join("', '") }}'  -- noqa: LT05
        )
        and numeric_fields.field is null
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

numeric_values as (

    select
        lead_fields.contact_id,
        lead_fields.field as attribute,
        lead_fields.value_number as measured
    from lead_fields
    inner join numeric_fields
        on lead_fields.field = numeric_fields.field

),

lead_behaviour as (

    -- what each lead did before its first win (or by the score date): what happens after
    -- a sale says nothing about winning it
    select behaviour.*
    from behaviour
    inner join outcomes
        on behaviour.contact_id = outcomes.contact_id

),

numeric_properties as (

    -- a property that holds a number in nearly every event that has it (seconds on a
    -- page, an amount); ids made of digits pass too, and are as easy to ignore here
    select
        event_type,
        attribute_key
    from lead_behaviour
    where row_kind = 'property'
    group by
        event_type,
        attribute_key
    having sum(measured_entries) >= 0.95 * sum(entries)

),

behaviour_volumes as (

    -- how much of each behaviour a lead showed before its outcome: events per type,
    -- distinct days with any event
    select
        contact_id,
        'count.' || event_type as attribute,
        events as measured
    from lead_behaviour
    where row_kind = 'events'
    union all
    select
        contact_id,
        'active_days' as attribute,
        events as measured
    from lead_behaviour
    where row_kind = 'days' and events > 0

),

behaviour_values as (

    -- volumes in doubling bins: 1, 2-3, 4-7, 8-15, 16+
    select
        contact_id,
        'behaviour' as attribute_kind,
        attribute,
        case
            when measured >= 16 then '16+'
            when measured >= 8 then '8-15'
            when measured >= 4 then '4-7'
            when measured >= 2 then '2-3'
            else '1'
        end as attribute_value
    from behaviour_volumes

),

measured_values as (

    -- numbers without natural thresholds, put in quartiles of the leads holding them:
    -- numeric fields, and the sum of each numeric event property per event type
    select * from numeric_values
    union all
    select
        lead_behaviour.contact_id,
        'sum.' || lead_behaviour.event_type || '.'
        || lead_behaviour.attribute_key as attribute,
        lead_behaviour.measured_sum as measured
    from lead_behaviour
    inner join numeric_properties
        on lead_behaviour.event_type = numeric_properties.event_type
        and lead_behaviour.attribute_key = numeric_properties.attribute_key
    where lead_behaviour.row_kind = 'property' and lead_behaviour.measured_entries > 0

),

quartiles as (

    -- leads with equal values at a quartile's edge split by contact_id: the same split
    -- whatever order the rows come in
    select
        contact_id,
        attribute,
        measured,
        ntile(4) over (partition by attribute order by measured, contact_id) as quartile
    from measured_values

),

quartile_bounds as (

    -- a quartile's label gives its range rounded to two significant digits: the lowest
    -- or highest value may be one lead's own number
    select
        attribute,
        quartile,
        {{ leadscore.significant_digits('min(measured)', 2) }} as low,
        {{ leadscore.significant_digits('max(measured)', 2) }} as high
    from quartiles
    group by
        attribute,
        quartile

),

quartile_values as (

    select
        quartiles.contact_id,
        case
            when quartiles.attribute like 'sum.%' then 'behaviour'
            else 'numeric'
        end as attribute_kind,
        quartiles.attribute,
        'q' || cast(quartiles.quartile as {{ dbt.type_string() }}) || ': '
        || {{ leadscore.number_text('quartile_bounds.low') }} || ' to '
        || {{ leadscore.number_text('quartile_bounds.high') }} as attribute_value
    from quartiles
    inner join quartile_bounds
        on quartiles.attribute = quartile_bounds.attribute
        and quartiles.quartile = quartile_bounds.quartile

),

event_values as (

    select distinct
        contact_id,
        'event' as attribute_kind,
        'event.' || event_type as attribute,
        'performed' as attribute_value
    from lead_behaviour
    where row_kind = 'events'

),

attribute_values as (

    select * from field_values
    union all
    select * from quartile_values
    union all
    select * from event_values
    union all
    select * from behaviour_values

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
    -- event types and volumes of behaviour are the project's vocabulary, not a
    -- person's data
    select
        attribute_values.contact_id,
        attribute_values.attribute_kind,
        attribute_values.attribute,
        case
            when
                attribute_values.attribute_kind in ('field', 'numeric')
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
