{#-
    Fails for every model version whose levels (bands or grades) are not ranked 1..n
    without gaps, n at most max_levels, with thresholds strictly rising with the rank
    (`rising`) or strictly falling (`falling`). band_and_grade relies on it.
-#}
{% test levels_are_ordered(model, rank_column, threshold_column, group_columns, direction, max_levels=10) %}

with

ranked as (

    select
        {{ group_columns | join(', ') }},
        {{ rank_column }} as level_rank,
        {{ threshold_column }} as threshold,
        lag({{ threshold_column }}) over (
            partition by {{ group_columns | join(', ') }}
            order by {{ rank_column }}
        ) as previous_threshold,
        row_number() over (
            partition by {{ group_columns | join(', ') }}
            order by {{ rank_column }}
        ) as position
    from {{ model }}

)

select *
from ranked
where level_rank <> position
    or level_rank > {{ max_levels }}
    or threshold is null
    {%- if direction == 'rising' %}
    or threshold <= previous_threshold
    {%- else %}
    or threshold >= previous_threshold
    {%- endif %}

{% endtest %}
