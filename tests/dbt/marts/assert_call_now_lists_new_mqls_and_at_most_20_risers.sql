-- The call-now list holds exactly the active versions' MQL crossings (up, not undone)
-- detected on the score date of leads scored now, and per version at most 20 movers, each
-- of which rose over the last 7 days and is no new MQL.
with

call_now as (

    select * from {{ ref('call_now') }}

),

crossings as (

    select * from {{ ref('mql_crossings') }}

),

scores as (

    select * from {{ ref('lead_scores') }}

),

detected as (

    select distinct
        scores.contact_id,
        scores.model_id,
        scores.model_version
    from scores
    inner join crossings
        on scores.contact_id = crossings.contact_id
        and scores.model_id = crossings.model_id
        and scores.model_version = crossings.model_version
        and scores.score_date = crossings.detected_on
    where
        crossings.direction = 'up'
        and crossings.is_active_version
        and crossings.undone_on is null

),

listed as (

    select
        contact_id,
        model_id,
        model_version
    from call_now
    where reason_kind = 'new_mql'

),

missing as (

    select * from detected
    except
    select * from listed

),

extra as (

    select * from listed
    except
    select * from detected

),

movers as (

    select
        model_id,
        model_version,
        count(*) as movers,
        min(score_change_7d) as smallest_rise
    from call_now
    where reason_kind = 'mover'
    group by model_id, model_version

),

final as (

    select
        'new MQL not listed' as problem,
        missing.model_id,
        missing.model_version,
        missing.contact_id
    from missing
    union all
    select
        'listed as new MQL without a crossing detected today' as problem,
        extra.model_id,
        extra.model_version,
        extra.contact_id
    from extra
    union all
    select
        'more than 20 movers, or a mover that did not rise' as problem,
        movers.model_id,
        movers.model_version,
        cast(null as {{ dbt.type_string() }}) as contact_id
    from movers
    where movers.movers > 20 or movers.smallest_rise <= 0

)

select * from final
