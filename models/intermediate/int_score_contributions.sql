-- Every rule's points for every scored contact: fit, engagement, negative, inactivity,
-- aggregate behaviour, sales feedback (disposition).
{%- set first_day = dbt.cast('engagement_points.first_counted_date', dbt.type_string()) %}
{%- set last_day = dbt.cast('engagement_points.last_counted_date', dbt.type_string()) %}

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

aggregate_points as (

    select * from {{ ref('int_aggregate_rule_points') }}

),

aggregate_rules as (

    select * from {{ ref('aggregate_rules') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

disposition_adjustments as (

    select * from {{ ref('int_disposition_adjustments') }}

),

-- one row per aggregate rule (its bins share what it measures)
aggregate_measures as (

    select distinct
        model_id,
        model_version,
        rule_id,
        measure,
        window_days,
        description,
        buying_stage,
        component
    from aggregate_rules

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
        -- a summary of the events behind the points; each one is in score_evidence
        {{ dbt.cast('engagement_points.occurrences', dbt.type_string()) }}
        || case when engagement_points.occurrences = 1 then ' event' else ' events' end
        || case
            when engagement_points.first_counted_date = engagement_points.last_counted_date
                then ' on ' || {{ last_day }}
            else ' from ' || {{ first_day }} || ' to ' || {{ last_day }}
        end as evidence,
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

-- the interval open on the score date, shown with what was measured then
aggregate_now as (

    select
        aggregate_points.contact_id,
        aggregate_points.model_id,
        aggregate_points.model_version,
        aggregate_points.rule_id,
        aggregate_points.engagement_points,
        aggregate_points.negative_points,
        aggregate_points.last_matched_date,
        aggregate_points.measured_value
        + case
            when aggregate_measures.measure = 'days_since'
                then {{ dbt.datediff(
                    'aggregate_points.valid_from', 'score_dates.score_date', 'day'
                ) }}
            else 0
        end as measured_value,
        aggregate_measures.measure,
        aggregate_measures.window_days,
        aggregate_measures.description,
        aggregate_measures.buying_stage,
        aggregate_measures.component
    from aggregate_points
    cross join score_dates
    inner join members
        on aggregate_points.contact_id = members.contact_id
        and aggregate_points.model_id = members.model_id
        and aggregate_points.model_version = members.model_version
    inner join aggregate_measures
        on aggregate_points.model_id = aggregate_measures.model_id
        and aggregate_points.model_version = aggregate_measures.model_version
        and aggregate_points.rule_id = aggregate_measures.rule_id
    where
        aggregate_points.valid_from <= score_dates.score_date
        and aggregate_points.valid_to > score_dates.score_date

),

aggregate_behaviour as (

    select
        aggregate_now.contact_id,
        aggregate_now.model_id,
        aggregate_now.model_version,
        aggregate_now.rule_id,
        'aggregate' as rule_kind,
        aggregate_now.component,
        aggregate_now.description,
        aggregate_now.buying_stage,
        aggregate_now.engagement_points + aggregate_now.negative_points as points,
        1 as occurrences,
        aggregate_now.measure || ' ' || case
            when aggregate_now.measure = 'sum'
                then {{ dbt.cast(
                    'cast(aggregate_now.measured_value as decimal(18, 2))', dbt.type_string()
                ) }}
            else {{ dbt.cast(
                'cast(aggregate_now.measured_value as ' ~ dbt.type_int() ~ ')', dbt.type_string()
            ) }}
        end
        || case
            when aggregate_now.measure = 'days_since' then ''
            else ' in ' || {{ dbt.cast('aggregate_now.window_days', dbt.type_string()) }} || ' days'
        end as evidence,
        cast(aggregate_now.last_matched_date as {{ dbt.type_timestamp() }}) as last_occurred_at
    from aggregate_now
    where aggregate_now.engagement_points + aggregate_now.negative_points <> 0

),

-- the sales-feedback fit adjustment valid on the score date
disposition as (

    select
        members.contact_id,
        members.model_id,
        members.model_version,
        disposition_adjustments.rule_id,
        'disposition' as rule_kind,
        'fit' as component,
        disposition_adjustments.description,
        cast(null as {{ dbt.type_string() }}) as buying_stage,
        disposition_adjustments.points,
        1 as occurrences,
        disposition_adjustments.disposition
        || coalesce(' ' || disposition_adjustments.reason, '')
        || ' on ' || {{ dbt.cast('disposition_adjustments.decided_date', dbt.type_string()) }}
            as evidence,
        cast(null as {{ dbt.type_timestamp() }}) as last_occurred_at
    from members
    cross join score_dates
    inner join disposition_adjustments
        on members.contact_id = disposition_adjustments.contact_id
        and members.model_id = disposition_adjustments.model_id
        and members.model_version = disposition_adjustments.model_version
    where
        disposition_adjustments.valid_from <= score_dates.score_date
        and disposition_adjustments.valid_to > score_dates.score_date
        and disposition_adjustments.points <> 0

),

unioned as (

    select * from fit
    union all
    select * from engagement
    union all
    select * from inactivity
    union all
    select * from aggregate_behaviour
    union all
    select * from disposition

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
