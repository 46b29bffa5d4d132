-- Every rule's points for every scored contact: fit, engagement, negative, inactivity.
with

members as (

    select * from {{ ref('int_segment_members') }}

),

fit_points as (

    select * from {{ ref('int_fit_points_versioned') }}

),

engagement_points as (

    select * from {{ ref('int_engagement_points') }}

),

engagement_rules as (

    select * from {{ ref('engagement_rules') }}

),

inactivity_points as (

    select * from {{ ref('int_inactivity_points') }}

),

inactivity_rules as (

    select * from {{ ref('inactivity_rules') }}

),

fit as (

    select
        members.contact_id,
        members.model_id,
        members.model_version,
        fit_points.rule_id,
        'fit' as rule_kind,
        fit_points.component,
        fit_points.description,
        cast(null as {{ dbt.type_string() }}) as buying_stage,
        fit_points.points,
        1 as occurrences,
        fit_points.evidence,
        cast(null as {{ dbt.type_timestamp() }}) as last_occurred_at
    from members
    inner join fit_points
        on members.contact_id = fit_points.contact_id
        and members.model_id = fit_points.model_id
        and members.model_version = fit_points.model_version
        and members.profile_valid_from = fit_points.valid_from

),

engagement as (

    select
        engagement_points.contact_id,
        engagement_points.model_id,
        engagement_points.model_version,
        engagement_points.rule_id,
        'engagement' as rule_kind,
        engagement_points.component,
        engagement_rules.description,
        engagement_rules.buying_stage,
        engagement_points.points,
        engagement_points.occurrences,
        cast(null as {{ dbt.type_string() }}) as evidence,
        engagement_points.last_occurred_at
    from engagement_points
    inner join engagement_rules
        on engagement_points.model_id = engagement_rules.model_id
        and engagement_points.model_version = engagement_rules.model_version
        and engagement_points.rule_id = engagement_rules.rule_id

),

inactivity as (

    select
        inactivity_points.contact_id,
        inactivity_points.model_id,
        inactivity_points.model_version,
        inactivity_points.rule_id,
        'inactivity' as rule_kind,
        inactivity_points.component,
        inactivity_rules.description,
        cast(null as {{ dbt.type_string() }}) as buying_stage,
        inactivity_points.points,
        1 as occurrences,
        {{ dbt.cast('inactivity_points.idle_days', dbt.type_string()) }}
        || ' days idle' as evidence,
        cast(null as {{ dbt.type_timestamp() }}) as last_occurred_at
    from inactivity_points
    inner join inactivity_rules
        on inactivity_points.model_id = inactivity_rules.model_id
        and inactivity_points.model_version = inactivity_rules.model_version
        and inactivity_points.rule_id = inactivity_rules.rule_id

),

unioned as (

    select * from fit
    union all
    select * from engagement
    union all
    select * from inactivity

),

final as (

    select
        -- ids
        contact_id,
        model_id,
        model_version,
        rule_id,

        -- rule
        rule_kind,
        component,
        description,
        buying_stage,

        -- points: exact decimals, so that totals are exact sums of what is shown
        cast(points as decimal(18, 2)) as points,
        occurrences,
        evidence,
        last_occurred_at

    from unioned

)

select * from final
