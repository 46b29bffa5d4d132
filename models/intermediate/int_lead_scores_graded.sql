-- Totals with band, fit grade, engagement level and MQL flag, for every model version.
with

totals as (

    select * from {{ ref('int_lead_score_totals') }}

),

final as (

    {{ leadscore.band_and_grade('totals') }}

)

-- band_and_grade adds its columns to those of totals: a wildcard by design
select * from final  -- noqa: AM04
