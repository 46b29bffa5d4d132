{#-
    A date column moved up to the first day of an incremental run's window: what falls
    before the window counts on its first day (the run recomputes from there on). The
    column as it is when window_start is none (a full recompute).
-#}
{% macro clamp_to_window(column, window_start) -%}
    {%- if window_start -%}
        case
            when {{ column }} < cast('{{ window_start }}' as date) then cast('{{ window_start }}' as date)
            else {{ column }}
        end
    {%- else -%}
        {{ column }}
    {%- endif -%}
{%- endmacro %}
