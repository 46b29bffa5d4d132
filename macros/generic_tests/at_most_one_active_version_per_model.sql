{#- Fails for every model that has more than one active version. A model with none is
    allowed: a new model stays out of lead_scores, scored in the history only, until a
    person makes one of its versions active (leadscore calibrate writes it so). -#}
{% test at_most_one_active_version_per_model(model) %}

select
    model_id,
    sum(case when is_active then 1 else 0 end) as active_versions
from {{ model }}
group by model_id
having sum(case when is_active then 1 else 0 end) > 1

{% endtest %}
