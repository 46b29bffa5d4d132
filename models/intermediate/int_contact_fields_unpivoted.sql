-- One row per contact profile version and known field value: the shape rules are
-- evaluated against. Field names are what rule seeds write in their `field` column.
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
{%- set contact_fields = [
    'seniority', 'job_title', 'country', 'lead_source', 'email_domain', 'email_domain_list',
] %}
{%- set company_fields = {
    'industry': 'industry',
    'employee_count': 'employee_count',
    'annual_revenue': 'annual_revenue',
    'country': 'company_country',
    'domain': 'company_domain',
} %}

with

contacts as (

    select * from {{ ref('int_contact_profiles_versioned') }}
    {%- if touched_only %}
    where contact_id in (select touched.contact_id from {{ ref('int_contacts_touched') }} as touched)
    {%- endif %}

),

standard_fields as (

    {% for column in contact_fields %}
        select
            contact_id,
            valid_from,
            'contact.{{ column }}' as field,
            {{ dbt.cast(column, dbt.type_string()) }} as value_text
        from contacts
        where {{ column }} is not null
        union all
    {% endfor %}
    {% for name, column in company_fields.items() %}
        select
            contact_id,
            valid_from,
            'company.{{ name }}' as field,
            {{ dbt.cast(column, dbt.type_string()) }} as value_text
        from contacts
        where {{ column }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

contact_attributes as (

    {{ leadscore.json_object_entries(
        'contacts', ['contact_id', 'valid_from'], 'contact_attributes'
    ) }}

),

company_attributes as (

    {{ leadscore.json_object_entries(
        'contacts', ['contact_id', 'valid_from'], 'company_attributes'
    ) }}

),

unioned as (

    select * from standard_fields
    union all
    select
        contact_id,
        valid_from,
        'contact.attributes.' || attribute_key as field,
        attribute_value as value_text
    from contact_attributes
    where attribute_value is not null
    union all
    select
        contact_id,
        valid_from,
        'company.attributes.' || attribute_key as field,
        attribute_value as value_text
    from company_attributes
    where attribute_value is not null

),

final as (

    select
        contact_id,
        valid_from,
        field,
        value_text,
        {{ leadscore.to_number('value_text') }} as value_number
    from unioned

)

select * from final
