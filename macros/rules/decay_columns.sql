{#-
    The columns of a resolved engagement rule (int_engagement_rules_resolved) that say how
    its points decay, with its component: what decayed_points needs next to an event.
    Rendered as a select list (no trailing comma) from the relation `rules`.
-#}
{% macro decay_columns(rules) -%}
    {{ rules }}.component,
    {{ rules }}.decay_method,
    {{ rules }}.decay_full_days,
    {{ rules }}.decay_half_life_days,
    {{ rules }}.decay_percent,
    {{ rules }}.decay_period_days,
    {{ rules }}.decay_window_days
{%- endmacro %}
