{#- The later of a contact's last event date (may be null) and its creation date. -#}
{% macro last_activity_date(last_event_date, created_at) -%}
    case
        when {{ last_event_date }} > cast({{ created_at }} as date) then {{ last_event_date }}
        else cast({{ created_at }} as date)
    end
{%- endmacro %}
