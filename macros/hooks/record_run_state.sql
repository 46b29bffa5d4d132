{#-
    on-run-end: record in intermediate.leadscore_run_state that this invocation scored the
    history up to var score_date from every raw row loaded until now (loaded_watermark),
    so that the next run's window (history_window_start, narrowed_window_start) need only
    reach back to the earliest day something loaded since then belongs to. Recorded only
    when every windowed history model was built in this invocation and succeeded: a run
    that failed, was killed (no hook runs then) or built a part of the project records
    nothing, and the next run's window reaches back the full lookback. DuckDB only.
-#}
{% macro record_run_state() -%}
    {{ return(adapter.dispatch('record_run_state', 'leadscore')()) }}
{%- endmacro %}

{% macro default__record_run_state() -%}
    {%- if not execute or var('score_date', none) is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set succeeded = [] -%}
    {%- for result in results -%}
        {%- if result.node.resource_type == 'model' and result.status == 'success' -%}
            {%- do succeeded.append(result.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set windowed = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.config.materialized == 'incremental'
            and node.config.get('window_column') -%}
            {%- do windowed.append(node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for unique_id in windowed -%}
        {%- if unique_id not in succeeded -%}
            {{ return('') }}
        {%- endif -%}
    {%- endfor -%}
    {%- if windowed | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set state = api.Relation.create(
        database=target.database, schema='intermediate', identifier='leadscore_run_state'
    ) -%}
    {#- SQL only, no query while rendering: dbt runs this outside any transaction
        (autocommit), which a query here would open and leave uncommitted -#}
    create table if not exists {{ state }} (
        score_date date,
        loaded_watermark timestamp,
        recorded_at timestamp
    );
    insert into {{ state }}
    select
        cast('{{ var("score_date") }}' as date),
        greatest(
            (select max(_loaded_at) from {{ source('raw', 'events') }}),
            (select max(_loaded_at) from {{ source('raw', 'contacts') }}),
            (select max(_loaded_at) from {{ source('raw', 'companies') }}),
            (select max(_loaded_at) from {{ source('raw', 'lead_dispositions') }})
        ),
        cast(now() as timestamp)
{%- endmacro %}

{% macro spark__record_run_state() -%}
    {{ return('') }}
{%- endmacro %}
