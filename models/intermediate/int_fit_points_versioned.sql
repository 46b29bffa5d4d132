-- Points of each fit rule a contact profile version meets. Fit points do not decay:
-- they change only when the profile does. The evidence names the rule's condition from
-- the seed, never the contact's own text (a job title or an attribute can hold a name or
-- a phone number): the listed value that matched for equals / in, else the operator and
-- its value(s).
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

matched as (

    select * from {{ ref('int_contact_rules_matched') }}
    where rule_kind = 'fit'
    {%- if touched_only %}
        and contact_id in (select touched.contact_id from {{ ref('int_contacts_touched') }} as touched)
    {%- endif %}

),

fit_rules as (

    select * from {{ ref('fit_rules') }}

),

final as (

    select
        -- ids
        matched.contact_id,
        matched.model_id,
        matched.model_version,
        matched.rule_id,

        -- validity
        matched.valid_from,
        matched.valid_to,

        -- points
        fit_rules.component,
        fit_rules.description,
        cast(fit_rules.points as decimal(18, 2)) as points,
        case
            -- the value equals the rule's value, or one of its listed values, but for case
            when fit_rules.operator in ('equals', 'in') then lower(matched.matched_value)
            when fit_rules.operator = 'between'
                then fit_rules.operator || ' ' || fit_rules.value || ' and ' || fit_rules.value_to
            else fit_rules.operator || coalesce(' ' || fit_rules.value, '')
        end as evidence

    from matched
    inner join fit_rules
        on matched.model_id = fit_rules.model_id
        and matched.model_version = fit_rules.model_version
        and matched.rule_id = fit_rules.rule_id

)

select * from final
