{#- The number rounded to `digits` significant digits (1234 -> 1200 with 2), as a double;
    0 stays 0. Scaled by a power of ten rather than given round() a computed scale, which
    Spark refuses (its scale must be a constant); dividing by the power for small numbers
    keeps 0.012 exact. -#}
{% macro significant_digits(expression, digits) -%}
    {%- set x = 'cast(' ~ expression ~ ' as ' ~ dbt.type_float() ~ ')' -%}
    {%- set e = '(floor(log10(abs(' ~ x ~ '))) - ' ~ (digits - 1) ~ ')' -%}
    case
        when {{ x }} = 0 then cast(0 as {{ dbt.type_float() }})
        when {{ e }} >= 0 then round({{ x }} / power(10, {{ e }})) * power(10, {{ e }})
        else round({{ x }} * power(10, -{{ e }})) / power(10, -{{ e }})
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
