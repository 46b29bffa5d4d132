{#- Custom schemas are used as written (staging, intermediate, marts, rules), not
    prefixed with the target schema: BI users read `marts.lead_scores`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
