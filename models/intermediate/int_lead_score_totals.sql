-- Score components and the bounded total per scored contact and model version.
with

members as (

    select * from {{ ref('int_segment_members') }}

),

contributions as (

    select * from {{ ref('int_score_contributions') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

components as (

    select
        contact_id,
        model_id,
        model_version,
        sum(case when component = 'fit' then points else 0 end) as fit_score,
        sum(case when component = 'engagement' then points else 0 end) as engagement_score,
        sum(case when component = 'negative' then points else 0 end) as negative_score,
        sum(points) as unbounded_score
    from contributions
    group by contact_id, model_id, model_version

),

joined as (

    select
        members.contact_id,
        members.company_id,
        members.model_id,
        members.model_version,
        models.is_active,
        models.mql_threshold,
        models.min_score,
        models.max_score,
        score_dates.score_date,
        cast(coalesce(components.fit_score, 0) as {{ dbt.type_numeric() }}) as fit_score,
        cast(coalesce(components.engagement_score, 0) as {{ dbt.type_numeric() }})
            as engagement_score,
        cast(coalesce(components.negative_score, 0) as {{ dbt.type_numeric() }}) as negative_score,
        cast(coalesce(components.unbounded_score, 0) as {{ dbt.type_numeric() }}) as unbounded_score
    from members
    inner join models
        on members.model_id = models.model_id
        and members.model_version = models.model_version
    cross join score_dates
    left join components
        on members.contact_id = components.contact_id
        and members.model_id = components.model_id
        and members.model_version = components.model_version

),

final as (

    select
        joined.*,
        cast(
            {{ leadscore.bounded_score('unbounded_score') }} as {{ dbt.type_numeric() }}
        ) as total_score
    from joined

)

select * from final
