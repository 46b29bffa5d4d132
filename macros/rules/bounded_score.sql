{#- A score kept within its model version's min_score and max_score. -#}
{% macro bounded_score(score, min_score='min_score', max_score='max_score') -%}
    case
        when {{ score }} > {{ max_score }} then {{ max_score }}
        when {{ score }} < {{ min_score }} then {{ min_score }}
        else {{ score }}
    end
{%- endmacro %}
