{#-
    Adds band, band_rank, fit_grade, engagement_grade, priority and is_mql to the rows of
    `scores` (a CTE or relation with model_id, model_version, total_score, fit_score,
    engagement_score, mql_threshold). Bands and grades come from seeds score_bands and
    score_grades, pivoted to one row per model version so that grading is an equi-join
    (history has tens of millions of rows): the highest band whose min_score the total
    reaches, the best grade whose min_points the fit (or engagement) score reaches.
    Seed tests keep ranks contiguous from 1, ordered, and at most `max_levels`.
    One implementation for current scores and for score history, so they cannot drift.
-#}
{% macro band_and_grade(scores, max_levels=10) -%}
with

bands as (

    select * from {{ ref('score_bands') }}

),

grades as (

    select * from {{ ref('score_grades') }}

),

levels as (

    select
        bands.model_id,
        bands.model_version,
        {%- for k in range(1, max_levels + 1) %}
        max(case when bands.band_rank = {{ k }} then bands.min_score end) as band_min_{{ k }},
        max(case when bands.band_rank = {{ k }} then bands.band end) as band_{{ k }},
        {%- endfor %}
        count(*) as band_count
    from bands
    group by bands.model_id, bands.model_version

),

grade_levels as (

    select
        grades.model_id,
        grades.model_version,
        {%- for dimension in ['fit', 'engagement'] %}
        {%- for k in range(1, max_levels + 1) %}
        max(case when grades.dimension = '{{ dimension }}' and grades.grade_rank = {{ k }} then grades.min_points end)
            as {{ dimension }}_min_{{ k }},
        max(case when grades.dimension = '{{ dimension }}' and grades.grade_rank = {{ k }} then grades.grade end)
            as {{ dimension }}_grade_{{ k }},
        {%- endfor %}
        {%- endfor %}
        count(*) as grade_count
    from grades
    group by grades.model_id, grades.model_version

),

graded as (

    select
        {{ scores }}.*,
        case
            {%- for k in range(max_levels, 0, -1) %}
            when {{ scores }}.total_score >= levels.band_min_{{ k }} then levels.band_{{ k }}
            {%- endfor %}
        end as band,
        case
            {%- for k in range(max_levels, 0, -1) %}
            when {{ scores }}.total_score >= levels.band_min_{{ k }} then {{ k }}
            {%- endfor %}
        end as band_rank,
        {%- for dimension in ['fit', 'engagement'] %}
        case
            {%- for k in range(1, max_levels + 1) %}
            when {{ scores }}.{{ dimension }}_score >= grade_levels.{{ dimension }}_min_{{ k }}
                then grade_levels.{{ dimension }}_grade_{{ k }}
            {%- endfor %}
        end as {{ dimension }}_grade,
        {%- endfor %}
        {{ scores }}.total_score >= {{ scores }}.mql_threshold as is_mql
    from {{ scores }}
    left join levels
        on {{ scores }}.model_id = levels.model_id
        and {{ scores }}.model_version = levels.model_version
    left join grade_levels
        on {{ scores }}.model_id = grade_levels.model_id
        and {{ scores }}.model_version = grade_levels.model_version

)

select
    graded.*,
    graded.fit_grade || graded.engagement_grade as priority
from graded
{%- endmacro %}
