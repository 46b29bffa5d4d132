-- attribute_lift publishes a field value or a numeric field's quartile only when at least
-- var lift_min_leads leads hold it (rarer values are pooled as `(other)`): any row
-- returned is a value that could single a person out.
select
    attribute,
    attribute_value,
    leads
from {{ ref('attribute_lift') }}
where
    attribute_kind in ('field', 'numeric')
    and attribute_value != '(other)'
    and leads < {{ var('lift_min_leads', 10) }}
