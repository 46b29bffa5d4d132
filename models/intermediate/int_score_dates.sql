-- The day the scores are as of (end of day, UTC): var score_date, or else the latest
-- day with loaded events (today when nothing has landed).
-- depends_on: {{ ref('stg_raw__events') }}
{% if var('score_date', none) %}

select cast('{{ var("score_date") }}' as date) as score_date

{% else %}

    with

    events as (

        select * from {{ ref('stg_raw__events') }}

    ),

    final as (

        select coalesce(max(occurred_date), current_date) as score_date
        from events
        where occurred_date <= current_date

    )

    select * from final

{% endif %}
