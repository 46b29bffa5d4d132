-- The account rules that hold, as intervals (valid from the start of valid_from to the
-- start of valid_to; 9999-12-31 while open), with their points: fit while any contact's
-- profile meets the rule (the company's fields as it knows them) and the account has a
-- contact in the segment; committee while at least min_contacts (blank: 1) engaged
-- contacts meet the rule's contact condition; breadth while at least min_contacts
-- contacts are engaged. The contacts meeting each rule are counted by a sweep over the
-- contact pieces, as int_account_contacts_counted counts contacts.
--
-- Rebuilt on every run for the window of the incremental int_account_score_changes (an
-- interval that began before the window starts on its first day); every day in a full
-- recompute.
{%- set window_start = leadscore.incremental_window_start('int_account_score_changes') %}

with

pieces as (

    select * from {{ ref('int_account_contact_intervals') }}
    {%- if window_start %}
    where valid_to >= cast('{{ window_start }}' as date)
    {%- endif %}

),

counts as (

    select * from {{ ref('int_account_contacts_counted') }}

),

rules_matched as (

    select * from {{ ref('int_account_rules_matched') }}

),

account_rules as (

    select * from {{ ref('account_rules') }}

),

-- the pieces that count for a fit rule (any contact) or a committee rule (engaged ones)
rule_pieces as (

    select
        pieces.company_id,
        pieces.model_id,
        pieces.model_version,
        rules_matched.rule_id,
        {{ leadscore.clamp_to_window('pieces.valid_from', window_start) }} as valid_from,
        pieces.valid_to
    from pieces
    inner join rules_matched
        on pieces.contact_id = rules_matched.contact_id
        and pieces.profile_valid_from = rules_matched.valid_from
        and pieces.model_id = rules_matched.model_id
        and pieces.model_version = rules_matched.model_version
    where rules_matched.rule_type = 'fit' or pieces.is_engaged

),

rule_deltas as (

    select
        company_id,
        model_id,
        model_version,
        rule_id,
        valid_from as change_date,
        1 as contacts_delta
    from rule_pieces

    union all

    select
        company_id,
        model_id,
        model_version,
        rule_id,
        valid_to as change_date,
        -1 as contacts_delta
    from rule_pieces
    where valid_to < cast('9999-12-31' as date)

),

rule_daily as (

    select
        company_id,
        model_id,
        model_version,
        rule_id,
        change_date,
        sum(contacts_delta) as contacts_delta
    from rule_deltas
    group by company_id, model_id, model_version, rule_id, change_date

),

rule_counts as (

    select
        rule_daily.*,
        sum(rule_daily.contacts_delta) over (
            partition by
                rule_daily.company_id,
                rule_daily.model_id,
                rule_daily.model_version,
                rule_daily.rule_id
            order by rule_daily.change_date
            rows between unbounded preceding and current row
        ) as matching_contacts
    from rule_daily

),

-- whether each rule holds from each day its count may change; a fit rule holds so far
-- as its contacts go (the account must also be in the segment, see fit_points)
rule_states as (

    select
        rule_counts.company_id,
        rule_counts.model_id,
        rule_counts.model_version,
        account_rules.rule_id,
        account_rules.rule_type,
        account_rules.points,
        rule_counts.change_date,
        rule_counts.matching_contacts >= coalesce(account_rules.min_contacts, 1) as holds
    from rule_counts
    inner join account_rules
        on rule_counts.model_id = account_rules.model_id
        and rule_counts.model_version = account_rules.model_version
        and rule_counts.rule_id = account_rules.rule_id
    where account_rules.rule_type in ('fit', 'committee')

    union all

    select
        counts.company_id,
        counts.model_id,
        counts.model_version,
        account_rules.rule_id,
        account_rules.rule_type,
        account_rules.points,
        counts.valid_from as change_date,
        counts.segment_contacts > 0
        and counts.engaged_contacts >= account_rules.min_contacts as holds
    from counts
    inner join account_rules
        on counts.model_id = account_rules.model_id
        and counts.model_version = account_rules.model_version
    where account_rules.rule_type = 'breadth'

),

rule_turns as (

    select
        rule_states.*,
        lag(rule_states.holds) over (
            partition by
                rule_states.company_id,
                rule_states.model_id,
                rule_states.model_version,
                rule_states.rule_id
            order by rule_states.change_date
        ) as held_before
    from rule_states

),

rule_runs as (

    select
        company_id,
        model_id,
        model_version,
        rule_id,
        rule_type,
        points,
        holds,
        change_date as valid_from,
        cast(coalesce(
            lead(change_date) over (
                partition by company_id, model_id, model_version, rule_id
                order by change_date
            ),
            cast('9999-12-31' as date)
        ) as date) as valid_to
    from rule_turns
    where holds is distinct from coalesce(held_before, false)

),

-- the spans during which the account has a contact in the segment
segment_turns as (

    select
        company_id,
        model_id,
        model_version,
        valid_from,
        segment_contacts > 0 as is_in_segment,
        lag(segment_contacts > 0) over (
            partition by company_id, model_id, model_version order by valid_from
        ) as was_in_segment
    from counts

),

segment_runs as (

    select
        company_id,
        model_id,
        model_version,
        is_in_segment,
        valid_from,
        cast(coalesce(
            lead(valid_from)
                over (partition by company_id, model_id, model_version order by valid_from),
            cast('9999-12-31' as date)
        ) as date) as valid_to
    from segment_turns
    where is_in_segment is distinct from coalesce(was_in_segment, false)

),

fit_points as (

    select
        rule_runs.company_id,
        rule_runs.model_id,
        rule_runs.model_version,
        rule_runs.rule_id,
        rule_runs.rule_type,
        rule_runs.points,
        greatest(rule_runs.valid_from, segment_runs.valid_from) as valid_from,
        least(rule_runs.valid_to, segment_runs.valid_to) as valid_to
    from rule_runs
    inner join segment_runs
        on rule_runs.company_id = segment_runs.company_id
        and rule_runs.model_id = segment_runs.model_id
        and rule_runs.model_version = segment_runs.model_version
        and rule_runs.valid_from < segment_runs.valid_to
        and rule_runs.valid_to > segment_runs.valid_from
    where
        rule_runs.rule_type = 'fit'
        and rule_runs.holds
        and segment_runs.is_in_segment

),

final as (

    select
        -- ids
        company_id,
        model_id,
        model_version,
        rule_id,

        -- validity
        valid_from,
        valid_to,

        -- points
        rule_type,
        cast(points as decimal(18, 2)) as points

    from fit_points

    union all

    select
        company_id,
        model_id,
        model_version,
        rule_id,
        valid_from,
        valid_to,
        rule_type,
        cast(points as decimal(18, 2)) as points
    from rule_runs
    where rule_type <> 'fit' and holds

)

select * from final
