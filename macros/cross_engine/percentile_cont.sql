{#- The continuous percentile (linear interpolation) of a numeric expression, as an
    aggregate: fraction 0.5 is the median, 0.9 the 90th percentile. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'leadscore')(expression, fraction)) }}
{%- endmacro %}

{#- The SQL standard ordered-set aggregate: DuckDB, Postgres, Spark 3.3+. -#}
{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}
