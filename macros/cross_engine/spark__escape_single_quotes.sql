{#- Text as the inside of a Spark SQL string literal (overrides dbt-spark's, which escapes
    only quotes): Spark reads a backslash in a literal as an escape, so it is doubled too,
    or the JSON of a unit test fixture ("plan \"pro\"") reached Spark mangled. -#}
{% macro spark__escape_single_quotes(expression) -%}
    {{ expression | replace("\\", "\\\\") | replace("'", "\\'") }}
{%- endmacro %}
