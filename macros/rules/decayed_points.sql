{#-
    An event's points at age_days after decay (decay_factor), rounded to cents: each
    event is rounded once, the same way in current scores and in the history deltas, so
    they add up to the same totals. `rules` is the relation holding the decay columns
    (see decay_columns).
-#}
{% macro decayed_points(points, age_days, rules) -%}
    cast(round({{ points }} * {{ leadscore.decay_factor(
        age_days,
        rules ~ '.decay_method',
        rules ~ '.decay_full_days',
        rules ~ '.decay_half_life_days',
        rules ~ '.decay_percent',
        rules ~ '.decay_period_days',
        rules ~ '.decay_window_days'
    ) }}, 2) as decimal(18, 2))
{%- endmacro %}
