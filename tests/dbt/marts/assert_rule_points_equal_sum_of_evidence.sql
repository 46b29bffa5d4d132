-- An engagement rule's points are exactly the sum of the points of its events in
-- score_evidence, and it counts as many events as are listed: the evidence is whole.
with

contributions as (

    select * from {{ ref('score_contributions') }}
    where rule_kind = 'engagement'

),

evidence as (

    select * from {{ ref('score_evidence') }}

),

summed as (

    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        sum(points) as points,
        count(*) as events
    from evidence
    group by contact_id, model_id, model_version, rule_id

)

select
    coalesce(contributions.contact_id, summed.contact_id) as contact_id,
    coalesce(contributions.model_id, summed.model_id) as model_id,
    coalesce(contributions.model_version, summed.model_version) as model_version,
    coalesce(contributions.rule_id, summed.rule_id) as rule_id,
    contributions.points,
    contributions.occurrences,
    summed.points as evidence_points,
    summed.events as evidence_events
from contributions
full outer join summed
    on contributions.contact_id = summed.contact_id
    and contributions.model_id = summed.model_id
    and contributions.model_version = summed.model_version
    and contributions.rule_id = summed.rule_id
where
    contributions.points is null
    or summed.points is null
    or contributions.points <> summed.points
    or contributions.occurrences <> summed.events
