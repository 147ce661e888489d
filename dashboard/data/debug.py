"""Debug attribution: which campaigns match a sale of a product at a time, and why
the others do not.

Matching is read from the pipeline's own activity-window model
(``intermediate.int_campaign_product_activity_windows``), never recomputed
here. The reasons for a non-match compare the sale time with the same
components the model intersects: the flight window and the targeting windows
(``marketing``) and the running intervals (``int_campaign_running_intervals``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pandas as pd

from dashboard.data import connection
from dashboard.data.campaigns import as_utc

WINDOWS = "intermediate.int_campaign_product_activity_windows"
RUNNING = "intermediate.int_campaign_running_intervals"


def explain(
    url: str, product_id: int, sale_time: datetime, amount: Decimal = Decimal("100.00")
) -> pd.DataFrame:
    """One row per campaign that ever targeted the product, matches first.

    SPLIT shares use the exact division of ATTRIBUTION.md §4 (the expression
    of the dbt macro ``split_exactly``): integer cents, floor division, the
    remainder's extra cents to the lowest campaign ids.
    """
    return connection.frame(
        url,
        f"""
        with
        candidates as (
            select distinct campaign_id
            from marketing.ad_campaign_products
            where product_id = :product_id
        ),
        matches as (
            select distinct campaign_id
            from {WINDOWS}
            where product_id = :product_id
                and active_during @> cast(:t as timestamptz)
        ),
        ranked as (
            select
                campaign_id,
                row_number() over (order by campaign_id) as campaign_rank,
                count(*) over () as k
            from matches
        ),
        amounts as (
            select (round(cast(:amount as numeric) * 100))::bigint as units
        ),
        evaluated as (
            select
                campaigns.id as campaign_id,
                campaigns.name,
                campaigns.platform,
                campaigns.status as current_status,
                ranked.campaign_id is not null as is_match,
                campaigns.starts_at <= :t
                    and (campaigns.ends_at is null or :t <= campaigns.ends_at)
                    as is_in_flight,
                exists (
                    select 1 from {RUNNING} as running
                    where running.campaign_id = campaigns.id
                        and running.running_from <= :t
                        and (running.running_to is null or :t < running.running_to)
                ) as is_running,
                (
                    select events.to_status
                    from marketing.ad_campaign_status_events as events
                    where events.campaign_id = campaigns.id
                        and events.changed_at <= :t
                    order by events.changed_at desc, events.id desc
                    limit 1
                ) as status_at_sale,
                exists (
                    select 1 from marketing.ad_campaign_products as targets
                    where targets.campaign_id = campaigns.id
                        and targets.product_id = :product_id
                        and targets.effective_from <= :t
                        and (targets.effective_to is null
                             or :t < targets.effective_to)
                ) as is_targeted,
                campaigns.starts_at,
                campaigns.ends_at,
                ranked.campaign_rank,
                ranked.k
            from candidates
            inner join marketing.ad_campaigns as campaigns
                on candidates.campaign_id = campaigns.id
            left join ranked
                on candidates.campaign_id = ranked.campaign_id
        )
        select
            evaluated.campaign_id,
            evaluated.name,
            evaluated.platform,
            evaluated.current_status,
            evaluated.is_match,
            case
                when evaluated.is_match then 'matches'
                else concat_ws('; ',
                    case when not evaluated.is_in_flight then
                        'outside the flight window'
                    end,
                    case when not evaluated.is_running then
                        'not running then (status '
                        || coalesce(evaluated.status_at_sale, 'none yet') || ')'
                    end,
                    case when not evaluated.is_targeted then
                        'product not targeted then'
                    end,
                    case when evaluated.is_in_flight and evaluated.is_running
                        and evaluated.is_targeted then
                        'changed since the last pipeline build: recompute'
                    end
                )
            end as explanation,
            evaluated.is_in_flight,
            evaluated.is_running,
            evaluated.is_targeted,
            evaluated.status_at_sale,
            evaluated.starts_at,
            evaluated.ends_at,
            evaluated.k as matched_campaigns_count,
            case when evaluated.is_match then cast(:amount as numeric) end
                as full_credit,
            case when evaluated.is_match then (
                (amounts.units - ((amounts.units % evaluated.k) + evaluated.k)
                    % evaluated.k) / evaluated.k
                + case when evaluated.campaign_rank
                    <= ((amounts.units % evaluated.k) + evaluated.k) % evaluated.k
                    then 1 else 0 end
            )::numeric / 100 end as split_credit
        from evaluated
        cross join amounts
        order by evaluated.is_match desc, evaluated.campaign_id
        """,
        product_id=product_id,
        t=as_utc(sale_time),
        amount=amount,
    )


def windows(url: str, product_id: int) -> pd.DataFrame:
    """The product's activity windows as the pipeline last built them."""
    return connection.frame(
        url,
        f"""
        select campaign_id, lower(active_during) as active_from,
            upper(active_during) as active_to, starts_at, ends_at,
            running_from, running_to, effective_from, effective_to
        from {WINDOWS}
        where product_id = :product_id
        order by campaign_id, lower(active_during)
        """,
        product_id=product_id,
    )
