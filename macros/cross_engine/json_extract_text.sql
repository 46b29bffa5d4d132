{#- The value under a top-level key of a JSON object, as text (objects as JSON text).
    `key` is a column expression, so keys named in rule seeds stay data. -#}
{% macro json_extract_text(json_column, key) -%}
    {{ return(adapter.dispatch('json_extract_text', 'leadscore')(json_column, key)) }}
{%- endmacro %}

{% macro default__json_extract_text(json_column, key) -%}
    json_extract_string({{ json_column }}, '$."' || {{ key }} || '"')
{%- endmacro %}

{% macro spark__json_extract_text(json_column, key) -%}
    get_json_object({{ json_column }}, concat('$.', {{ key }}))
{%- endmacro %}
