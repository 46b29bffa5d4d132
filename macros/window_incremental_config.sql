{#-
    Config of the models stored by day with strategy replace_window (see
    get_incremental_replace_window_sql): the strategy name the engine's incremental
    materialization accepts, and the partitioning the strategy needs there.
    DuckDB: custom strategy `replace_window`, no partitioning.
    Spark: dbt-spark only accepts its built-in strategies: `insert_overwrite`, partitioned
    by window_column, which get_insert_overwrite_sql turns into replace_window.
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

{% macro window_partition_by(column) -%}
    {{ return(adapter.dispatch('window_partition_by', 'leadscore')(column)) }}
{%- endmacro %}

{% macro default__window_partition_by(column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__window_partition_by(column) -%}
    {{ return([column]) }}
{%- endmacro %}
