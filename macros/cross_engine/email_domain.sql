{#- The part of an email address after the last '@', or null. -#}
{% macro email_domain(column) -%}
    {{ return(adapter.dispatch('email_domain', 'leadscore')(column)) }}
{%- endmacro %}

{% macro default__email_domain(column) -%}
    nullif({{ dbt.split_part(column, "'@'", 2) }}, '')
{%- endmacro %}
