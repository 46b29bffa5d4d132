{#- Select-list columns that turn a list of structs into one row per element and one
    column per struct field (named as the fields; the row's other columns repeated).
    Dispatched: DuckDB unnest(..., recursive := true), Spark inline. -#}
{% macro explode_structs(list_column) -%}
    {{ return(adapter.dispatch('explode_structs', 'leadscore')(list_column)) }}
{%- endmacro %}

{% macro default__explode_structs(list_column) -%}
    unnest({{ list_column }}, recursive := true)
{%- endmacro %}

{% macro spark__explode_structs(list_column) -%}
    inline({{ list_column }})
{%- endmacro %}
