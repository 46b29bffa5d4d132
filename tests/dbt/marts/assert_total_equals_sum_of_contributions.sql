-- A lead's total score is exactly the sum of its contributions: the explanation is whole.
with

scores as (

    select * from {{ ref('lead_scores') }}

),

contributions as (

    select * from {{ ref('score_contributions') }}

),

summed as (

    select
        contact_id,
        model_id,
        model_version,
        sum(points) as points
    from contributions
    group by contact_id, model_id, model_version

)

select
    scores.contact_id,
    scores.model_id,
    scores.total_score,
    coalesce(summed.points, 0) as summed_points
from scores
left join summed
    on scores.contact_id = summed.contact_id
    and scores.model_id = summed.model_id
    and scores.model_version = summed.model_version
where scores.total_score <> coalesce(summed.points, 0)
