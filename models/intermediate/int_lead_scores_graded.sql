-- Totals with band, fit grade, engagement level and MQL flag, for every model version.
with

totals as (

    select * from {{ ref('int_lead_score_totals') }}

),

final as (

    {{ leadscore.band_and_grade('totals') }}

)

select * from final
