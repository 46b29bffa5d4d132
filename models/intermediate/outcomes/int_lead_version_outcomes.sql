-- One row per lead and model version (a contact that was in the version's segment on
-- some day): its outcome, its first MQL day, the best band and the furthest buying stage
-- it reached before the outcome (before its first win for customers, else by the score
-- date), and the length of its sales cycle: from the first MQL day (or creation, when it
-- never was MQL before winning) to the first closed-won day.
--
-- Read from the stored intervals (int_lead_score_changes, int_buying_stage_intervals),
-- not from lead_score_history: the view's stage cuts change no band, no MQL and no
-- stage reached on a day. The best band and a stage count from the first day of an
-- interval (a day in the segment with that stage), the first MQL from an up crossing.
--
-- Incremental on DuckDB (a table rewritten from its own last state, a few columns per
-- lead): the days before the window (history_window_start()) never change again, so a
-- run keeps what each lead reached before the window it last ran with (settled_*), adds
-- what the days since reached, and reads only the intervals that reach those days. A
-- lead whose first win moved, that is new, or that a run of an earlier day re-opens, is
-- worked out from its whole history. A rule-version change, --full-refresh and Spark
-- (which cannot read the table it writes) compute every lead from its whole history.
{%- set lookback_days = var('lookback_days', 7) | int %}
{%- set stored = none %}
{%- set window_start = none %}
{%- if execute and target.type != 'spark' and this is not none %}
    {%- set stored = adapter.get_relation(
        database=this.database, schema=this.schema, identifier=this.identifier
    ) %}
    {%- if stored is not none and 'settled_before' in (
        adapter.get_columns_in_relation(stored) | map(attribute='name') | list
    ) %}
        {%- set window_start = history_window_start() %}
    {%- endif %}
{%- endif %}
{%- if window_start %}
    {#- the first day any stored lead needs again: only intervals reaching it are read -#}
    {%- set reread_from = run_query(
        "select coalesce(least(min(settled_before), cast('" ~ window_start ~ "' as date)),"
        ~ " cast('" ~ window_start ~ "' as date)) from " ~ stored
    ).columns[0].values()[0] %}
{%- endif %}

with

changes as (

    select * from {{ ref('int_lead_score_changes') }}

),

stage_intervals as (

    select * from {{ ref('int_buying_stage_intervals') }}
    where buying_stage is not null

),

models as (

    select * from {{ ref('scoring_models') }}

),

bands as (

    select * from {{ ref('score_bands') }}

),

all_outcomes as (

    select * from {{ ref('int_lead_outcomes') }}

),

outcomes as (

    -- a win older than the first event says nothing about the scores
    select * from all_outcomes
    where not is_won_before_data

),

bounds as (

    -- days before window_start are settled: no later run rewrites them
    select
        score_date,
        {%- if window_start %}
            cast('{{ window_start }}' as date) as window_start
        {%- else %}
            cast({{ dbt.dateadd('day', -lookback_days, 'score_date') }} as date) as window_start
        {%- endif %}
    from {{ ref('int_score_dates') }}

),

{%- if window_start %}

    stored as (

        select * from {{ stored }}

    ),

    -- the intervals reaching a day some stored lead has not settled (the open ones, the
    -- recent ones): a run reads these, and the whole history of the leads it reworks
    recent_changes as (

        select * from {{ ref('int_lead_score_changes') }}
        where valid_to > cast('{{ reread_from }}' as date)

    ),

    recent_stage_intervals as (

        select * from {{ ref('int_buying_stage_intervals') }}
        where buying_stage is not null and valid_to > cast('{{ reread_from }}' as date)

    ),

    reworked_contacts as (

        -- a first win that moved bounds what counts (the settled part too)
        select stored.contact_id
        from stored
        left join all_outcomes
            on stored.contact_id = all_outcomes.contact_id
        where
            stored.first_won_date is distinct from all_outcomes.first_won_date
            -- a run of an earlier day re-opens settled days
            or stored.settled_before > cast('{{ window_start }}' as date)
        union
        -- in the segment, but never stored: new in it, or it had been left out
        select recent_changes.contact_id
        from recent_changes
        inner join outcomes
            on recent_changes.contact_id = outcomes.contact_id
        left join stored
            on recent_changes.contact_id = stored.contact_id
            and recent_changes.model_id = stored.model_id
            and recent_changes.model_version = stored.model_version
        where recent_changes.is_member and stored.contact_id is null
        union
        -- a win left out as older than the data may count after all (opportunities and
        -- the first event day both change): such a contact has an opportunity
        select outcomes.contact_id
        from outcomes
        left join stored
            on outcomes.contact_id = stored.contact_id
        where outcomes.has_opportunity and stored.contact_id is null

    ),

    kept_starts as (

        -- a lead carried on: where its reading starts, and what it had reached before
        select
            contact_id,
            model_id,
            model_version,
            settled_before as read_from,
            is_settled_member,
            settled_band_rank,
            settled_stage_rank,
            settled_first_mql_date
        from stored
        where contact_id not in (select contact_id from reworked_contacts)

    ),

    reworked_changes as (

        select * from changes
        where contact_id in (select contact_id from reworked_contacts)

    ),

    starts as (

        select * from kept_starts
        union all
        select distinct
            contact_id,
            model_id,
            model_version,
            cast('1900-01-01' as date) as read_from,
            false as is_settled_member,
            cast(null as {{ dbt.type_int() }}) as settled_band_rank,
            cast(null as {{ dbt.type_int() }}) as settled_stage_rank,
            cast(null as date) as settled_first_mql_date
        from reworked_changes

    ),

    read_changes as (

        -- the intervals reaching a day not settled yet (the open ones, the recent ones)
        select
            recent_changes.*,
            kept_starts.read_from
        from recent_changes
        inner join kept_starts
            on recent_changes.contact_id = kept_starts.contact_id
            and recent_changes.model_id = kept_starts.model_id
            and recent_changes.model_version = kept_starts.model_version
        where recent_changes.valid_to > kept_starts.read_from
        union all
        select
            *,
            cast('1900-01-01' as date) as read_from
        from reworked_changes

    ),

    read_stages as (

        select
            recent_stage_intervals.*,
            kept_starts.read_from
        from recent_stage_intervals
        inner join kept_starts
            on recent_stage_intervals.contact_id = kept_starts.contact_id
            and recent_stage_intervals.model_id = kept_starts.model_id
            and recent_stage_intervals.model_version = kept_starts.model_version
        where recent_stage_intervals.valid_to > kept_starts.read_from
        union all
        select
            *,
            cast('1900-01-01' as date) as read_from
        from stage_intervals
        where contact_id in (select contact_id from reworked_contacts)

    ),

{%- else %}

    starts as (

        select distinct
            contact_id,
            model_id,
            model_version,
            cast('1900-01-01' as date) as read_from,
            false as is_settled_member,
            cast(null as {{ dbt.type_int() }}) as settled_band_rank,
            cast(null as {{ dbt.type_int() }}) as settled_stage_rank,
            cast(null as date) as settled_first_mql_date
        from changes

    ),

    read_changes as (

        select
            *,
            cast('1900-01-01' as date) as read_from
        from changes

    ),

    read_stages as (

        select
            *,
            cast('1900-01-01' as date) as read_from
        from stage_intervals

    ),

{%- endif %}

limits as (

    -- the outcome bounds what counts: the first win, else the score date
    select
        outcomes.contact_id,
        coalesce(outcomes.first_won_date, bounds.score_date) as counts_until,
        bounds.window_start
    from outcomes
    cross join bounds

),

intervals_reached as (

    -- from the intervals starting on a day read anew: what the settled days reached,
    -- and what all of them did
    select
        read_changes.contact_id,
        read_changes.model_id,
        read_changes.model_version,
        max(
            case
                when read_changes.is_member and read_changes.valid_from < limits.window_start
                    then 1
                else 0
            end
        ) as settled_member,
        max(case when read_changes.is_member then 1 else 0 end) as any_member,
        max(
            case
                when
                    read_changes.is_member
                    and read_changes.valid_from < limits.window_start
                    and read_changes.valid_from <= limits.counts_until
                    then bands.band_rank
            end
        ) as settled_band_rank,
        max(
            case
                when read_changes.is_member and read_changes.valid_from <= limits.counts_until
                    then bands.band_rank
            end
        ) as band_rank,
        min(
            case
                when
                    read_changes.mql_direction = 'up'
                    and read_changes.valid_from < limits.window_start
                    then read_changes.valid_from
            end
        ) as settled_first_mql_date,
        min(case when read_changes.mql_direction = 'up' then read_changes.valid_from end)
            as first_mql_date
    from read_changes
    inner join limits
        on read_changes.contact_id = limits.contact_id
    left join bands
        on read_changes.model_id = bands.model_id
        and read_changes.model_version = bands.model_version
        and read_changes.band = bands.band
    where read_changes.valid_from >= read_changes.read_from
    group by read_changes.contact_id, read_changes.model_id, read_changes.model_version

),

{%- if window_start %}

    member_runs as (

        -- a run reads few intervals per lead: each is taken as it is
        select
            contact_id,
            model_id,
            model_version,
            valid_from,
            valid_to
        from read_changes
        where is_member

    ),

{%- else %}

    member_marked as (

        select
            contact_id,
            model_id,
            model_version,
            valid_from,
            valid_to,
            case
                when valid_from = lag(valid_to) over (
                    partition by contact_id, model_id, model_version order by valid_from
                ) then 0
                else 1
            end as is_run_start
        from read_changes
        where is_member

    ),

    member_numbered as (

        select
            *,
            sum(is_run_start) over (
                partition by contact_id, model_id, model_version
                order by valid_from
                rows between unbounded preceding and current row
            ) as run_number
        from member_marked

    ),

    member_runs as (

        -- the runs of days in the segment, among the intervals read
        select
            contact_id,
            model_id,
            model_version,
            min(valid_from) as valid_from,
            max(valid_to) as valid_to
        from member_numbered
        group by contact_id, model_id, model_version, run_number

    ),

{%- endif %}

stage_days as (

    -- the days read of a stage interval spent in the segment
    select
        read_stages.contact_id,
        read_stages.model_id,
        read_stages.model_version,
        case read_stages.buying_stage
            when 'discovery' then 1
            when 'evaluation' then 2
            when 'decision' then 3
        end as stage_rank,
        greatest(read_stages.valid_from, member_runs.valid_from, read_stages.read_from)
            as first_day,
        least(read_stages.valid_to, member_runs.valid_to) as end_day
    from read_stages
    inner join member_runs
        on read_stages.contact_id = member_runs.contact_id
        and read_stages.model_id = member_runs.model_id
        and read_stages.model_version = member_runs.model_version
        and read_stages.valid_from < member_runs.valid_to
        and read_stages.valid_to > member_runs.valid_from

),

stages_reached as (

    -- the furthest stage reached on a settled day, and on any day, by the outcome
    select
        stage_days.contact_id,
        stage_days.model_id,
        stage_days.model_version,
        max(
            case
                when
                    stage_days.first_day < least(stage_days.end_day, limits.window_start)
                    and stage_days.first_day <= limits.counts_until
                    then stage_days.stage_rank
            end
        ) as settled_stage_rank,
        max(
            case
                when
                    stage_days.first_day < stage_days.end_day
                    and stage_days.first_day <= limits.counts_until
                    then stage_days.stage_rank
            end
        ) as stage_rank
    from stage_days
    inner join limits
        on stage_days.contact_id = limits.contact_id
    group by stage_days.contact_id, stage_days.model_id, stage_days.model_version

),

reached as (

    select
        starts.contact_id,
        starts.model_id,
        starts.model_version,
        starts.is_settled_member or coalesce(intervals_reached.settled_member = 1, false)
            as is_settled_member,
        starts.is_settled_member or coalesce(intervals_reached.any_member = 1, false)
            as is_member,
        greatest(starts.settled_band_rank, intervals_reached.settled_band_rank)
            as settled_band_rank,
        greatest(starts.settled_band_rank, intervals_reached.band_rank) as best_band_rank,
        greatest(starts.settled_stage_rank, stages_reached.settled_stage_rank)
            as settled_stage_rank,
        greatest(starts.settled_stage_rank, stages_reached.stage_rank) as furthest_stage_rank,
        least(starts.settled_first_mql_date, intervals_reached.settled_first_mql_date)
            as settled_first_mql_date,
        least(starts.settled_first_mql_date, intervals_reached.first_mql_date)
            as first_mql_date
    from starts
    left join intervals_reached
        on starts.contact_id = intervals_reached.contact_id
        and starts.model_id = intervals_reached.model_id
        and starts.model_version = intervals_reached.model_version
    left join stages_reached
        on starts.contact_id = stages_reached.contact_id
        and starts.model_id = stages_reached.model_id
        and starts.model_version = stages_reached.model_version

),

with_cycle as (

    select
        reached.*,
        models.is_active as is_active_version,
        outcomes.cohort_month,
        outcomes.channel,
        outcomes.is_accepted,
        outcomes.is_dispositioned,
        outcomes.has_opportunity,
        outcomes.is_customer,
        outcomes.first_won_date,
        outcomes.revenue,
        case
            when reached.first_mql_date <= outcomes.first_won_date then reached.first_mql_date
            else outcomes.created_date
        end as cycle_start_date
    from reached
    inner join outcomes
        on reached.contact_id = outcomes.contact_id
    inner join models
        on reached.model_id = models.model_id
        and reached.model_version = models.model_version
    where reached.is_member

),

final as (

    select
        -- ids
        with_cycle.contact_id,
        with_cycle.model_id,
        with_cycle.model_version,
        with_cycle.is_active_version,

        -- cohort
        with_cycle.cohort_month,
        with_cycle.channel,

        -- score
        bands.band as best_band,
        with_cycle.best_band_rank,
        with_cycle.furthest_stage_rank,
        with_cycle.first_mql_date,
        with_cycle.first_mql_date is not null as is_mql,

        -- outcome
        with_cycle.is_dispositioned,
        with_cycle.is_accepted,
        with_cycle.has_opportunity,
        with_cycle.is_customer,
        with_cycle.first_won_date,
        with_cycle.revenue,
        with_cycle.cycle_start_date,
        case
            when with_cycle.is_customer
                then {{ dbt.datediff(
                    'with_cycle.cycle_start_date', 'with_cycle.first_won_date', 'day'
                ) }}
        end as cycle_days,

        -- what the days before settled_before reached: the next run starts from it
        bounds.window_start as settled_before,
        with_cycle.is_settled_member,
        with_cycle.settled_band_rank,
        with_cycle.settled_stage_rank,
        with_cycle.settled_first_mql_date

    from with_cycle
    cross join bounds
    left join bands
        on with_cycle.model_id = bands.model_id
        and with_cycle.model_version = bands.model_version
        and with_cycle.best_band_rank = bands.band_rank

)

select * from final
