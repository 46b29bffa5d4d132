{#-
    dbt-spark's `insert_overwrite` step. A model with a `window_column` config (stored by
    day, see window_incremental_strategy) gets replace_window instead; any other model
    gets dbt-spark's own statement. Overrides dbt-spark's get_insert_overwrite_sql.
-#}
{% macro get_insert_overwrite_sql(source_relation, target_relation, existing_relation) %}
    {%- set dest_columns = adapter.get_columns_in_relation(target_relation) -%}
    {%- if config.get('window_column') -%}
        {{ leadscore.get_incremental_replace_window_sql({
            'target_relation': target_relation,
            'temp_relation': source_relation,
            'dest_columns': dest_columns,
        }) }}
    {%- else -%}
        {%- set dest_cols_csv = dest_columns | map(attribute='quoted') | join(', ') -%}
        insert overwrite table {{ target_relation }}
        {{ partition_cols(label="partition") }}
        select {{ dest_cols_csv }} from {{ source_relation }}
    {%- endif -%}
{% endmacro %}
