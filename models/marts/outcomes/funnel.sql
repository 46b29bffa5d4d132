-- Where leads stall: per model version, the leads reaching each stage of
-- lead -> MQL -> accepted by sales -> opportunity -> customer. A lead reaches a stage
-- when it reached every stage before it too (by the score date, in any order), so each
-- stage is a subset of the one before.
{%- set stages = ['lead', 'mql', 'accepted', 'opportunity', 'customer'] %}

with

leads as (

    select * from {{ ref('int_lead_version_outcomes') }}

),

reached as (

    select
        model_id,
        model_version,
        is_active_version,
        1 as reached_lead,
        case when is_mql then 1 else 0 end as reached_mql,
        case when is_mql and is_accepted then 1 else 0 end as reached_accepted,
        case when is_mql and is_accepted and has_opportunity then 1 else 0 end
            as reached_opportunity,
        case when is_mql and is_accepted and has_opportunity and is_customer then 1 else 0 end
            as reached_customer
    from leads

),

per_version as (

    select
        model_id,
        model_version,
        {%- for stage in stages %}
            sum(reached_{{ stage }}) as {{ stage }}_leads,
        {%- endfor %}
        max(is_active_version) as is_active_version
    from reached
    group by model_id, model_version

),

stages as (

    {%- for stage in stages %}
        select
            model_id,
            model_version,
            is_active_version,
            {{ loop.index }} as stage_order,
            '{{ stage }}' as stage,
            {{ stage }}_leads as leads,
            {{ stages[loop.index0 - 1] ~ '_leads' if not loop.first else 'cast(null as bigint)' }}
                as previous_stage_leads,
            {{ stages[loop.index0 + 1] ~ '_leads' if not loop.last else 'cast(null as bigint)' }}
                as next_stage_leads,
            lead_leads as first_stage_leads
        from per_version
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

rated as (

    select
        stages.*,
        cast(stages.leads as double)
        / nullif(stages.previous_stage_leads, 0) as conversion_from_previous,
        cast(stages.leads as double) / nullif(stages.first_stage_leads, 0) as conversion_from_lead,
        stages.leads - stages.next_stage_leads as stalled_leads
    from stages

),

worst as (

    select
        model_id,
        model_version,
        min(conversion_from_previous) as lowest_conversion
    from rated
    group by model_id, model_version

),

final as (

    select
        -- ids
        cast(rated.model_id as string) as model_id,
        cast(rated.model_version as integer) as model_version,
        rated.is_active_version,
        cast(rated.stage_order as integer) as stage_order,
        cast(rated.stage as string) as stage,

        -- leads
        cast(rated.leads as bigint) as leads,
        cast(rated.stalled_leads as bigint) as stalled_leads,
        cast(rated.conversion_from_previous as double) as conversion_from_previous,
        cast(rated.conversion_from_lead as double) as conversion_from_lead,
        coalesce(rated.conversion_from_previous = worst.lowest_conversion, false) as is_biggest_drop

    from rated
    inner join worst
        on rated.model_id = worst.model_id
        and rated.model_version = worst.model_version

)

select * from final
