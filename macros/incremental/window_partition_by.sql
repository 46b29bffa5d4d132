{#-
    The partition_by config of the models stored by day with strategy replace_window:
    DuckDB needs no partitioning; on Spark the table is partitioned by the window column,
    so that replace_window can drop the window's days (window_incremental_strategy).
-#}
{% macro window_partition_by(column) -%}
    {{ return(adapter.dispatch('window_partition_by', 'leadscore')(column)) }}
{%- endmacro %}

{% macro default__window_partition_by(column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__window_partition_by(column) -%}
    {{ return([column]) }}
{%- endmacro %}
