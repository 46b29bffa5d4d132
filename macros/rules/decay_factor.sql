{#-
    Share of an event's points that still counts at age_days (0 = the score date).
    1 while age_days < full_days; 0 from window_days on. In between, decay is applied in
    steps of period_days, the first step on the day the full time ends, so a score only
    changes on step days (which keeps score history compact):
      `percent`:   (1 - percent/100) ^ steps
      `half_life`: 0.5 ^ (steps * period_days / half_life_days)   (period_days 1 = daily)
      `none`:      1
    where steps = floor((age_days - full_days) / period_days) + 1.
-#}
{% macro decay_factor(age_days, method, full_days, half_life_days, percent, period_days, window_days) -%}
    case
        when {{ age_days }} < 0 then 0.0
        when {{ age_days }} >= {{ window_days }} then 0.0
        when {{ age_days }} < {{ full_days }} then 1.0
        when {{ method }} = 'percent' then power(
            1.0 - {{ percent }} / 100.0,
            floor(({{ age_days }} - {{ full_days }}) / {{ period_days }}) + 1
        )
        when {{ method }} = 'half_life' then power(
            0.5,
            (floor(({{ age_days }} - {{ full_days }}) / {{ period_days }}) + 1)
            * {{ period_days }} / {{ half_life_days }}
        )
        else 1.0
    end
{%- endmacro %}
