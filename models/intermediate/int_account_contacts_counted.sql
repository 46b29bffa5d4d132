-- How many contacts an account holds under a model version, from each day that changes
-- it: all its contacts, those in the segment and those engaged, as intervals (valid from
-- the start of valid_from to the start of valid_to; 9999-12-31 while open). A sweep over
-- the contact pieces (int_account_contact_intervals): a piece adds one from its first day
-- and takes it away on its valid_to, and the running sums are the counts, so the work
-- goes by pieces, not by contacts times days. Days whose changes cancel out are left out;
-- an account whose last contact left keeps an interval with no contacts.
--
-- Rebuilt on every run for the window of the incremental int_account_score_changes: the
-- pieces open the day before the window count from its first day, which then has a row
-- (every day from the first on in a full recompute).
{%- set window_start = leadscore.incremental_window_start('int_account_score_changes') %}

with

pieces as (

    select * from {{ ref('int_account_contact_intervals') }}
    {%- if window_start %}
    where valid_to >= cast('{{ window_start }}' as date)
    {%- endif %}

),

deltas as (

    select
        company_id,
        model_id,
        model_version,
        {{ leadscore.clamp_to_window('valid_from', window_start) }} as change_date,
        1 as contacts_delta,
        case when is_in_segment then 1 else 0 end as segment_delta,
        case when is_engaged then 1 else 0 end as engaged_delta
    from pieces

    union all

    select
        company_id,
        model_id,
        model_version,
        valid_to as change_date,
        -1 as contacts_delta,
        case when is_in_segment then -1 else 0 end as segment_delta,
        case when is_engaged then -1 else 0 end as engaged_delta
    from pieces
    where valid_to < cast('9999-12-31' as date)

),

daily as (

    select
        company_id,
        model_id,
        model_version,
        change_date,
        sum(contacts_delta) as contacts_delta,
        sum(segment_delta) as segment_delta,
        sum(engaged_delta) as engaged_delta
    from deltas
    group by company_id, model_id, model_version, change_date

),

running as (

    select
        daily.*,
        sum(daily.contacts_delta) over by_account_so_far as contacts,
        sum(daily.segment_delta) over by_account_so_far as segment_contacts,
        sum(daily.engaged_delta) over by_account_so_far as engaged_contacts
    from daily
    window by_account_so_far as (
        partition by daily.company_id, daily.model_id, daily.model_version
        order by daily.change_date
        rows between unbounded preceding and current row
    )

),

changed as (

    select * from running
    -- in a window, its first day too: the opening counts
    where (contacts_delta <> 0 or segment_delta <> 0 or engaged_delta <> 0)
    {%- if window_start %}
        or change_date = cast('{{ window_start }}' as date)
    {%- endif %}

),

final as (

    select
        -- ids
        company_id,
        model_id,
        model_version,

        -- validity
        change_date as valid_from,
        cast(coalesce(
            lead(change_date)
                over (partition by company_id, model_id, model_version order by change_date),
            cast('9999-12-31' as date)
        ) as date) as valid_to,

        -- contacts
        cast(contacts as {{ dbt.type_int() }}) as contacts,
        cast(segment_contacts as {{ dbt.type_int() }}) as segment_contacts,
        cast(engaged_contacts as {{ dbt.type_int() }}) as engaged_contacts

    from changed

)

select * from final
