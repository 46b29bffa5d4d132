{#-
    First day an incremental run recomputes, as 'YYYY-MM-DD', or none for a full
    recompute. var history_start (the first day the run scores) minus var lookback_days
    (default 7), so events that arrived up to lookback_days late are picked up and the
    days they touch corrected; narrowed to what landed since the last complete run
    (narrowed_window_start). None when history_start is unset, on --full-refresh, when
    the history table does not exist yet, or when the seeds hold a model version the
    history has never scored (a new version is scored over the whole history).
-#}
{% macro history_window_start() %}
    {%- if not execute or var('history_start', none) is none or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set history = adapter.get_relation(
        database=target.database, schema='intermediate', identifier='int_lead_score_changes'
    ) -%}
    {%- if history is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set models = adapter.get_relation(
        database=target.database, schema='rules', identifier='scoring_models'
    ) -%}
    {%- if models is not none -%}
        {%- set unseen = run_query(
            "select count(*) from " ~ models ~ " as m where not exists (select 1 from "
            ~ history ~ " as h where h.model_id = m.model_id and h.model_version = m.model_version)"
        ) -%}
        {%- if unseen.columns[0].values()[0] > 0 -%}
            {{ return(none) }}
        {%- endif -%}
    {%- endif -%}
    {%- set start = modules.datetime.date.fromisoformat(var('history_start') | string) -%}
    {%- set earliest = start - modules.datetime.timedelta(days=var('lookback_days', 7) | int) -%}
    {{ return(leadscore.narrowed_window_start(start, earliest).isoformat()) }}
{% endmacro %}
