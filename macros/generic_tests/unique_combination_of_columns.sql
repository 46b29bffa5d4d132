{#- Fails for every combination of the columns that occurs more than once. With
    window_column, an incremental run tests only the rows it recomputed (window_filter). -#}
{% test unique_combination_of_columns(model, combination_of_columns, window_column=none) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
{%- if window_column %}
where {{ leadscore.window_filter(window_column) }}
{%- endif %}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
