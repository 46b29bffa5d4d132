-- A lead's score under every model version, as it was on every day: one row per change,
-- valid from the start of valid_from until the start of valid_to (null: still valid).
-- A view over the incremental change table, which stores each interval's end; whether a
-- version is active comes from the seeds, so it is never stale. A change of the lead's
-- buying stage (int_buying_stage_intervals) is a change too: it splits the score's
-- interval on its day.
{{ config(materialized='view') }}

with

changes as (

    select * from {{ ref('int_lead_score_changes') }}

),

buying_stages as (

    select * from {{ ref('int_buying_stage_intervals') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

stage_runs as (

    -- one row per run of days with one stage (the stored intervals also change when only
    -- the number of events that count does)
    select
        contact_id,
        model_id,
        model_version,
        buying_stage,
        stage_entered_on,
        min(valid_from) as valid_from,
        max(valid_to) as valid_to
    from buying_stages
    group by contact_id, model_id, model_version, buying_stage, stage_entered_on

    union all

    -- no stage before the lead's first counted event
    select
        contact_id,
        model_id,
        model_version,
        cast(null as {{ dbt.type_string() }}) as buying_stage,
        cast(null as date) as stage_entered_on,
        cast('1900-01-01' as date) as valid_from,
        min(valid_from) as valid_to
    from buying_stages
    group by contact_id, model_id, model_version

),

pieces as (

    -- a score interval in the segment, cut where the stage changes
    select
        changes.contact_id,
        changes.company_id,
        changes.model_id,
        changes.model_version,
        case
            when stage_runs.valid_from > changes.valid_from then stage_runs.valid_from
            else changes.valid_from
        end as valid_from,
        case
            when stage_runs.valid_to < changes.valid_to then stage_runs.valid_to
            else changes.valid_to
        end as valid_to,
        changes.is_member,
        changes.fit_score,
        changes.engagement_score,
        changes.negative_score,
        changes.total_score,
        changes.band,
        changes.fit_grade,
        changes.engagement_grade,
        changes.priority,
        changes.is_mql,
        stage_runs.buying_stage,
        case when stage_runs.buying_stage is not null then stage_runs.stage_entered_on end
            as stage_entered_on
    from changes
    left join stage_runs
        on changes.is_member
        and changes.contact_id = stage_runs.contact_id
        and changes.model_id = stage_runs.model_id
        and changes.model_version = stage_runs.model_version
        and changes.valid_to > stage_runs.valid_from
        and changes.valid_from < stage_runs.valid_to

),

final as (

    select
        -- ids
        cast(changes.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(changes.company_id as {{ dbt.type_string() }}) as company_id,
        cast(changes.model_id as {{ dbt.type_string() }}) as model_id,
        cast(changes.model_version as {{ dbt.type_int() }}) as model_version,
        models.is_active as is_active_version,

        -- validity
        changes.valid_from,
        case when changes.valid_to < cast('9999-12-31' as date) then changes.valid_to end
            as valid_to,
        changes.is_member as is_in_segment,

        -- points (null while the lead is outside the model's segment)
        cast(changes.fit_score as decimal(18, 2)) as fit_score,
        cast(changes.engagement_score as decimal(18, 2)) as engagement_score,
        cast(changes.negative_score as decimal(18, 2)) as negative_score,
        cast(changes.total_score as decimal(18, 2)) as total_score,

        -- thresholds
        cast(changes.band as {{ dbt.type_string() }}) as band,
        cast(changes.fit_grade as {{ dbt.type_string() }}) as fit_grade,
        cast(changes.engagement_grade as {{ dbt.type_string() }}) as engagement_grade,
        cast(changes.priority as {{ dbt.type_string() }}) as priority,
        changes.is_mql,

        -- buying stage (null while outside the segment or with no counted event)
        cast(changes.buying_stage as {{ dbt.type_string() }}) as buying_stage,
        changes.stage_entered_on

    from pieces as changes
    inner join models
        on changes.model_id = models.model_id
        and changes.model_version = models.model_version

)

select * from final
