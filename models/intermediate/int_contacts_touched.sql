-- The contacts whose profile may differ from what the profile models stored at their
-- last build: those with a contact row, or a row of a company they belong to, loaded
-- after the newest raw row the stored profiles were built from. A run with
-- profiles_touched_only() rebuilds int_contact_profiles_versioned and the models derived
-- from it contact by contact for these contacts only; every other contact keeps its
-- stored rows, which a rebuild would give again. Any other run: every contact.
-- depends_on: {{ ref('stg_raw__companies') }}
{%- set touched_only = leadscore.profiles_touched_only() %}

with

contacts as (

    select * from {{ ref('stg_raw__contacts') }}

),

{%- if touched_only %}

companies as (

    select * from {{ ref('stg_raw__companies') }}

),

stored_profiles as (

    select * from {{ adapter.get_relation(
        database=target.database, schema='intermediate', identifier='int_contact_profiles_versioned'
    ) }}

),

watermark as (

    select coalesce(max(loaded_at), cast('1900-01-01' as timestamp)) as loaded_at
    from stored_profiles

),

changed_companies as (

    select distinct companies.company_id
    from companies
    cross join watermark
    where companies.loaded_at > watermark.loaded_at

),

{%- endif %}

final as (

    select distinct contacts.contact_id
    from contacts
    {%- if touched_only %}
    cross join watermark
    where contacts.loaded_at > watermark.loaded_at
    union
    -- every contact a changed company has had, as a row or as a stored profile
    select contacts.contact_id
    from contacts
    inner join changed_companies
        on contacts.company_id = changed_companies.company_id
    union
    select stored_profiles.contact_id
    from stored_profiles
    inner join changed_companies
        on stored_profiles.company_id = changed_companies.company_id
    {%- endif %}

)

select * from final
