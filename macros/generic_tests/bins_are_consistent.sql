{#-
    Fails for every rule given as one row per bin whose rule columns differ between its
    rows, and for every bin whose range is empty (max_value not above min_value) or which
    overlaps the next bin of the same rule: a value falls in at most one bin.
-#}
{% test bins_are_consistent(model, group_columns, rule_columns, min_column='min_value', max_column='max_value') %}
{%- set group_list = group_columns | join(', ') %}
{%- set parts = [] %}
{%- for column in rule_columns %}
    {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '<null>')") %}
    {%- if not loop.last %}{% do parts.append("'|'") %}{% endif %}
{%- endfor %}

with

definitions as (

    select
        {{ group_list }},
        count(distinct {{ dbt.concat(parts) }}) as definitions
    from {{ model }}
    group by {{ group_list }}

),

bins as (

    select
        {{ group_list }},
        {{ min_column }} as bin_min,
        {{ max_column }} as bin_max,
        lead({{ min_column }}) over (
            partition by {{ group_list }}
            order by {{ min_column }}
        ) as next_min
    from {{ model }}

)

select
    bins.*,
    definitions.definitions
from bins
inner join definitions
    on {% for column in group_columns %}bins.{{ column }} = definitions.{{ column }}{% if not loop.last %}
    and {% endif %}{% endfor %}
where definitions.definitions > 1
    or bins.bin_min is null
    or bins.bin_max <= bins.bin_min
    or (bins.bin_max is null and bins.next_min is not null)
    or bins.bin_max > bins.next_min

{% endtest %}
