{#- The expression as a double, or null where it is not a number (never an error). -#}
{% macro to_number(expression) -%}
    {{ return(adapter.dispatch('to_number', 'leadscore')(expression)) }}
{%- endmacro %}

{% macro default__to_number(expression) -%}
    try_cast({{ expression }} as {{ dbt.type_float() }})
{%- endmacro %}
