{#- A select of id_columns, `attribute_key` and `attribute_value` (text): one row per
    distinct top-level key of the JSON object in json_column of relation. Any key works
    (see json_extract_text); a key that appears twice in one object gives one row, with
    its first value, so the entries stay unique per row even for a row loaded before
    ingestion quarantined such objects (json_duplicate_key). -#}
{% macro json_object_entries(relation, id_columns, json_column) -%}
    {{ return(adapter.dispatch('json_object_entries', 'leadscore')(relation, id_columns, json_column)) }}
{%- endmacro %}

{% macro default__json_object_entries(relation, id_columns, json_column) -%}
    select
        {{ id_columns | join(', ') }},
        attribute_key,
        {{ leadscore.json_extract_text(json_column, 'attribute_key') }} as attribute_value
    from (
        select
            {{ id_columns | join(', ') }},
            {{ json_column }},
            unnest(list_distinct(json_keys({{ json_column }}))) as attribute_key
        from {{ relation }}
        where {{ json_column }} is not null
    ) as entries
{%- endmacro %}

{% macro spark__json_object_entries(relation, id_columns, json_column) -%}
    select
        {{ id_columns | join(', ') }},
        attribute_key,
        {{ leadscore.json_extract_text(json_column, 'attribute_key') }} as attribute_value
    from {{ relation }}
    lateral view explode(array_distinct(json_object_keys({{ json_column }}))) entries as attribute_key
    where {{ json_column }} is not null
{%- endmacro %}
