{#-
    Whether this run of an incremental model stored by day (strategy replace_window) may
    recompute only the leads something touched, and keep every other lead's stored rows
    of the window as they are (models with config touched_key). True on an incremental
    run with a window (history_window_start()) and a score_date var, as every daily run
    and backfill passes. Spark (plain Parquet) replaces whole days of the window, so
    there every lead of the window is recomputed.
-#}
{% macro touched_keys_only() -%}
    {{ return(adapter.dispatch('touched_keys_only', 'leadscore')()) }}
{%- endmacro %}

{% macro default__touched_keys_only() -%}
    {{ return(
        is_incremental()
        and history_window_start() is not none
        and var('score_date', none) is not none
    ) }}
{%- endmacro %}

{% macro spark__touched_keys_only() -%}
    {{ return(false) }}
{%- endmacro %}
