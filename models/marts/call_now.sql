-- Whom sales should call today, per active model version, as of the latest score date:
-- the leads whose crossing of the MQL threshold (up) the latest run detected (detected_on,
-- so a crossing of an earlier day found through late data counts; not undone), then the
-- 20 other leads whose total score rose most over the last 7 days. Each with the three
-- rules that give it the most points, either way, as `leadscore explain` words them.
with

scores as (

    select * from {{ ref('lead_scores') }}

),

history as (

    -- the stored intervals (9999-12-31 while open), not lead_score_history: the view's
    -- buying-stage cuts split no score
    select * from {{ ref('int_lead_score_changes') }}
    where is_member

),

crossings as (

    select * from {{ ref('mql_crossings') }}
    where
        direction = 'up'
        and is_active_version
        and undone_on is null

),

contributions as (

    select * from {{ ref('score_contributions') }}
    where
        is_active_version
        -- the bounds line holds a total in the model's bounds: no reason to call
        and rule_kind <> 'bounds'
        and points <> 0

),

new_mqls as (

    select
        scores.contact_id,
        scores.model_id,
        scores.model_version,
        max(crossings.crossing_date) as crossing_date
    from scores
    inner join crossings
        on scores.contact_id = crossings.contact_id
        and scores.model_id = crossings.model_id
        and scores.model_version = crossings.model_version
        and scores.score_date = crossings.detected_on
    group by scores.contact_id, scores.model_id, scores.model_version

),

week_ago as (

    -- the score 7 days before the score date; no row: not scored then (outside the
    -- segment or not created), which counts as 0
    select
        scores.contact_id,
        scores.model_id,
        scores.model_version,
        history.total_score
    from scores
    inner join history
        on scores.contact_id = history.contact_id
        and scores.model_id = history.model_id
        and scores.model_version = history.model_version
        and history.valid_from <= cast({{ dbt.dateadd('day', -7, 'scores.score_date') }} as date)
        and history.valid_to > cast({{ dbt.dateadd('day', -7, 'scores.score_date') }} as date)

),

changes as (

    select
        scores.contact_id,
        scores.company_id,
        scores.model_id,
        scores.model_version,
        scores.score_date,
        scores.total_score,
        scores.band,
        scores.priority,
        scores.buying_stage,
        coalesce(week_ago.total_score, 0) as score_7d_ago,
        scores.total_score - coalesce(week_ago.total_score, 0) as score_change_7d,
        new_mqls.crossing_date,
        new_mqls.contact_id is not null as is_new_mql
    from scores
    left join week_ago
        on scores.contact_id = week_ago.contact_id
        and scores.model_id = week_ago.model_id
        and scores.model_version = week_ago.model_version
    left join new_mqls
        on scores.contact_id = new_mqls.contact_id
        and scores.model_id = new_mqls.model_id
        and scores.model_version = new_mqls.model_version

),

movers as (

    -- a new MQL is listed as such, so the movers are the 20 biggest rises among the others
    select
        *,
        row_number() over (
            partition by model_id, model_version
            order by score_change_7d desc, contact_id asc
        ) as mover_rank
    from changes
    where
        not is_new_mql
        and score_change_7d > 0

),

listed as (

    select
        contact_id,
        company_id,
        model_id,
        model_version,
        score_date,
        total_score,
        band,
        priority,
        buying_stage,
        score_7d_ago,
        score_change_7d,
        crossing_date,
        is_new_mql,
        'new_mql' as reason_kind,
        row_number() over (
            partition by model_id, model_version
            order by total_score desc, contact_id asc
        ) as kind_rank
    from changes
    where is_new_mql

    union all

    select
        contact_id,
        company_id,
        model_id,
        model_version,
        score_date,
        total_score,
        band,
        priority,
        buying_stage,
        score_7d_ago,
        score_change_7d,
        crossing_date,
        is_new_mql,
        'mover' as reason_kind,
        mover_rank as kind_rank
    from movers
    where mover_rank <= 20

),

reasons as (

    -- "Visited the pricing page (3 events) (+15.00)": explain's wording, one line; only
    -- for the leads listed
    select
        contributions.contact_id,
        contributions.model_id,
        contributions.model_version,
        contributions.description
        || coalesce(' (' || contributions.evidence || ')', '')
        || ' ('
        || case when contributions.points > 0 then '+' else '' end
        || cast(contributions.points as {{ dbt.type_string() }})
        || ')' as reason,
        row_number() over (
            partition by
                contributions.contact_id, contributions.model_id, contributions.model_version
            order by abs(contributions.points) desc, contributions.rule_id asc
        ) as reason_rank
    from contributions
    inner join listed
        on contributions.contact_id = listed.contact_id
        and contributions.model_id = listed.model_id
        and contributions.model_version = listed.model_version

),

top_reasons as (

    select
        contact_id,
        model_id,
        model_version,
        max(case when reason_rank = 1 then reason end) as reason_1,
        max(case when reason_rank = 2 then reason end) as reason_2,
        max(case when reason_rank = 3 then reason end) as reason_3
    from reasons
    where reason_rank <= 3
    group by contact_id, model_id, model_version

),

final as (

    select
        -- ids
        cast(listed.model_id as {{ dbt.type_string() }}) as model_id,
        cast(listed.model_version as {{ dbt.type_int() }}) as model_version,
        listed.score_date,
        cast(listed.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(listed.company_id as {{ dbt.type_string() }}) as company_id,

        -- why listed
        cast(listed.reason_kind as {{ dbt.type_string() }}) as reason_kind,
        -- place on the list: the new MQLs (highest score first), then the movers (biggest
        -- rise first)
        cast(
            row_number() over (
                partition by listed.model_id, listed.model_version
                order by
                    case when listed.reason_kind = 'new_mql' then 0 else 1 end,
                    listed.kind_rank
            ) as {{ dbt.type_int() }}
        ) as list_rank,
        listed.crossing_date as mql_crossing_date,

        -- score
        cast(listed.total_score as decimal(18, 2)) as total_score,
        cast(listed.score_7d_ago as decimal(18, 2)) as score_7d_ago,
        cast(listed.score_change_7d as decimal(18, 2)) as score_change_7d,
        cast(listed.band as {{ dbt.type_string() }}) as band,
        cast(listed.priority as {{ dbt.type_string() }}) as priority,
        cast(listed.buying_stage as {{ dbt.type_string() }}) as buying_stage,

        -- the three rules with the most points, either way
        cast(top_reasons.reason_1 as {{ dbt.type_string() }}) as reason_1,
        cast(top_reasons.reason_2 as {{ dbt.type_string() }}) as reason_2,
        cast(top_reasons.reason_3 as {{ dbt.type_string() }}) as reason_3

    from listed
    left join top_reasons
        on listed.contact_id = top_reasons.contact_id
        and listed.model_id = top_reasons.model_id
        and listed.model_version = top_reasons.model_version

)

select * from final
