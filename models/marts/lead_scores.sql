with

scores as (

    select * from {{ ref('int_lead_scores_graded') }}
    where is_active

),

buying_stages as (

    select * from {{ ref('int_buying_stage_intervals') }}

),

mql_events as (

    select * from {{ ref('mql_events') }}

),

first_mql as (

    select
        contact_id,
        model_id,
        model_version,
        min(event_date) as first_mql_date
    from mql_events
    where direction = 'up'
    group by contact_id, model_id, model_version

),

final as (

    select
        -- ids
        cast(scores.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(scores.company_id as {{ dbt.type_string() }}) as company_id,
        cast(scores.model_id as {{ dbt.type_string() }}) as model_id,
        cast(scores.model_version as {{ dbt.type_int() }}) as model_version,
        scores.score_date,

        -- points
        cast(scores.fit_score as decimal(18, 2)) as fit_score,
        cast(scores.engagement_score as decimal(18, 2)) as engagement_score,
        cast(scores.negative_score as decimal(18, 2)) as negative_score,
        cast(scores.total_score as decimal(18, 2)) as total_score,

        -- thresholds
        cast(scores.band as {{ dbt.type_string() }}) as band,
        cast(scores.fit_grade as {{ dbt.type_string() }}) as fit_grade,
        cast(scores.engagement_grade as {{ dbt.type_string() }}) as engagement_grade,
        cast(scores.priority as {{ dbt.type_string() }}) as priority,
        cast(scores.mql_threshold as decimal(18, 2)) as mql_threshold,
        scores.is_mql,
        first_mql.first_mql_date,

        -- buying stage (docs/rules.md, "Buying stage")
        cast(buying_stages.buying_stage as {{ dbt.type_string() }}) as buying_stage,
        case
            when buying_stages.buying_stage is not null then buying_stages.stage_entered_on
        end as stage_entered_on

    from scores
    left join first_mql
        on scores.contact_id = first_mql.contact_id
        and scores.model_id = first_mql.model_id
        and scores.model_version = first_mql.model_version
    left join buying_stages
        on scores.contact_id = buying_stages.contact_id
        and scores.model_id = buying_stages.model_id
        and scores.model_version = buying_stages.model_version
        and scores.score_date >= buying_stages.valid_from
        and scores.score_date < buying_stages.valid_to

)

select * from final
