{#-
    The first day a run must recompute, between history_start minus lookback_days
    (`earliest`, what the lookback allows) and history_start: the day after the last day
    a complete earlier run scored (intermediate.leadscore_run_state, see
    record_run_state), or the earliest day any raw row loaded since that run belongs to
    (an event's occurrence, a contact's or company's update, a disposition's decision),
    whichever comes first. A late row thus corrects the days it belongs to, as far back
    as the lookback reaches, and a day on which nothing late landed recomputes that day
    only. `earliest` itself without a recorded run. Spark: always `earliest`.
-#}
{% macro narrowed_window_start(history_start, earliest) -%}
    {{ return(adapter.dispatch('narrowed_window_start', 'leadscore')(history_start, earliest)) }}
{%- endmacro %}

{% macro default__narrowed_window_start(history_start, earliest) -%}
    {%- set state = adapter.get_relation(
        database=target.database, schema='intermediate', identifier='leadscore_run_state'
    ) -%}
    {%- if state is none -%}
        {{ return(earliest) }}
    {%- endif -%}
    {#- the raw tables whose late rows score history: each with the day a row belongs to #}
    {%- set belongs = [] -%}
    {%- for table, day in [
        ('events', 'occurred_at'), ('contacts', 'updated_at'),
        ('companies', 'updated_at'), ('lead_dispositions', 'decided_at'),
    ] -%}
        {%- set relation = source('raw', table) -%}
        {%- if adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) is not none -%}
            {%- do belongs.append(
                "coalesce((select cast(min(" ~ day ~ ") as date) from " ~ relation
                ~ " where _loaded_at > (select loaded_watermark from last_run)), date '9999-12-31')"
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set query -%}
        with last_run as (
            select score_date, loaded_watermark
            from {{ state }}
            order by recorded_at desc
            limit 1
        )
        select cast(least(
            (select cast(score_date + 1 as date) from last_run),
            {{ belongs | join(',\n            ') }}
        ) as varchar)
    {%- endset -%}
    {%- set due = run_query(query).columns[0].values()[0] -%}
    {%- if due is none -%}
        {{ return(earliest) }}
    {%- endif -%}
    {%- set due = modules.datetime.date.fromisoformat((due | string)[:10]) -%}
    {{ return([earliest, [history_start, due] | min] | max) }}
{%- endmacro %}

{% macro spark__narrowed_window_start(history_start, earliest) -%}
    {{ return(earliest) }}
{%- endmacro %}
