{#-
    Incremental strategy `replace_touched` (DuckDB) of the per-contact profile models:
    when the run rebuilds only the contacts of int_contacts_touched (profiles_touched_only()),
    delete the stored rows of those contacts and insert the new rows; otherwise (the run
    recomputed every contact) replace every row. In one transaction.
-#}
{% macro get_incremental_replace_touched_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set columns = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    {%- set key = config.require('touched_key') -%}
    delete from {{ target }}
    {%- if leadscore.profiles_touched_only() %}
    where {{ key }} in (
        select touched.contact_id
        from {{ adapter.get_relation(
            database=target.database, schema='intermediate', identifier='int_contacts_touched'
        ) }} as touched
    )
    {%- endif %};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{% endmacro %}
