-- Account fit and committee rules each contact profile version meets, one row per match:
-- fit rules test the company's fields as the profile knows them, committee rules the
-- contact's own. Rules are compared as values by `field_matches`, as for lead rules.
with

profiles as (

    select * from {{ ref('int_contact_profiles_versioned') }}
    where company_id is not null

),

fields as (

    select * from {{ ref('int_contact_fields_unpivoted') }}

),

account_rules as (

    select * from {{ ref('account_rules') }}
    where rule_type in ('fit', 'committee')

),

present as (

    select
        fields.contact_id,
        fields.valid_from,
        account_rules.model_id,
        account_rules.model_version,
        account_rules.rule_id,
        account_rules.rule_type
    from fields
    inner join account_rules
        on fields.field = account_rules.field
    where {{ leadscore.field_matches(
        'fields.value_text', 'fields.value_number', 'account_rules.operator',
        'account_rules.value', 'account_rules.value_to'
    ) }}

),

-- a profile without the field meets the rules that match a missing value (is_missing)
missing as (

    select
        profiles.contact_id,
        profiles.valid_from,
        account_rules.model_id,
        account_rules.model_version,
        account_rules.rule_id,
        account_rules.rule_type
    from profiles
    cross join account_rules
    where
        {{ leadscore.field_matches(
            'cast(null as ' ~ dbt.type_string() ~ ')', 'cast(null as double)',
            'account_rules.operator', 'account_rules.value', 'account_rules.value_to'
        ) }}
        and not exists (
            select 1 as field_exists
            from fields
            where
                fields.contact_id = profiles.contact_id
                and fields.valid_from = profiles.valid_from
                and fields.field = account_rules.field
        )

),

final as (

    select * from present
    union all
    select * from missing

)

select * from final
