{#-
    The values of `column` in a group, sorted and joined by `delimiter` (a SQL string
    literal): the same string on every engine. (dbt.listagg's order by is not kept by
    dbt-spark, whose collect_list keeps the order rows arrive in.)
-#}
{% macro sorted_listagg(column, delimiter) -%}
    {{ return(adapter.dispatch('sorted_listagg', 'leadscore')(column, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_listagg(column, delimiter) -%}
    string_agg({{ column }}, {{ delimiter }} order by {{ column }})
{%- endmacro %}

{% macro spark__sorted_listagg(column, delimiter) -%}
    array_join(array_sort(collect_list({{ column }})), {{ delimiter }})
{%- endmacro %}
