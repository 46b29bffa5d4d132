{#-
    Write relations (names like 'marts.lead_scores') as Parquet folders
    <folder>/<schema>.<name>/ (each replaced), e.g. to read Spark's marts with another
    tool: as an operation (`dbt run-operation unload_to_parquet --args '{relations:
    [...], folder: ...}'`) or after a run (on-run-end, vars unload_relations, unload_dir).
    Nothing without a folder.
-#}
{% macro unload_to_parquet(relations, folder) -%}
    {%- if not execute or not folder or not relations -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('unload_to_parquet', 'leadscore')(relations, folder)) }}
{%- endmacro %}

{% macro default__unload_to_parquet(relations, folder) -%}
    {%- for relation in relations -%}
        {%- do run_query(
            "copy (select * from " ~ relation ~ ") to '" ~ folder ~ "/" ~ relation
            ~ "' (format parquet, overwrite_or_ignore true)"
        ) -%}
    {%- endfor -%}
{%- endmacro %}

{% macro spark__unload_to_parquet(relations, folder) -%}
    {%- for relation in relations -%}
        {%- do run_query(
            "insert overwrite directory '" ~ folder ~ "/" ~ relation
            ~ "' using parquet select * from " ~ relation
        ) -%}
    {%- endfor -%}
{%- endmacro %}
