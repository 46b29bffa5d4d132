{#- An aggregate: the group's rows as a list of structs with the named fields, sorted by
    the fields in the order given (the first field first). fields: a list of
    [name, expression] pairs. Dispatched: DuckDB list(... order by ...), Spark
    sort_array(collect_list(named_struct(...))), which sorts structs field by field. -#}
{% macro sorted_struct_list(fields) -%}
    {{ return(adapter.dispatch('sorted_struct_list', 'leadscore')(fields)) }}
{%- endmacro %}

{% macro default__sorted_struct_list(fields) -%}
    list(
        { {%- for name, expression in fields %}'{{ name }}': {{ expression }}{{ ', ' if not loop.last }}{% endfor -%} }
        order by {% for name, expression in fields %}{{ expression }}{{ ', ' if not loop.last }}{% endfor %}
    )
{%- endmacro %}

{% macro spark__sorted_struct_list(fields) -%}
    sort_array(collect_list(named_struct(
        {%- for name, expression in fields %}'{{ name }}', {{ expression }}{{ ', ' if not loop.last }}{% endfor -%}
    )))
{%- endmacro %}
