{#-
    Share of an event's points that still counts at age_days (0 = the score date):
    1 while age_days < full_days; 0 from window_days on; in between
    `percent`: (1 - percent/100) ^ (number of periods started since the full time ended),
    `half_life`: 0.5 ^ ((age_days - full_days) / half_life_days), `none`: 1.
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
            ({{ age_days }} - {{ full_days }}) / {{ half_life_days }}
        )
        else 1.0
    end
{%- endmacro %}
