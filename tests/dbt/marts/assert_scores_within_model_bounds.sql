-- No score lies outside the bounds its model declares.
with

scores as (

    select * from {{ ref('int_lead_scores_graded') }}

)

select
    contact_id,
    model_id,
    model_version,
    total_score,
    min_score,
    max_score
from scores
where
    total_score < min_score
    or total_score > max_score
