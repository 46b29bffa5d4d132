{#- A select-list expression that turns a list column into one row per element (the
    other columns of the row repeated). Dispatched: DuckDB unnest, Spark explode. -#}
{% macro explode_list(list_column) -%}
    {{ return(adapter.dispatch('explode_list', 'leadscore')(list_column)) }}
{%- endmacro %}

{% macro default__explode_list(list_column) -%}
    unnest({{ list_column }})
{%- endmacro %}

{% macro spark__explode_list(list_column) -%}
    explode({{ list_column }})
{%- endmacro %}
