{#- The value under a top-level key of a JSON object, as text (objects and arrays as JSON
    text). `key` is a column expression, so keys named in rule seeds stay data, and any key
    works: quotes, dots, `$`, brackets, `~`, `/`, spaces, unicode, the empty key. No JSONPath
    is built from the key (a quote in it broke the path): DuckDB looks it up with an escaped
    JSON Pointer (RFC 6901: `~` as `~0`, `/` as `~1`), Spark in the object read as a map.
    A key that appears twice in one object: its first value (on both engines). -#}
{% macro json_extract_text(json_column, key) -%}
    {{ return(adapter.dispatch('json_extract_text', 'leadscore')(json_column, key)) }}
{%- endmacro %}

{% macro default__json_extract_text(json_column, key) -%}
    json_extract_string(
        {{ json_column }},
        '/' || replace(replace({{ key }}, '~', '~0'), '/', '~1')
    )
{%- endmacro %}

{% macro spark__json_extract_text(json_column, key) -%}
    element_at(from_json({{ json_column }}, 'map<string,string>'), {{ key }})
{%- endmacro %}
