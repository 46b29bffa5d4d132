{#-
    Adds band, band_rank, fit_grade, engagement_grade, priority and is_mql to the rows of
    `scores` (a CTE or relation with model_id, model_version, total_score, fit_score,
    engagement_score, mql_threshold), identified by key_columns. Bands and grades come
    from seeds score_bands and score_grades: the highest band whose min_score the total
    reaches, the best grade whose min_points the fit (or engagement) score reaches.
    One implementation for current scores and for score history, so they cannot drift.
-#}
{% macro band_and_grade(scores, key_columns) -%}
{%- set keys = key_columns | join(', ') -%}
{%- set on_keys -%}
    {%- for k in key_columns %} and {{ scores }}.{{ k }} = {alias}.{{ k }}{% endfor -%}
{%- endset -%}
with

bands as (

    select * from {{ ref('score_bands') }}

),

grades as (

    select * from {{ ref('score_grades') }}

),

banded as (

    select
        {% for k in key_columns %}{{ scores }}.{{ k }}, {% endfor %}
        bands.band,
        bands.band_rank,
        row_number() over (
            partition by {% for k in key_columns %}{{ scores }}.{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}
            order by bands.min_score desc
        ) as band_order
    from {{ scores }}
    inner join bands
        on {{ scores }}.model_id = bands.model_id
        and {{ scores }}.model_version = bands.model_version
        and {{ scores }}.total_score >= bands.min_score

),

graded as (

    select
        {% for k in key_columns %}{{ scores }}.{{ k }}, {% endfor %}
        grades.dimension,
        grades.grade,
        row_number() over (
            partition by {% for k in key_columns %}{{ scores }}.{{ k }}, {% endfor %}grades.dimension
            order by grades.min_points desc
        ) as grade_order
    from {{ scores }}
    inner join grades
        on {{ scores }}.model_id = grades.model_id
        and {{ scores }}.model_version = grades.model_version
        and case grades.dimension
            when 'fit' then {{ scores }}.fit_score
            else {{ scores }}.engagement_score
        end >= grades.min_points

)

select
    {{ scores }}.*,
    banded.band,
    banded.band_rank,
    fit_grades.grade as fit_grade,
    engagement_grades.grade as engagement_grade,
    fit_grades.grade || engagement_grades.grade as priority,
    {{ scores }}.total_score >= {{ scores }}.mql_threshold as is_mql
from {{ scores }}
left join banded
    on banded.band_order = 1{{ on_keys | replace('{alias}', 'banded') }}
left join graded as fit_grades
    on fit_grades.dimension = 'fit'
    and fit_grades.grade_order = 1{{ on_keys | replace('{alias}', 'fit_grades') }}
left join graded as engagement_grades
    on engagement_grades.dimension = 'engagement'
    and engagement_grades.grade_order = 1{{ on_keys | replace('{alias}', 'engagement_grades') }}
{%- endmacro %}
