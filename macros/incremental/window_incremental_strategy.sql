{#-
    The incremental_strategy config of the models stored by day with strategy
    replace_window (see get_incremental_replace_window_sql): the strategy name the
    engine's incremental materialization accepts.
    DuckDB: custom strategy `replace_window`.
    Spark: dbt-spark only accepts its built-in strategies: `insert_overwrite`, which
    get_insert_overwrite_sql turns into replace_window (see window_partition_by).
-#}
{% macro window_incremental_strategy() -%}
    {{ return(adapter.dispatch('window_incremental_strategy', 'leadscore')()) }}
{%- endmacro %}

{% macro default__window_incremental_strategy() -%}
    {{ return('replace_window') }}
{%- endmacro %}

{% macro spark__window_incremental_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}
