{#-
    The caps of one chain of events (one contact, model version and rule), applied in
    order: a list with one struct per event of `events`, in the same order, of
    event_id, counted_points (in absolute value), occurrences_in_window and
    points_in_window.

    An event counts only if the events of the chain that counted within window_days of
    it (occurred on a day d with event_day - window_days < d < event_day + window_days)
    number fewer than max_occurrences and their points total less than max_points; it
    counts its points, or with max_points what is left of them. An event of 0 points
    counts nothing and uses up nothing (an incremental run carries over the events stored
    with points, see int_event_rule_matches). Events come in order of
    occurrence, so this is the trailing window ending at the event; the days after it
    only matter to an event that landed late, which is counted after what already
    counted around it. Either way no span of window_days days ever holds more than
    max_occurrences counted events (or max_points points).

    events: a list of structs (occurred_at, event_id, day, points), sorted, with day an
    integer day number and points in absolute value (see sorted_struct_list);
    carried: null or a list of structs (day, points) of the events of the chain that
    counted earlier (an incremental run's opening state); the other arguments are
    columns or values of the chain. Dispatched: DuckDB list_reduce, Spark aggregate,
    both folding a struct of the counted events still in reach and the output.
-#}
{% macro trailing_caps(events, carried, max_occurrences, max_points, window_days) -%}
    {{ return(adapter.dispatch('trailing_caps', 'leadscore')(
        events, carried, max_occurrences, max_points, window_days
    )) }}
{%- endmacro %}

{% macro default__trailing_caps(events, carried, max_occurrences, max_points, window_days) -%}
    {%- set near -%}
        list_filter(acc.kept, lambda k: k.day > e.day - {{ window_days }} and k.day < e.day + {{ window_days }})
    {%- endset -%}
    {%- set recent -%}
        list_filter(acc.kept, lambda k: k.day > e.day - {{ window_days }})
    {%- endset -%}
    {%- set near_points -%}
        coalesce(list_sum(list_transform({{ near }}, lambda k: k.points)), 0.0)
    {%- endset -%}
    {%- set counts -%}
        e.points > 0
        and ({{ max_occurrences }} is null or len({{ near }}) < {{ max_occurrences }})
        and ({{ max_points }} is null or {{ near_points }} < {{ max_points }})
    {%- endset -%}
    {%- set counted -%}
        cast(case
            when not ({{ counts }}) then 0.0
            when {{ max_points }} is null then e.points
            else least(e.points, {{ max_points }} - {{ near_points }})
        end as double)
    {%- endset -%}
    list_reduce(
        {{ events }},
        lambda acc, e: {
            'kept': case
                when {{ counts }}
                    then list_append({{ recent }}, {'day': e.day, 'points': {{ counted }}})
                else {{ recent }}
            end,
            'out': list_append(acc.out, {
                'event_id': e.event_id,
                'counted_points': {{ counted }},
                'occurrences_in_window': cast(len({{ near }}) + case when {{ counts }} then 1 else 0 end as integer),
                'points_in_window': cast({{ near_points }} + {{ counted }} as double)
            })
        },
        {
            'kept': coalesce({{ carried }}, cast([] as struct(day integer, points double)[])),
            'out': cast([] as struct(
                event_id varchar, counted_points double, occurrences_in_window integer, points_in_window double
            )[])
        }
    ).out
{%- endmacro %}

{% macro spark__trailing_caps(events, carried, max_occurrences, max_points, window_days) -%}
    {%- set near -%}
        filter(acc.kept, k -> k.day > e.day - {{ window_days }} and k.day < e.day + {{ window_days }})
    {%- endset -%}
    {%- set recent -%}
        filter(acc.kept, k -> k.day > e.day - {{ window_days }})
    {%- endset -%}
    {%- set near_points -%}
        aggregate({{ near }}, cast(0 as double), (total, k) -> total + k.points)
    {%- endset -%}
    {%- set counts -%}
        e.points > 0
        and ({{ max_occurrences }} is null or size({{ near }}) < {{ max_occurrences }})
        and ({{ max_points }} is null or {{ near_points }} < {{ max_points }})
    {%- endset -%}
    {%- set counted -%}
        cast(case
            when not ({{ counts }}) then 0.0
            when {{ max_points }} is null then e.points
            else least(e.points, {{ max_points }} - {{ near_points }})
        end as double)
    {%- endset -%}
    aggregate(
        {{ events }},
        named_struct(
            'kept', coalesce({{ carried }}, cast(array() as array<struct<day: int, points: double>>)),
            'out', cast(array() as array<struct<
                event_id: string, counted_points: double, occurrences_in_window: int, points_in_window: double
            >>)
        ),
        (acc, e) -> named_struct(
            'kept', case
                when {{ counts }}
                    then concat({{ recent }}, array(named_struct('day', e.day, 'points', {{ counted }})))
                else {{ recent }}
            end,
            'out', concat(acc.out, array(named_struct(
                'event_id', e.event_id,
                'counted_points', {{ counted }},
                'occurrences_in_window', cast(size({{ near }}) + case when {{ counts }} then 1 else 0 end as int),
                'points_in_window', cast({{ near_points }} + {{ counted }} as double)
            )))
        ),
        acc -> acc.out
    )
{%- endmacro %}
