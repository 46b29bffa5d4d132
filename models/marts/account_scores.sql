-- The contact roll-up of each company under each active model, beside the account
-- score of the score date (account rules; null where the version has no account settings
-- or no contact of the company is in the segment).
with

scores as (

    select * from {{ ref('int_lead_scores_graded') }}
    where
        is_active
        and company_id is not null

),

score_dates as (

    select * from {{ ref('int_score_dates') }}

),

account_changes as (

    select * from {{ ref('int_account_score_changes') }}

),

rule_points as (

    select * from {{ ref('int_account_rule_points') }}

),

rollup as (

    select
        -- ids
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(model_id as {{ dbt.type_string() }}) as model_id,
        cast(model_version as {{ dbt.type_int() }}) as model_version,
        max(score_date) as score_date,

        -- contacts
        cast(count(*) as {{ dbt.type_int() }}) as scored_contacts,
        cast(sum(case when engagement_score > 0 then 1 else 0 end) as {{ dbt.type_int() }})
            as engaged_contacts,
        cast(sum(case when is_mql then 1 else 0 end) as {{ dbt.type_int() }}) as mql_contacts,

        -- points
        cast(max(total_score) as decimal(18, 2)) as best_total_score,
        cast(sum(total_score) as decimal(18, 2)) as summed_total_score,
        cast(max(engagement_score) as decimal(18, 2)) as best_engagement_score,
        max(band_rank) as best_band_rank,
        max(case when is_mql then 1 else 0 end) = 1 as has_mql

    from scores
    group by company_id, model_id, model_version

),

current_accounts as (

    select account_changes.*
    from account_changes
    cross join score_dates
    where
        account_changes.valid_from <= score_dates.score_date
        and account_changes.valid_to > score_dates.score_date

),

-- the rules behind the current account score: those that hold on the score date (rules
-- can trade places at equal points, so the rules of its interval's first day are not
-- enough)
current_rules as (

    select
        rule_points.company_id,
        rule_points.model_id,
        rule_points.model_version,
        {{ leadscore.sorted_listagg('rule_points.rule_id', "', '") }}
            as account_rules_met
    from rule_points
    cross join score_dates
    where
        rule_points.valid_from <= score_dates.score_date
        and rule_points.valid_to > score_dates.score_date
    group by rule_points.company_id, rule_points.model_id, rule_points.model_version

),

final as (

    select
        -- ids
        rollup.company_id,
        rollup.model_id,
        rollup.model_version,
        rollup.score_date,

        -- contacts
        rollup.scored_contacts,
        rollup.engaged_contacts,
        rollup.mql_contacts,

        -- points
        rollup.best_total_score,
        rollup.summed_total_score,
        rollup.best_engagement_score,
        rollup.best_band_rank,
        rollup.has_mql,

        -- account rules
        cast(current_accounts.engaged_contacts as {{ dbt.type_int() }})
            as account_engaged_contacts,
        cast(current_accounts.fit_score as decimal(18, 2)) as account_fit_score,
        cast(current_accounts.breadth_score as decimal(18, 2)) as breadth_score,
        cast(current_accounts.committee_score as decimal(18, 2)) as committee_score,
        cast(current_accounts.account_score as decimal(18, 2)) as account_score,
        cast(current_accounts.mqa_threshold as decimal(18, 2)) as mqa_threshold,
        coalesce(current_accounts.is_mqa, false) as is_mqa,
        cast(current_accounts.valid_from as date) as account_score_since,
        cast(current_rules.account_rules_met as {{ dbt.type_string() }}) as account_rules_met

    from rollup
    left join current_accounts
        on rollup.company_id = current_accounts.company_id
        and rollup.model_id = current_accounts.model_id
        and rollup.model_version = current_accounts.model_version
    left join current_rules
        on rollup.company_id = current_rules.company_id
        and rollup.model_id = current_rules.model_id
        and rollup.model_version = current_rules.model_version

)

select * from final
