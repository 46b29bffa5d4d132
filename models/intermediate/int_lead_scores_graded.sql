-- Totals with band, fit grade, engagement level and MQL flag, for every model version.
with

totals as (

    select * from {{ ref('int_lead_score_totals') }}

),

bands as (

    select * from {{ ref('score_bands') }}

),

grades as (

    select * from {{ ref('score_grades') }}

),

banded as (

    select
        totals.contact_id,
        totals.model_id,
        totals.model_version,
        bands.band,
        bands.band_rank,
        row_number() over (
            partition by totals.contact_id, totals.model_id, totals.model_version
            order by bands.min_score desc
        ) as band_order
    from totals
    inner join bands
        on totals.model_id = bands.model_id
        and totals.model_version = bands.model_version
        and totals.total_score >= bands.min_score

),

graded as (

    select
        totals.contact_id,
        totals.model_id,
        totals.model_version,
        grades.dimension,
        grades.grade,
        row_number() over (
            partition by totals.contact_id, totals.model_id, totals.model_version, grades.dimension
            order by grades.min_points desc
        ) as grade_order
    from totals
    inner join grades
        on totals.model_id = grades.model_id
        and totals.model_version = grades.model_version
        and case grades.dimension
            when 'fit' then totals.fit_score
            else totals.engagement_score
        end >= grades.min_points

),

final as (

    select
        totals.*,
        banded.band,
        banded.band_rank,
        fit_grades.grade as fit_grade,
        engagement_grades.grade as engagement_grade,
        fit_grades.grade || engagement_grades.grade as priority,
        totals.total_score >= totals.mql_threshold as is_mql
    from totals
    left join banded
        on totals.contact_id = banded.contact_id
        and totals.model_id = banded.model_id
        and totals.model_version = banded.model_version
        and banded.band_order = 1
    left join graded as fit_grades
        on totals.contact_id = fit_grades.contact_id
        and totals.model_id = fit_grades.model_id
        and totals.model_version = fit_grades.model_version
        and fit_grades.dimension = 'fit'
        and fit_grades.grade_order = 1
    left join graded as engagement_grades
        on totals.contact_id = engagement_grades.contact_id
        and totals.model_id = engagement_grades.model_id
        and totals.model_version = engagement_grades.model_version
        and engagement_grades.dimension = 'engagement'
        and engagement_grades.grade_order = 1

)

select * from final
