-- Account fit and committee rules each contact profile version meets, one row per match:
-- fit rules test the company's fields as the profile knows them, committee rules the
-- contact's own. Rules are compared as values by `field_matches`, as for lead rules.
-- valid_to: the profile version's end (9999-12-31 while open).
--
-- Incremental by day: the account models read, in a run's window, the profile versions
-- that end on or after history_window_start(). A run matches those that begin there
-- (all versions when the window start is none); an older version's fields do not
-- change, so its stored matches are written again with its end as it is now. The
-- versions that ended before the window are left as stored.
{{ config(
    materialized='incremental',
    incremental_strategy=leadscore.window_incremental_strategy(),
    window_column='valid_to',
    partition_by=leadscore.window_partition_by('valid_to'),
    on_schema_change='fail',
    tags=['history'],
) }}
{%- set window_start = history_window_start() if is_incremental() else none %}

with

profiles as (

    select * from {{ ref('int_contact_profiles_versioned') }}
    where company_id is not null
    {%- if window_start %}
        and (valid_to is null or valid_to >= cast('{{ window_start }}' as date))
    {%- endif %}

),

-- the versions to match: in a window, those that begin there
new_profiles as (

    select * from profiles
    {%- if window_start %}
    where valid_from >= cast('{{ window_start }}' as date)
    {%- endif %}

),

fields as (

    select * from {{ ref('int_contact_fields_unpivoted') }}
    {%- if window_start %}
    where valid_from >= cast('{{ window_start }}' as date)
    {%- endif %}

),

account_rules as (

    select * from {{ ref('account_rules') }}
    where rule_type in ('fit', 'committee')

),

present as (

    select
        fields.contact_id,
        fields.valid_from,
        new_profiles.valid_to,
        account_rules.model_id,
        account_rules.model_version,
        account_rules.rule_id,
        account_rules.rule_type
    from fields
    inner join new_profiles
        on fields.contact_id = new_profiles.contact_id
        and fields.valid_from = new_profiles.valid_from
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
        new_profiles.contact_id,
        new_profiles.valid_from,
        new_profiles.valid_to,
        account_rules.model_id,
        account_rules.model_version,
        account_rules.rule_id,
        account_rules.rule_type
    from new_profiles
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
                fields.contact_id = new_profiles.contact_id
                and fields.valid_from = new_profiles.valid_from
                and fields.field = account_rules.field
        )

),

matched as (

    select * from present
    union all
    select * from missing
    {%- if window_start %}
    union all
    -- an older version reaching into the window: its stored matches, with its end now
    select
        stored.contact_id,
        stored.valid_from,
        profiles.valid_to,
        stored.model_id,
        stored.model_version,
        stored.rule_id,
        stored.rule_type
    from {{ this }} as stored
    inner join profiles
        on stored.contact_id = profiles.contact_id
        and stored.valid_from = profiles.valid_from
    where
        stored.valid_from < cast('{{ window_start }}' as date)
        and stored.valid_to >= cast('{{ window_start }}' as date)
    {%- endif %}

),

final as (

    select
        -- ids
        contact_id,
        valid_from,
        model_id,
        model_version,
        rule_id,

        -- validity of the profile version (9999-12-31 while open)
        cast(coalesce(valid_to, cast('9999-12-31' as date)) as date) as valid_to,

        -- rule
        rule_type

    from matched

)

select * from final
