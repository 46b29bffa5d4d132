{#-
    True when a field's value satisfies a rule's operator and value(s). Every argument
    is a column expression: rule values are compared as data, never pasted into SQL.
    Text comparisons ignore case; `in`/`not_in` take values separated by `|`;
    `between` is inclusive; numeric operators compare the value as a number.
    A missing value (null) matches only `is_missing`.
-#}
{% macro field_matches(value_text, value_number, operator, rule_value, rule_value_to) -%}
    coalesce(
        case {{ operator }}
            when 'is_missing' then {{ value_text }} is null
            when 'is_present' then {{ value_text }} is not null
            when 'equals' then lower({{ value_text }}) = lower({{ rule_value }})
            when 'not_equals' then lower({{ value_text }}) <> lower({{ rule_value }})
            when 'in' then {{ dbt.position("'|' || lower(" ~ value_text ~ ") || '|'", "'|' || lower(" ~ rule_value ~ ") || '|'") }} > 0
            when 'not_in' then {{ dbt.position("'|' || lower(" ~ value_text ~ ") || '|'", "'|' || lower(" ~ rule_value ~ ") || '|'") }} = 0
            when 'contains' then {{ dbt.position("lower(" ~ rule_value ~ ")", "lower(" ~ value_text ~ ")") }} > 0
            when 'starts_with' then {{ dbt.position("lower(" ~ rule_value ~ ")", "lower(" ~ value_text ~ ")") }} = 1
            when 'pattern' then {{ leadscore.regexp_like(value_text, rule_value) }}
            when 'at_least' then {{ value_number }} >= {{ leadscore.to_number(rule_value) }}
            when 'at_most' then {{ value_number }} <= {{ leadscore.to_number(rule_value) }}
            when 'between' then {{ value_number }} >= {{ leadscore.to_number(rule_value) }}
                and {{ value_number }} <= {{ leadscore.to_number(rule_value_to) }}
        end,
        false
    )
{%- endmacro %}
