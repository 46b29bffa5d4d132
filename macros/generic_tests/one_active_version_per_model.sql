{#- Fails for every model that has no active version or more than one. -#}
{% test one_active_version_per_model(model) %}

select
    model_id,
    sum(case when is_active then 1 else 0 end) as active_versions
from {{ model }}
group by model_id
having sum(case when is_active then 1 else 0 end) <> 1

{% endtest %}
