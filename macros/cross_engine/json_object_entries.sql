{#- A select of id_columns, `attribute_key` and `attribute_value` (text): one row per
    top-level key of the JSON object in json_column of relation. -#}
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
            unnest(json_keys({{ json_column }})) as attribute_key
        from {{ relation }}
        where {{ json_column }} is not null
    ) as entries
{%- endmacro %}

{% macro spark__json_object_entries(relation, id_columns, json_column) -%}
    select
        {{ id_columns | join(', ') }},
        attribute_key,
        attribute_value
    from {{ relation }}
    lateral view explode(from_json({{ json_column }}, 'map<string,string>')) entries as attribute_key, attribute_value
    where {{ json_column }} is not null
{%- endmacro %}
