{#-
    A `where` for data tests on history tables: in an incremental run (var history_start
    set) only the rows the run recomputed are tested, so a day's tests do not grow with
    the length of history; otherwise every row is. Rendered when the test is parsed,
    hence from vars only.
-#}
{% macro window_filter(column) -%}
    {%- if var('history_start', none) is not none -%}
        {%- set start = modules.datetime.date.fromisoformat(var('history_start') | string)
            - modules.datetime.timedelta(days=var('lookback_days', 7) | int) -%}
        {{ column }} >= cast('{{ start.isoformat() }}' as date)
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
