-- The crossing ledger agrees with the history: the crossings it holds open up to the
-- score date are exactly the crossings of mql_events (a run may leave later ones alone:
-- a rerun of a past day cannot see them).
with

crossings as (

    select * from {{ ref('mql_crossings') }}

),

mql_events as (

    select * from {{ ref('mql_events') }}

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

open_crossings as (

    select
        crossings.contact_id,
        crossings.model_id,
        crossings.model_version,
        crossings.crossing_date,
        crossings.direction
    from crossings
    inner join score_dates on crossings.crossing_date <= score_dates.score_date
    where crossings.undone_on is null

),

history as (

    select
        contact_id,
        model_id,
        model_version,
        event_date as crossing_date,
        direction
    from mql_events

),

only_in_ledger as (

    select * from open_crossings
    except
    select * from history

),

only_in_history as (

    select * from history
    except
    select * from open_crossings

),

final as (

    select
        'only in the ledger' as problem,
        only_in_ledger.contact_id,
        only_in_ledger.model_id,
        only_in_ledger.model_version,
        only_in_ledger.crossing_date,
        only_in_ledger.direction
    from only_in_ledger
    union all
    select
        'only in the history' as problem,
        only_in_history.contact_id,
        only_in_history.model_id,
        only_in_history.model_version,
        only_in_history.crossing_date,
        only_in_history.direction
    from only_in_history

)

select * from final
