{#- A bound of the Wilson score interval (95 % by default) of a proportion
    successes / trials, as a double; null when trials is 0. bound: 'lower' or 'upper'.
    Plain arithmetic and sqrt, so it needs no dispatch. -#}
{% macro wilson_interval(successes, trials, bound, z=1.96) -%}
    {%- set n = 'cast(' ~ trials ~ ' as double)' -%}
    {%- set p = 'cast(' ~ successes ~ ' as double) / nullif(' ~ n ~ ', 0)' -%}
    {%- set sign = '-' if bound == 'lower' else '+' -%}
    (
        ({{ p }}) + {{ z * z }} / (2 * {{ n }})
        {{ sign }} {{ z }} * sqrt(
            ({{ p }}) * (1 - ({{ p }})) / {{ n }} + {{ z * z }} / (4 * {{ n }} * {{ n }})
        )
    ) / (1 + {{ z * z }} / {{ n }})
{%- endmacro %}
