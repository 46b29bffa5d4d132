{#- True when text matches the regular expression pattern (both column expressions). -#}
{% macro regexp_like(text, pattern) -%}
    {{ return(adapter.dispatch('regexp_like', 'leadscore')(text, pattern)) }}
{%- endmacro %}

{% macro default__regexp_like(text, pattern) -%}
    regexp_like({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro duckdb__regexp_like(text, pattern) -%}
    regexp_matches({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regexp_like(text, pattern) -%}
    ({{ text }} rlike {{ pattern }})
{%- endmacro %}
