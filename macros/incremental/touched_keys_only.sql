{#-
    Whether this run of an incremental model stored by day (strategy replace_window) may
    recompute only the leads something touched, and keep every other lead's stored rows
    of the window as they are (models with config touched_key). True on an incremental
    run with a window (history_window_start()) and a score_date var, as every daily run
    and backfill passes. Spark (plain Parquet) replaces whole days of the window, so
    there every lead of the window is recomputed.
    identifier: for a step of the model in a model of its own (ephemeral), the stored
    model's name (see incremental_window_start).
-#}
{% macro touched_keys_only(identifier=none) -%}
    {{ return(adapter.dispatch('touched_keys_only', 'leadscore')(identifier)) }}
{%- endmacro %}

{% macro default__touched_keys_only(identifier=none) -%}
    {%- if identifier is none -%}
        {%- set windowed = is_incremental() and history_window_start() is not none -%}
    {%- else -%}
        {%- set windowed = leadscore.incremental_window_start(identifier) is not none -%}
    {%- endif -%}
    {{ return(windowed and var('score_date', none) is not none) }}
{%- endmacro %}

{% macro spark__touched_keys_only(identifier=none) -%}
    {{ return(false) }}
{%- endmacro %}
