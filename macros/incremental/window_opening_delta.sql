{#-
    The change an interval of a running balance brings on its first day. In an
    incremental run's window, an interval that began before the window is the opening
    balance: it brings its whole balance on the window's first day (see
    clamp_to_window). Otherwise, and in a full recompute, its own change.
-#}
{% macro window_opening_delta(valid_from, window_start, balance, delta) -%}
    {%- if window_start -%}
        case
            when {{ valid_from }} < cast('{{ window_start }}' as date) then {{ balance }}
            else {{ delta }}
        end
    {%- else -%}
        {{ delta }}
    {%- endif -%}
{%- endmacro %}
