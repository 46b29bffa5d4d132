-- Segment conditions and fit rules each contact profile version meets, one row per
-- match. Rules come from seeds as data; `field_matches` compares them as values.
with

contacts as (

    select * from {{ ref('int_contact_profiles_versioned') }}

),

fields as (

    select * from {{ ref('int_contact_fields_unpivoted') }}

),

segment_conditions as (

    select * from {{ ref('segment_conditions') }}

),

fit_rules as (

    select * from {{ ref('fit_rules') }}

),

conditions as (

    select
        model_id, model_version, 'segment' as rule_kind, condition_id as rule_id,
        field, operator, value, value_to
    from segment_conditions
    union all
    select
        model_id, model_version, 'fit' as rule_kind, rule_id,
        field, operator, value, value_to
    from fit_rules

),

evaluated as (

    select
        contacts.contact_id,
        contacts.valid_from,
        contacts.valid_to,
        conditions.model_id,
        conditions.model_version,
        conditions.rule_kind,
        conditions.rule_id,
        fields.value_text,
        {{ leadscore.field_matches(
            'fields.value_text', 'fields.value_number', 'conditions.operator',
            'conditions.value', 'conditions.value_to'
        ) }} as is_match
    from contacts
    cross join conditions
    left join fields
        on contacts.contact_id = fields.contact_id
        and contacts.valid_from = fields.valid_from
        and conditions.field = fields.field

),

final as (

    select
        contact_id,
        valid_from,
        valid_to,
        model_id,
        model_version,
        rule_kind,
        rule_id,
        value_text as matched_value
    from evaluated
    where is_match

)

select * from final
