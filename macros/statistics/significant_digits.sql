{#- The number rounded to `digits` significant digits (1234 -> 1200 with 2), as a double;
    0 stays 0. Plain arithmetic, so it needs no dispatch. -#}
{% macro significant_digits(expression, digits) -%}
    case
        when ({{ expression }}) = 0 then cast(0 as {{ dbt.type_float() }})
        else round(
            cast({{ expression }} as {{ dbt.type_float() }}),
            cast({{ digits }} - 1 - floor(log10(abs({{ expression }}))) as integer)
        )
    end
{%- endmacro %}

{#- A number as short text for labels: whole numbers without a decimal point (1200, not
    1200.0), others as the engine writes a double. -#}
{% macro number_text(expression) -%}
    case
        when ({{ expression }}) = floor({{ expression }})
            then cast(cast({{ expression }} as bigint) as {{ dbt.type_string() }})
        else cast({{ expression }} as {{ dbt.type_string() }})
    end
{%- endmacro %}
