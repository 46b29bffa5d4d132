{#-
    Incremental strategy `replace_window`: replace the target rows the run recomputes by
    the new rows. The rows recomputed are those whose `window_column` (a model config) is
    on or after history_window_start(), or all rows when that is none (a full recompute).
    Unlike delete+insert it needs no unique key, so a row that no longer exists after a
    correction is removed too; rows the run adds before the window (events that landed
    later than the lookback reaches) are added to what is stored.

    DuckDB: delete the window's rows, insert the new rows, in one transaction. A model
    with config touched_key (e.g. contact_id) that recomputes only the leads something
    touched (touched_keys_only()) replaces the window's rows of the keys it wrote, and
    any row after the score date (config touched_after_column: a row's first day, by
    default window_column); every other lead's rows stay as stored.
    Spark (plain Parquet: no delete): the table is partitioned by `window_column`
    (window_partition_by); drop the window's partitions, then append the new rows. A day
    of the window whose recomputed content is empty is thus cleared too, which a dynamic
    `insert overwrite` alone would leave as it was, and a day before the window that gets
    late rows keeps its stored rows, which `insert overwrite` would replace.
-#}
{% macro get_incremental_replace_window_sql(arg_dict) %}
    {{ return(adapter.dispatch('get_incremental_replace_window_sql', 'leadscore')(arg_dict)) }}
{% endmacro %}

{% macro default__get_incremental_replace_window_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set window_start = history_window_start() -%}
    {%- set columns = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    {%- set touched_key = config.get('touched_key') if leadscore.touched_keys_only() else none -%}
    delete from {{ target }}
    {%- if window_start %}
    where {{ config.require('window_column') }} >= cast('{{ window_start }}' as date)
    {%- if touched_key %}
        and (
            {{ touched_key }} in (select {{ touched_key }} from {{ source }})
            or {{ config.get('touched_after_column', config.require('window_column')) }}
                > cast('{{ var("score_date") }}' as date)
        )
    {%- endif %}
    {%- endif %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{% endmacro %}

{% macro spark__get_incremental_replace_window_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set window_column = config.require('window_column') -%}
    {%- set window_start = history_window_start() -%}
    {%- set columns = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    {#- The new rows are a view over the target itself (the window's model reads what is
        stored before it): write them down before any partition goes. -#}
    {%- set staged = target.incorporate(path={"identifier": target.identifier ~ "__dbt_window"}) -%}
    {%- do run_query("drop table if exists " ~ staged) -%}
    {%- do run_query("create table " ~ staged ~ " using parquet as select * from " ~ source) -%}
    {%- set dropped = [] -%}
    {%- for row in run_query("show partitions " ~ target) -%}
        {%- set value = row[0].split('=', 1)[1] -%}
        {%- if value != '__HIVE_DEFAULT_PARTITION__' and (window_start is none or value >= window_start) -%}
            {%- do dropped.append("partition (" ~ window_column ~ " = '" ~ value ~ "')") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if dropped -%}
        {%- do run_query("alter table " ~ target ~ " drop if exists " ~ dropped | join(', ')) -%}
    {%- endif -%}
    {%- do run_query(
        "insert into table " ~ target ~ " select " ~ columns ~ " from " ~ staged
    ) -%}
    drop table if exists {{ staged }}
{% endmacro %}
