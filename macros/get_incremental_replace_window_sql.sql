{#-
    Incremental strategy `replace_window`: delete the target rows the run recomputes, then
    insert the new rows, in one transaction. The rows recomputed are those whose
    `window_column` (a model config) is on or after history_window_start(), or all rows
    when that is none (a full recompute). Unlike delete+insert it needs no unique key, so
    a row that no longer exists after a correction is removed too.
-#}
{% macro get_incremental_replace_window_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set window_start = history_window_start() -%}
    {%- set columns = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    delete from {{ target }}
    {%- if window_start %}
    where {{ config.require('window_column') }} >= cast('{{ window_start }}' as date)
    {%- endif %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{% endmacro %}
