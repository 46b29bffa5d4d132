-- The reference scorer: every lead's score under every model version as of the end of one
-- day, written from docs/rules.md and docs/landing-contract.md alone, straight from the raw
-- landed tables (schema raw) and the rule seeds (schema rules), never from a dbt model. It
-- is the test oracle of the dbt scoring models: two implementations that agree are the
-- best evidence either is right.
--
-- Parameters: $as_of (date: the score date, scores as of the end of that UTC day) and
-- $all_versions (boolean: false = the active versions only, as lead_scores; true = every
-- version, as lead_score_history).
--
-- "As of" D: the profile rows updated by the end of D, the events that occurred by then,
-- the dispositions decided by then; every event and disposition counts from its own day,
-- as a full rebuild dates them (the docs date one landed later than a run's lookback on
-- the first day of the run that saw it, which depends on the run history, not on the
-- landed rows: this reference gives the full-rebuild answer).
--
-- One set-based query: the only step that is sequential by nature, caps (an event counts
-- only if the events that counted before it in the trailing window leave room), folds
-- each lead's events of a capped rule in one list_reduce.

with

params as (
    select
        cast($as_of as date) as as_of,
        cast($all_versions as boolean) as all_versions
),

models as (
    select m.*
    from rules.scoring_models as m
    where m.is_active or (select p.all_versions from params as p)
),

-- profiles: the latest row of each contact and company updated by the end of the day
contacts as (
    select
        c.contact_id,
        c.company_id,
        c.seniority,
        c.job_title,
        c.country,
        c.lead_source,
        c.attributes,
        cast(c.created_at as date) as created_day,
        nullif(regexp_extract(c.email, '@([^@]*)$', 1), '') as email_domain
    from raw.contacts as c
    where cast(c.updated_at as date) <= (select p.as_of from params as p)
    qualify row_number() over (partition by c.contact_id order by c.updated_at desc) = 1
),

companies as (
    select co.*
    from raw.companies as co
    where cast(co.updated_at as date) <= (select p.as_of from params as p)
    qualify row_number() over (partition by co.company_id order by co.updated_at desc) = 1
),

profiles as (
    select
        c.*,
        dl.list_name as email_domain_list,
        co.industry as company_industry,
        cast(co.employee_count as varchar) as company_employee_count,
        cast(co.annual_revenue as varchar) as company_annual_revenue,
        co.country as company_country,
        co.domain as company_domain,
        co.attributes as company_attributes
    from contacts as c
    left join companies as co
        on c.company_id = co.company_id
    left join rules.email_domain_lists as dl
        on lower(c.email_domain) = lower(dl.domain)
),

-- segment conditions and fit rules: conditions on the profile
profile_conditions as (
    select
        s.model_id,
        s.model_version,
        'segment' as kind,
        s.condition_id as rule_id,
        s.field,
        s.operator,
        s.value,
        s.value_to,
        cast(null as double) as points,
        cast(null as varchar) as component
    from rules.segment_conditions as s
    union all
    select
        f.model_id,
        f.model_version,
        'fit' as kind,
        f.rule_id,
        f.field,
        f.operator,
        f.value,
        f.value_to,
        f.points,
        f.component
    from rules.fit_rules as f
),

profile_values as (
    select
        p.contact_id,
        r.*,
        case
            when r.field = 'contact.seniority' then p.seniority
            when r.field = 'contact.job_title' then p.job_title
            when r.field = 'contact.country' then p.country
            when r.field = 'contact.lead_source' then p.lead_source
            when r.field = 'contact.email_domain' then p.email_domain
            when r.field = 'contact.email_domain_list' then p.email_domain_list
            when r.field = 'company.industry' then p.company_industry
            when r.field = 'company.employee_count' then p.company_employee_count
            when r.field = 'company.annual_revenue' then p.company_annual_revenue
            when r.field = 'company.country' then p.company_country
            when r.field = 'company.domain' then p.company_domain
            when starts_with(r.field, 'contact.attributes.')
                then json_extract_string(
                    p.attributes,
                    '/' || replace(replace(r.field[20:], '~', '~0'), '/', '~1')
                )
            when starts_with(r.field, 'company.attributes.')
                then json_extract_string(
                    p.company_attributes,
                    '/' || replace(replace(r.field[20:], '~', '~0'), '/', '~1')
                )
        end as v
    from profiles as p
    cross join profile_conditions as r
    where (r.model_id, r.model_version) in (select (m.model_id, m.model_version) from models as m)
),

profile_tests as (
    select
        *,
        -- docs/rules.md, Operators: text ignores case; a missing value matches only is_missing
        case
            when operator = 'is_missing' then v is null
            when operator = 'is_present' then v is not null
            when v is null then false
            when operator = 'equals' then lower(v) = lower(value)
            when operator = 'not_equals' then lower(v) != lower(value)
            when operator = 'in' then list_contains(string_split(lower(value), '|'), lower(v))
            when operator = 'not_in'
                then not list_contains(string_split(lower(value), '|'), lower(v))
            when operator = 'between'
                then coalesce(
                    try_cast(v as double) between cast(value as double)
                    and cast(value_to as double),
                    false
                )
            when operator = 'at_least'
                then coalesce(try_cast(v as double) >= cast(value as double), false)
            when operator = 'at_most'
                then coalesce(try_cast(v as double) <= cast(value as double), false)
            when operator = 'contains' then contains(lower(v), lower(value))
            when operator = 'starts_with' then starts_with(lower(v), lower(value))
            when operator = 'pattern' then regexp_matches(v, value)
            else false
        end as holds
    from profile_values
),

segments as (
    select
        contact_id,
        model_id,
        model_version,
        bool_and(holds) as is_in_segment
    from profile_tests
    where kind = 'segment'
    group by all
),

fit_points as (
    select
        contact_id,
        model_id,
        model_version,
        coalesce(sum(points) filter (where holds and component = 'fit'), 0) as fit_points,
        coalesce(sum(points) filter (where holds and component = 'negative'), 0)
            as negative_fit_points
    from profile_tests
    where kind = 'fit'
    group by all
),

-- dispositions: the row with the disposition and reason, else with a blank reason
dispositions as (
    select
        d.contact_id,
        lower(d.disposition) as disposition,
        lower(d.reason) as reason,
        d.decided_at,
        cast(d.decided_at as date) as decided_day
    from raw.lead_dispositions as d
    where cast(d.decided_at as date) <= (select p.as_of from params as p)
),

disposition_actions as (
    select
        d.*,
        m.model_id,
        m.model_version,
        coalesce(exact.action, generic.action, 'none') as action,
        case when exact.rule_id is not null then exact.points else generic.points end as points
    from dispositions as d
    cross join models as m
    left join rules.disposition_rules as exact
        on
            m.model_id = exact.model_id
            and m.model_version = exact.model_version
            and d.disposition = lower(exact.disposition)
            and d.reason = lower(exact.reason)
    left join rules.disposition_rules as generic
        on
            m.model_id = generic.model_id
            and m.model_version = generic.model_version
            and d.disposition = lower(generic.disposition)
            and coalesce(generic.reason, '') = ''
),

fit_adjustments as (
    select
        contact_id,
        model_id,
        model_version,
        case when action = 'fit_adjustment' then points else 0 end as adjustment_points
    from disposition_actions
    qualify
        row_number() over (
            partition by contact_id, model_id, model_version order by decided_at desc
        ) = 1
),

engagement_resets as (
    select
        contact_id,
        model_id,
        model_version,
        max(decided_day) as reset_day
    from disposition_actions
    where action = 'engagement_reset'
    group by all
),

-- events that occurred by the end of the day
events as (
    select
        e.event_id,
        e.contact_id,
        lower(e.event_type) as event_type,
        e.occurred_at,
        cast(e.occurred_at as date) as event_day,
        e.properties
    from raw.events as e
    where cast(e.occurred_at as date) <= (select p.as_of from params as p)
),

-- engagement rules with their decay (a blank column takes the model's)
engagement_rules as (
    select
        r.model_id,
        r.model_version,
        r.rule_id,
        lower(r.event_type) as event_type,
        nullif(r.property, '') as property,
        r.operator,
        r.value,
        r.points,
        r.component,
        r.max_occurrences,
        r.max_points,
        coalesce(r.decay_method, m.decay_method) as decay_method,
        coalesce(r.decay_full_days, m.decay_full_days, 0) as decay_full_days,
        coalesce(r.decay_half_life_days, m.decay_half_life_days) as decay_half_life_days,
        coalesce(r.decay_percent, m.decay_percent) as decay_percent,
        coalesce(r.decay_period_days, m.decay_period_days) as decay_period_days,
        coalesce(r.decay_window_days, m.decay_window_days) as decay_window_days,
        coalesce(r.cap_window_days, r.decay_window_days, m.decay_window_days) as cap_window_days
    from rules.engagement_rules as r
    inner join models as m
        on
            r.model_id = m.model_id
            and r.model_version = m.model_version
),

-- aggregate rules, one row per rule (its bins are joined at the end)
aggregate_rules as (
    select distinct
        a.model_id,
        a.model_version,
        a.rule_id,
        a.measure,
        nullif(lower(a.event_type), '') as event_type,
        nullif(a.property, '') as property,
        a.operator,
        a.value,
        a.sum_property,
        a.window_days,
        a.component
    from rules.aggregate_rules as a
    inner join models as m
        on
            a.model_id = m.model_id
            and a.model_version = m.model_version
),

-- property filters: each is tested once per distinct value of its property, not once per
-- event (an aggregate rule without an event type filters every event type)
filters as (
    select distinct
        event_type,
        property,
        operator,
        value
    from engagement_rules
    where property is not null
    union
    select distinct
        event_type,
        property,
        operator,
        value
    from aggregate_rules
    where property is not null
),

event_property_values as (
    select distinct
        e.event_id,
        e.event_type,
        f.property,
        json_extract_string(
            e.properties, '/' || replace(replace(f.property, '~', '~0'), '/', '~1')
        ) as v
    from events as e
    inner join (select distinct f.event_type, f.property from filters as f) as f
        on f.event_type is null or e.event_type = f.event_type
),

filter_values as (
    select distinct
        event_type,
        property,
        v
    from event_property_values
),

-- materialized: tested on the distinct values, before any join with the events
filter_matches as materialized (
    select
        f.event_type as filter_event_type,
        f.property,
        f.operator,
        f.value,
        fv.event_type,
        fv.v
    from filters as f
    inner join filter_values as fv
        on
            f.property = fv.property
            and (f.event_type is null or f.event_type = fv.event_type)
    where
        -- docs/rules.md, Operators: text ignores case; a missing value matches only is_missing
        case
            when f.operator = 'is_missing' then fv.v is null
            when f.operator = 'is_present' then fv.v is not null
            when fv.v is null then false
            when f.operator = 'equals' then lower(fv.v) = lower(f.value)
            when f.operator = 'not_equals' then lower(fv.v) != lower(f.value)
            when f.operator = 'in'
                then list_contains(string_split(lower(f.value), '|'), lower(fv.v))
            when f.operator = 'not_in'
                then not list_contains(string_split(lower(f.value), '|'), lower(fv.v))
            when f.operator = 'at_least'
                then coalesce(try_cast(fv.v as double) >= cast(f.value as double), false)
            when f.operator = 'at_most'
                then coalesce(try_cast(fv.v as double) <= cast(f.value as double), false)
            when f.operator = 'contains' then contains(lower(fv.v), lower(f.value))
            when f.operator = 'starts_with' then starts_with(lower(fv.v), lower(f.value))
            when f.operator = 'pattern' then regexp_matches(fv.v, f.value)
            else false
        end
),

-- the events each filter matches
filtered_events as (
    select
        fm.filter_event_type,
        fm.property,
        fm.operator,
        fm.value,
        ep.event_id
    from filter_matches as fm
    inner join event_property_values as ep
        on
            fm.event_type = ep.event_type
            and fm.property = ep.property
            -- equality joins (a missing value is its own key): is not distinct from would
            -- not be a hash join
            and (fm.v is null) = (ep.v is null)
            and coalesce(fm.v, '') = coalesce(ep.v, '')
),

-- engagement rules: every event of the type, or the events its filter matches
engagement_matches as (
    select
        e.event_id,
        e.contact_id,
        e.occurred_at,
        e.event_day,
        r.* exclude (event_type)
    from events as e
    inner join engagement_rules as r
        on e.event_type = r.event_type
    where r.property is null
    union all
    select
        e.event_id,
        e.contact_id,
        e.occurred_at,
        e.event_day,
        r.* exclude (event_type)
    from engagement_rules as r
    inner join filtered_events as fe
        on
            r.event_type = fe.filter_event_type
            and r.property = fe.property
            and r.operator = fe.operator
            and coalesce(r.value, '') = coalesce(fe.value, '')
    inner join events as e
        on fe.event_id = e.event_id
),

-- Every occurrence of a rule has the same points, and caps, decay and resets go by the
-- day: from here on a lead's events of a rule are taken day by day, with how many there
-- were that day
engagement_days as (
    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        event_day,
        count(*) as events
    from engagement_matches
    group by contact_id, model_id, model_version, rule_id, event_day
),

-- caps: events of a lead and rule in the order they occurred; one counts while the events
-- that counted on its day and the cap_window_days - 1 days before number fewer than
-- max_occurrences and total (in absolute value) less than max_points, and then counts what
-- is left of max_points, up to its points. What a day's events count depends only on how
-- many there are: the fold goes day by day, keeps the days that counted, and looks back at
-- the last few of them only (no window holds more than the cap lets count).
capped_lists as (
    select
        d.contact_id,
        d.model_id,
        d.model_version,
        d.rule_id,
        any_value(abs(r.points)) as unit,
        any_value(r.max_occurrences) as max_occurrences,
        any_value(r.max_points) as max_points,
        any_value(r.cap_window_days) as cap_window_days,
        any_value(
            least(r.max_occurrences, ceil(r.max_points / nullif(abs(r.points), 0))) + 1
        ) as look_back,
        list({'event_day': d.event_day, 'events': d.events} order by d.event_day) as rule_days
    from engagement_days as d
    inner join engagement_rules as r
        on
            d.model_id = r.model_id
            and d.model_version = r.model_version
            and d.rule_id = r.rule_id
    where r.max_occurrences is not null or r.max_points is not null
    group by d.contact_id, d.model_id, d.model_version, d.rule_id
),

-- acc: the days that counted, with how many events and points; w: those in the window
-- ending on day x; r: the room day x has (a list of one, to name a value)
capped_folds as (
    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        unnest(
            list_reduce(
                rule_days,
                lambda acc, x: list_transform(
                    [
                        list_filter(
                            list_slice(acc, -look_back, -1),
                            lambda a: a.event_day > x.event_day - cap_window_days
                        )
                    ],
                    lambda w: list_transform(
                        [
                            {
                                'occurrences': case
                                    when max_occurrences is null then x.events
                                    else least(
                                        x.events,
                                        max_occurrences
                                        - coalesce(list_sum(list_transform(w, lambda a: a.events)), 0)
                                    )
                                end,
                                'points': max_points
                                - coalesce(list_sum(list_transform(w, lambda a: a.points)), 0)
                            }
                        ],
                        lambda r: case
                            when r.occurrences <= 0 or r.points <= 0 then acc
                            else list_append(
                                acc,
                                {
                                    'event_day': x.event_day,
                                    'events': cast(
                                        case
                                            when max_points is null or unit = 0 then r.occurrences
                                            else least(r.occurrences, ceil(r.points / unit))
                                        end as bigint
                                    ),
                                    'points': case
                                        when max_points is null then r.occurrences * unit
                                        else least(r.occurrences * unit, r.points)
                                    end
                                }
                            )
                        end
                    )[1]
                )[1],
                cast([] as struct (event_day date, events bigint, points double) [])
            )
        ) as counted
    from capped_lists
),

-- per day: the events that counted and their points before decay (the first events of
-- the day count in full, the last of them maybe in part)
counted_days as (
    select
        d.contact_id,
        d.model_id,
        d.model_version,
        d.rule_id,
        d.event_day,
        d.events,
        r.component,
        sign(r.points) as sign,
        abs(r.points) as unit,
        case
            when r.max_occurrences is null and r.max_points is null then d.events
            else coalesce(c.counted.events, 0)
        end as counted_events,
        case
            when r.max_occurrences is null and r.max_points is null then d.events * abs(r.points)
            else coalesce(c.counted.points, 0)
        end as counted_points,
        r.decay_method,
        r.decay_full_days,
        r.decay_half_life_days,
        r.decay_percent,
        r.decay_period_days,
        r.decay_window_days
    from engagement_days as d
    inner join engagement_rules as r
        on
            d.model_id = r.model_id
            and d.model_version = r.model_version
            and d.rule_id = r.rule_id
    left join capped_folds as c
        on
            d.contact_id = c.contact_id
            and d.model_id = c.model_id
            and d.model_version = c.model_version
            and d.rule_id = c.rule_id
            and d.event_day = c.counted.event_day
),

-- decay: full while younger than decay_full_days, then one step per decay_period_days,
-- nothing from decay_window_days on
decay_factors as (
    select
        *,
        case
            when age >= decay_window_days then 0
            when decay_method = 'none' or age < decay_full_days then 1
            when decay_method = 'percent' then pow(1 - decay_percent / 100, steps)
            when decay_method = 'half_life'
                then pow(0.5, steps * decay_period_days / decay_half_life_days)
            else 1
        end as factor,
        -- the last counted event of the day counted in part
        counted_points < counted_events * unit as has_part
    from (
        select
            *,
            (select p.as_of from params as p) - event_day as age,
            floor(
                ((select p.as_of from params as p) - event_day - decay_full_days)
                / decay_period_days
            ) + 1 as steps
        from counted_days
    )
),

-- each event's points rounded to cents, as the score rounds them (docs/bi.md); an
-- engagement reset drops the engagement points of the events before its day
decayed_days as (
    select
        f.contact_id,
        f.model_id,
        f.model_version,
        f.component,
        f.events,
        f.counted_events,
        f.has_part,
        f.factor,
        f.sign * (
            (f.counted_events - cast(f.has_part as integer)) * round(f.unit * f.factor, 2)
            + case
                when f.has_part
                    then round((f.counted_points - (f.counted_events - 1) * f.unit) * f.factor, 2)
                else 0
            end
        ) as points,
        f.component = 'engagement' and coalesce(f.event_day < r.reset_day, false) as is_reset
    from decay_factors as f
    left join engagement_resets as r
        on
            f.contact_id = r.contact_id
            and f.model_id = r.model_id
            and f.model_version = r.model_version
),

event_points as (
    select
        contact_id,
        model_id,
        model_version,
        coalesce(sum(points) filter (where component = 'engagement' and not is_reset), 0)
            as engagement_points,
        coalesce(sum(points) filter (where component = 'negative'), 0) as negative_points,
        -- events a cap left without their full points, events decay reduced, events a
        -- reset dropped
        sum(events - counted_events + cast(has_part as integer)) as capped_events,
        sum(counted_events) filter (where points != 0 and factor < 1) as decayed_events,
        sum(counted_events) filter (where points != 0 and is_reset) as reset_events
    from decayed_days
    group by all
),

-- aggregate rules: a measure over a trailing window, points by bin
aggregate_matches as (
    select
        e.event_id,
        e.contact_id,
        e.event_day,
        e.properties,
        r.* exclude (event_type)
    from events as e
    inner join aggregate_rules as r
        on r.event_type is null or e.event_type = r.event_type
    where r.property is null
    union all
    select
        e.event_id,
        e.contact_id,
        e.event_day,
        e.properties,
        r.* exclude (event_type)
    from aggregate_rules as r
    inner join filtered_events as fe
        on
            coalesce(r.event_type, '') = coalesce(fe.filter_event_type, '')
            and r.property = fe.property
            and r.operator = fe.operator
            and coalesce(r.value, '') = coalesce(fe.value, '')
    inner join events as e
        on fe.event_id = e.event_id
),

aggregate_measures as (
    select
        contact_id,
        model_id,
        model_version,
        rule_id,
        case measure
            when 'count' then count(*)
            when 'sum'
                then sum(
                    coalesce(
                        try_cast(
                            json_extract_string(
                                properties,
                                '/' || replace(replace(sum_property, '~', '~0'), '/', '~1')
                            ) as double
                        ),
                        0
                    )
                )
            when 'active_days' then count(distinct event_day)
            when 'days_since' then (select p.as_of from params as p) - max(event_day)
        end as measured
    from aggregate_matches
    where
        measure = 'days_since'
        or event_day > (select p.as_of from params as p) - window_days
    group by contact_id, model_id, model_version, rule_id, measure, sum_property
),

aggregate_points as (
    select
        v.contact_id,
        v.model_id,
        v.model_version,
        coalesce(sum(b.points) filter (where b.component = 'engagement'), 0)
            as engagement_points,
        coalesce(sum(b.points) filter (where b.component = 'negative'), 0) as negative_points
    from aggregate_measures as v
    inner join rules.aggregate_rules as b
        on
            v.model_id = b.model_id
            and v.model_version = b.model_version
            and v.rule_id = b.rule_id
            and v.measured >= b.min_value
            and (b.max_value is null or v.measured < b.max_value)
    group by all
),

-- inactivity: no event at all for inactive_days days (counted from creation without one)
last_events as (
    select
        contact_id,
        max(event_day) as last_event_day
    from events
    group by all
),

-- every contact with a profile, under every model version
leads as (
    select
        p.contact_id,
        p.created_day,
        le.last_event_day,
        m.model_id,
        m.model_version,
        m.is_active,
        m.mql_threshold,
        m.min_score,
        m.max_score
    from profiles as p
    cross join models as m
    left join last_events as le
        on p.contact_id = le.contact_id
),

inactivity_points as (
    select
        l.contact_id,
        l.model_id,
        l.model_version,
        sum(i.points) as negative_points
    from leads as l
    inner join rules.inactivity_rules as i
        on
            l.model_id = i.model_id
            and l.model_version = i.model_version
            and (select p.as_of from params as p) - coalesce(l.last_event_day, l.created_day)
            >= i.inactive_days
    group by all
),

scored as (
    select
        l.contact_id,
        l.model_id,
        l.model_version,
        l.is_active,
        l.mql_threshold,
        coalesce(s.is_in_segment, true) as is_in_segment,
        round(coalesce(f.fit_points, 0) + coalesce(fa.adjustment_points, 0), 2) as fit_score,
        round(coalesce(ep.engagement_points, 0) + coalesce(ap.engagement_points, 0), 2)
            as engagement_score,
        round(
            coalesce(f.negative_fit_points, 0)
            + coalesce(ep.negative_points, 0)
            + coalesce(ap.negative_points, 0)
            + coalesce(ip.negative_points, 0),
            2
        ) as negative_score,
        l.min_score,
        l.max_score,
        -- what the test counts, so that agreement is not vacuous
        coalesce(ep.capped_events, 0) as capped_events,
        coalesce(ep.decayed_events, 0) as decayed_events,
        coalesce(ep.reset_events, 0) as reset_events,
        coalesce(ip.negative_points, 0) != 0 as is_inactive,
        coalesce(ap.engagement_points, 0) + coalesce(ap.negative_points, 0) != 0
            as has_aggregate_points,
        coalesce(fa.adjustment_points, 0) != 0 as has_fit_adjustment,
        r.reset_day
    from leads as l
    left join segments as s
        on
            l.contact_id = s.contact_id
            and l.model_id = s.model_id
            and l.model_version = s.model_version
    left join fit_points as f
        on
            l.contact_id = f.contact_id
            and l.model_id = f.model_id
            and l.model_version = f.model_version
    left join fit_adjustments as fa
        on
            l.contact_id = fa.contact_id
            and l.model_id = fa.model_id
            and l.model_version = fa.model_version
    left join event_points as ep
        on
            l.contact_id = ep.contact_id
            and l.model_id = ep.model_id
            and l.model_version = ep.model_version
    left join aggregate_points as ap
        on
            l.contact_id = ap.contact_id
            and l.model_id = ap.model_id
            and l.model_version = ap.model_version
    left join inactivity_points as ip
        on
            l.contact_id = ip.contact_id
            and l.model_id = ip.model_id
            and l.model_version = ip.model_version
    left join engagement_resets as r
        on
            l.contact_id = r.contact_id
            and l.model_id = r.model_id
            and l.model_version = r.model_version
),

totals as (
    select
        *,
        fit_score + engagement_score + negative_score as unbounded_score,
        greatest(min_score, least(max_score, fit_score + engagement_score + negative_score))
            as total_score
    from scored
),

final as (
    select
        -- ids
        t.contact_id,
        t.model_id,
        t.model_version,
        t.is_active,
        t.is_in_segment,
        -- points: null outside the model's segment (the model does not score the lead)
        cast(case when t.is_in_segment then t.fit_score end as decimal(18, 2)) as fit_score,
        cast(case when t.is_in_segment then t.engagement_score end as decimal(18, 2))
            as engagement_score,
        cast(case when t.is_in_segment then t.negative_score end as decimal(18, 2))
            as negative_score,
        cast(case when t.is_in_segment then t.total_score end as decimal(18, 2)) as total_score,
        -- labels
        (
            select arg_max(b.band, b.band_rank)
            from rules.score_bands as b
            where
                t.is_in_segment
                and b.model_id = t.model_id
                and b.model_version = t.model_version
                and b.min_score <= t.total_score
        ) as band,
        t.is_in_segment and t.total_score >= t.mql_threshold as is_mql,
        -- what the test counts
        t.unbounded_score != t.total_score as is_clamped,
        t.capped_events,
        t.decayed_events,
        t.reset_events,
        t.is_inactive,
        t.has_aggregate_points,
        t.has_fit_adjustment,
        t.reset_day
    from totals as t
)

select * from final
order by contact_id, model_id, model_version
