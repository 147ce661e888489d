"""The study design of one campaign: its periods, its treated and control
products, or the reason no honest estimate exists.

Days are sale dates in the reporting time zone (the marts' ``sale_date``).
The post period is the campaign's running time, from its first RUNNING day
to the day it ENDED (or today); the pre period the weeks just before it, as
long as the post period within [MIN_PRE_DAYS, MAX_PRE_DAYS], in whole weeks
(the event study compares week by week), cut to the sales history.
Treated: the products the campaign targeted while it ran. Controls: products
no campaign targeted at any time of the pre and post periods that sold in
the pre period; more than MAX_CONTROL_PRODUCTS are sampled, the same way on
every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

ESTIMATED = "estimated"
TOO_SHORT = "too_short"
NO_CONTROLS = "no_controls"
NO_PRE_PERIOD = "no_pre_period"
NOT_STARTED = "not_started"
STATUSES = (ESTIMATED, TOO_SHORT, NO_CONTROLS, NO_PRE_PERIOD, NOT_STARTED)

MIN_POST_DAYS = 7
MIN_PRE_DAYS = 14
MAX_PRE_DAYS = 56
MIN_CONTROL_PRODUCTS = 5
# enough for a stable counterfactual and clustered errors; a cap keeps the
# nightly estimate's cost per campaign bounded in a large catalogue
MAX_CONTROL_PRODUCTS = 1000


@dataclass(frozen=True)
class Campaign:
    campaign_id: int
    first_running_date: date | None
    ended_date: date | None


@dataclass(frozen=True)
class Design:
    campaign_id: int
    status: str
    reason: str
    pre_start: date | None = None
    post_start: date | None = None
    post_end: date | None = None
    treated: tuple[int, ...] = ()
    controls: tuple[int, ...] = field(default=(), repr=False)

    @property
    def is_estimable(self) -> bool:
        return self.status == ESTIMATED

    @property
    def post_days(self) -> int:
        assert self.post_start is not None and self.post_end is not None
        return (self.post_end - self.post_start).days + 1

    @property
    def pre_days(self) -> int:
        assert self.pre_start is not None and self.post_start is not None
        return (self.post_start - self.pre_start).days


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def targeted_between(windows: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Windows (campaign_id, product_id, first/last_active_date; an open one
    has no last date) that touch a day of [start, end]."""
    last = windows["last_active_date"]
    touches = (windows["first_active_date"] <= end) & (last.isna() | (last >= start))
    return windows[touches]


def design(
    campaign: Campaign,
    windows: pd.DataFrame,
    pre_sales: pd.DataFrame,
    history_start: date | None,
    today: date,
) -> Design:
    """How `campaign` is measured, or why it is not.

    windows: every campaign's activity windows (fct_campaign_product_windows);
    pre_sales: product_id and sale_date of product-days with net sales, at
    least over the campaign's possible pre period; history_start: the first
    day with sales.
    """
    cid = campaign.campaign_id
    start = campaign.first_running_date
    if start is None or start > today:
        return Design(cid, NOT_STARTED, "The campaign has not run yet.")
    end = min(campaign.ended_date or today, today)
    own = windows[windows["campaign_id"] == cid]
    running = targeted_between(own, start, end)
    treated = tuple(sorted(int(p) for p in running["product_id"].unique()))
    if not treated:
        return Design(
            cid,
            NOT_STARTED,
            "The campaign targeted no product while it ran.",
            post_start=start,
            post_end=end,
        )
    post_days = (end - start).days + 1
    if post_days < MIN_POST_DAYS:
        return Design(
            cid,
            TOO_SHORT,
            f"The campaign ran {_days(post_days)}; an estimate needs at least"
            f" {_days(MIN_POST_DAYS)} of sales while it runs.",
            post_start=start,
            post_end=end,
            treated=treated,
        )
    wanted = min(MAX_PRE_DAYS, max(MIN_PRE_DAYS, -(-post_days // 7) * 7))
    available = 0 if history_start is None else (start - history_start).days
    pre_days = min(wanted, available // 7 * 7)
    if pre_days < MIN_PRE_DAYS:
        return Design(
            cid,
            NO_PRE_PERIOD,
            f"Sales were recorded for {_days(max(available, 0))} before launch; an"
            f" estimate needs {_days(MIN_PRE_DAYS)} to compare with.",
            post_start=start,
            post_end=end,
            treated=treated,
        )
    pre_start = start - timedelta(days=pre_days)
    in_pre = pre_sales[
        (pre_sales["sale_date"] >= pre_start) & (pre_sales["sale_date"] < start)
    ]
    sold_before = set(in_pre["product_id"].astype(int))
    if not sold_before.intersection(treated):
        return Design(
            cid,
            NO_PRE_PERIOD,
            f"The targeted products sold nothing in the {_days(pre_days)} before"
            " launch: there is nothing to compare their sales with.",
            pre_start=pre_start,
            post_start=start,
            post_end=end,
            treated=treated,
        )
    busy = set(targeted_between(windows, pre_start, end)["product_id"].astype(int))
    candidates = sorted(sold_before - busy - set(treated))
    if len(candidates) < MIN_CONTROL_PRODUCTS:
        return Design(
            cid,
            NO_CONTROLS,
            f"Only {len(candidates)} products that sold before launch were"
            " untargeted by every campaign over the whole period; an estimate"
            f" needs at least {MIN_CONTROL_PRODUCTS} to compare with.",
            pre_start=pre_start,
            post_start=start,
            post_end=end,
            treated=treated,
        )
    if len(candidates) > MAX_CONTROL_PRODUCTS:
        picked = np.random.default_rng(cid).choice(
            len(candidates), MAX_CONTROL_PRODUCTS, replace=False
        )
        candidates = sorted(candidates[int(i)] for i in picked)
    return Design(
        cid,
        ESTIMATED,
        f"{len(treated)} targeted products compared with {len(candidates)}"
        " untargeted ones.",
        pre_start=pre_start,
        post_start=start,
        post_end=end,
        treated=treated,
        controls=tuple(candidates),
    )
