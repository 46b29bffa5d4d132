{#-
    history_window_start() for a step of an incremental model that lives in a model of
    its own (ephemeral): the window start when the incremental model `identifier`
    (schema intermediate) runs incrementally, else none. The step's own is_incremental()
    cannot say (an ephemeral model never is); this asks what is_incremental() asks of
    the model that stores the rows: its table exists and the run is no full refresh.
-#}
{% macro incremental_window_start(identifier) -%}
    {%- if not execute or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set stored = adapter.get_relation(
        database=target.database, schema='intermediate', identifier=identifier
    ) -%}
    {%- if stored is none or stored.type != 'table' -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(history_window_start()) }}
{%- endmacro %}
