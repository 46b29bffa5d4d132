-- The band is the highest one whose min_score the total reaches, and MQL means the
-- total reaches the model's threshold.
with

scores as (

    select * from {{ ref('int_lead_scores_graded') }}

),

bands as (

    select * from {{ ref('score_bands') }}

),

expected_bands as (

    select
        scores.contact_id,
        scores.model_id,
        scores.model_version,
        max(bands.band_rank) as expected_band_rank
    from scores
    left join bands
        on scores.model_id = bands.model_id
        and scores.model_version = bands.model_version
        and scores.total_score >= bands.min_score
    group by scores.contact_id, scores.model_id, scores.model_version

)

select
    scores.contact_id,
    scores.model_id,
    scores.model_version,
    scores.band,
    scores.is_mql
from scores
inner join expected_bands
    on scores.contact_id = expected_bands.contact_id
    and scores.model_id = expected_bands.model_id
    and scores.model_version = expected_bands.model_version
where
    scores.band_rank is null
    or scores.band_rank <> expected_bands.expected_band_rank
    or scores.is_mql <> (scores.total_score >= scores.mql_threshold)
