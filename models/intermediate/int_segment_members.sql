-- Which contacts each model version scores: those meeting all of its segment
-- conditions (a model without conditions scores every contact).
with

contacts as (

    select * from {{ ref('int_contacts_as_of') }}

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
        model_id,
        model_version,
        count(*) as conditions_met
    from matched
    group by contact_id, model_id, model_version

),

final as (

    select
        contacts.contact_id,
        contacts.company_id,
        contacts.created_at,
        required_conditions.model_id,
        required_conditions.model_version
    from contacts
    cross join required_conditions
    left join met_conditions
        on contacts.contact_id = met_conditions.contact_id
        and required_conditions.model_id = met_conditions.model_id
        and required_conditions.model_version = met_conditions.model_version
    where coalesce(met_conditions.conditions_met, 0) = required_conditions.conditions_required

)

select * from final
