{#-
    Whether this run may rebuild the per-contact profile models (int_contact_profiles_versioned
    and the models derived from it contact by contact) for the contacts of
    int_contacts_touched only, keeping every other contact's stored rows: on DuckDB, in a
    run with a window (history_window_start(): no unseen model version, no --full-refresh)
    and a score_date var, as every daily run and backfill passes, once the profiles are
    stored with the loaded_at their watermark comes from. Spark rebuilds them in full.
-#}
{% macro profiles_touched_only() -%}
    {{ return(adapter.dispatch('profiles_touched_only', 'leadscore')()) }}
{%- endmacro %}

{% macro default__profiles_touched_only() -%}
    {%- if not execute or var('score_date', none) is none or history_window_start() is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set stored = adapter.get_relation(
        database=target.database, schema='intermediate', identifier='int_contact_profiles_versioned'
    ) -%}
    {%- if stored is none or stored.type != 'table' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(stored) | map(attribute='name') | list -%}
    {{ return('loaded_at' in columns) }}
{%- endmacro %}

{% macro spark__profiles_touched_only() -%}
    {{ return(false) }}
{%- endmacro %}

{#-
    The materialization of the per-contact profile models: incremental with strategy
    replace_touched on DuckDB (see profiles_touched_only), a table on Spark.
-#}
{% macro profile_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}
