-- Segment conditions and fit rules each contact profile version meets, one row per
-- match. Rules come from seeds as data; `field_matches` compares them as values.
-- depends_on: {{ ref('int_contacts_touched') }}
--
-- Per contact, as int_contact_profiles_versioned: a daily run rebuilds only the contacts
-- of int_contacts_touched and keeps every other contact's stored rows.
{{ config(
    materialized=leadscore.profile_materialization(),
    incremental_strategy='replace_touched',
    touched_key='contact_id',
    on_schema_change='fail',
) }}
{%- set touched_only = is_incremental() and leadscore.profiles_touched_only() %}
with

contacts as (

    select * from {{ ref('int_contact_profiles_versioned') }}
    {%- if touched_only %}
    where contact_id in (select touched.contact_id from {{ ref('int_contacts_touched') }} as touched)
    {%- endif %}

),

fields as (

    select * from {{ ref('int_contact_fields_unpivoted') }}
    {%- if touched_only %}
    where contact_id in (select touched.contact_id from {{ ref('int_contacts_touched') }} as touched)
    {%- endif %}

),

segment_conditions as (

    select * from {{ ref('segment_conditions') }}

),

fit_rules as (

    select * from {{ ref('fit_rules') }}

),

conditions as (

    select
        model_id,
        model_version,
        'segment' as rule_kind,
        condition_id as rule_id,
        field,
        operator,
        value,
        value_to
    from segment_conditions
    union all
    select
        model_id,
        model_version,
        'fit' as rule_kind,
        rule_id,
        field,
        operator,
        value,
        value_to
    from fit_rules

),

-- A rule's outcome depends only on the field's value, and a field has far fewer distinct
-- values than contacts: each rule is evaluated once per distinct value of its field, and
-- the matching values are joined back to the profiles (an equi-join), instead of testing
-- every profile against every rule. A profile without the field gets the rules that
-- match a missing value (is_missing).
field_values as (

    select distinct
        field,
        value_text,
        value_number
    from fields

),

value_matches as (

    select
        conditions.model_id,
        conditions.model_version,
        conditions.rule_kind,
        conditions.rule_id,
        conditions.field,
        field_values.value_text
    from conditions
    inner join field_values
        on conditions.field = field_values.field
    where {{ leadscore.field_matches(
        'field_values.value_text', 'field_values.value_number', 'conditions.operator',
        'conditions.value', 'conditions.value_to'
    ) }}

),

missing_matches as (

    select
        model_id,
        model_version,
        rule_kind,
        rule_id,
        field
    from conditions
    where {{ leadscore.field_matches(
        'cast(null as ' ~ dbt.type_string() ~ ')', 'cast(null as double)', 'operator', 'value', 'value_to'
    ) }}

),

present as (

    select
        fields.contact_id,
        fields.valid_from,
        value_matches.model_id,
        value_matches.model_version,
        value_matches.rule_kind,
        value_matches.rule_id,
        fields.value_text as matched_value
    from fields
    inner join value_matches
        on fields.field = value_matches.field
        and fields.value_text = value_matches.value_text

),

missing as (

    select
        contacts.contact_id,
        contacts.valid_from,
        missing_matches.model_id,
        missing_matches.model_version,
        missing_matches.rule_kind,
        missing_matches.rule_id,
        cast(null as {{ dbt.type_string() }}) as matched_value
    from contacts
    cross join missing_matches
    where not exists (
        select 1 as field_exists
        from fields
        where
            fields.contact_id = contacts.contact_id
            and fields.valid_from = contacts.valid_from
            and fields.field = missing_matches.field
    )

),

matched as (

    select * from present
    union all
    select * from missing

),

final as (

    select
        contacts.contact_id,
        contacts.valid_from,
        contacts.valid_to,
        matched.model_id,
        matched.model_version,
        matched.rule_kind,
        matched.rule_id,
        matched.matched_value
    from matched
    inner join contacts
        on matched.contact_id = contacts.contact_id
        and matched.valid_from = contacts.valid_from

)

select * from final
