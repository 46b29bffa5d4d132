{#-
    On-run-start: make the raw sources readable. DuckDB has them already (schema `raw`,
    loaded by `leadscore ingest`): nothing to do. On Spark each source table is declared
    over the Parquet folder `leadscore export-raw` writes,
    var raw_parquet_dir (default $LEADSCORE_HOME/raw_parquet) / <table>, and declared
    again on every run so that a new export or a new column is picked up.
-#}
{% macro register_raw_parquet() -%}
    {{ return(adapter.dispatch('register_raw_parquet', 'leadscore')()) }}
{%- endmacro %}

{% macro default__register_raw_parquet() -%}
{%- endmacro %}

{% macro spark__register_raw_parquet() -%}
    {%- if execute -%}
        {%- set folder = var('raw_parquet_dir', env_var('LEADSCORE_HOME', 'data') ~ '/raw_parquet') -%}
        {%- set schemas = [] -%}
        {%- for node in graph.sources.values() if node.package_name == project_name -%}
            {%- if node.schema not in schemas -%}
                {%- do run_query('create schema if not exists ' ~ node.schema) -%}
                {%- do schemas.append(node.schema) -%}
            {%- endif -%}
            {%- set relation = node.schema ~ '.' ~ node.identifier -%}
            {%- set location = folder ~ '/' ~ node.identifier -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query(
                'create table ' ~ relation ~ " using parquet location '" ~ location | replace("'", "\\'") ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
