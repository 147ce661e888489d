{{
    config(
        materialized='table',
        indexes=[
            {'columns': ['product_id', 'segment'], 'type': 'gist'},
        ],
    )
}}
-- Each product's timeline cut at every bound of its activity windows, into
-- segments during which the same campaigns credit its sales (ATTRIBUTION.md
-- §2): one row per (segment, campaign) with k and the campaign's rank by id,
-- computed once per segment instead of once per sold item. A sale at t
-- matches the rows of the one segment of its product with segment @> t.
-- Derived from int_campaign_product_activity_windows, which alone says when
-- a campaign credits a product.
with

activity_windows as (
    select * from {{ ref('int_campaign_product_activity_windows') }}
),

-- A cut lies just before an instant (an included lower bound, an excluded
-- upper bound: the instant is on the later side) or just after it (an
-- included upper bound such as a flight's ends_at: the instant stays on the
-- earlier side). A null instant is the start of time, one per product.
cuts as (
    select distinct
        product_id,
        null::timestamptz as cut_at,
        false as is_after
    from activity_windows
    union
    select
        product_id,
        lower(active_during),
        not lower_inc(active_during)
    from activity_windows
    where not lower_inf(active_during)
    union
    select
        product_id,
        upper(active_during),
        upper_inc(active_during)
    from activity_windows
    where not upper_inf(active_during)
),

-- between two consecutive cuts, no window starts or ends: each window holds
-- the whole segment or none of it
segments as (
    select
        product_id,
        tstzrange(
            cut_at,
            lead(cut_at) over by_time,
            case when is_after then '(' else '[' end
            || case when lead(is_after) over by_time then ']' else ')' end
        ) as segment
    from cuts
    window by_time as (
        partition by product_id order by cut_at asc nulls first, is_after asc
    )
),

matched as (
    select
        segments.product_id,
        segments.segment,
        activity_windows.campaign_id
    from segments
    inner join activity_windows
        on
            segments.product_id = activity_windows.product_id
            and activity_windows.active_during @> segments.segment
),

ranked as (
    select
        product_id,
        segment,
        campaign_id,
        count(*) over (partition by product_id, segment)
            as matched_campaigns_count,
        row_number() over (partition by product_id, segment order by campaign_id)
            as campaign_rank
    from matched
)

select * from ranked
