-- For every contact profile version and model version: is the contact in the model's
-- segment? (It must meet all the model's segment conditions; a model without conditions
-- takes every contact.)
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

profiles as (

    select * from {{ ref('int_contact_profiles_versioned') }}
    {%- if touched_only %}
    where contact_id in (select touched.contact_id from {{ ref('int_contacts_touched') }} as touched)
    {%- endif %}

),

models as (

    select * from {{ ref('scoring_models') }}

),

segment_conditions as (

    select * from {{ ref('segment_conditions') }}

),

matched as (

    select * from {{ ref('int_contact_rules_matched') }}
    where rule_kind = 'segment'
    {%- if touched_only %}
        and contact_id in (select touched.contact_id from {{ ref('int_contacts_touched') }} as touched)
    {%- endif %}

),

required_conditions as (

    select
        models.model_id,
        models.model_version,
        count(segment_conditions.condition_id) as conditions_required
    from models
    left join segment_conditions
        on models.model_id = segment_conditions.model_id
        and models.model_version = segment_conditions.model_version
    group by models.model_id, models.model_version

),

met_conditions as (

    select
        contact_id,
        valid_from,
        model_id,
        model_version,
        count(*) as conditions_met
    from matched
    group by contact_id, valid_from, model_id, model_version

),

final as (

    select
        profiles.contact_id,
        profiles.valid_from,
        profiles.valid_to,
        profiles.company_id,
        profiles.created_at,
        required_conditions.model_id,
        required_conditions.model_version,
        coalesce(met_conditions.conditions_met, 0)
        = required_conditions.conditions_required as is_member
    from profiles
    cross join required_conditions
    left join met_conditions
        on profiles.contact_id = met_conditions.contact_id
        and profiles.valid_from = met_conditions.valid_from
        and required_conditions.model_id = met_conditions.model_id
        and required_conditions.model_version = met_conditions.model_version

)

select * from final
