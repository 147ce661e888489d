"""The regressions of one campaign's study, on a product-day panel.

Difference in differences with product and day fixed effects, standard
errors clustered by product (pyfixest's ``feols``, CRV1, the small-sample
corrections of R's fixest):

    y[p, d] = a[p] + g[d] + b * targeted[p] * running[d] + e[p, d]

on every (product, day) of the study window, a day without sales counting
0. ``b`` is the campaign's effect per targeted product and day, so the
incremental revenue is b x targeted products x post days, its 95 % interval
the same multiple of b's. The panel is balanced, so b is the classic
difference in differences of means, and the counterfactual day by day is
the controls' mean shifted by the pre-launch gap between the groups
(``daily``): summed over the post period, actual minus counterfactual is
the incremental revenue exactly.

Two checks, on the pre period alone, decide whether the estimate can be
trusted (``is_reliable``):

* the event study: the targeted products' difference from the controls week
  by week before launch (the week just before launch the reference), all
  zero under parallel trends; a joint F test (``pre_trend_p_value``);
* the placebo: the same estimate for a launch faked halfway through the pre
  period, which must find nothing (``placebo_p_value``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from measurement.design import Design

SIGNIFICANCE = 0.05
REVENUE, UNITS = "net_revenue", "units"


class EstimationError(RuntimeError):
    """The regressions gave no finite answer for a campaign that has data."""


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class Estimate:
    actual_revenue: float
    actual_units: float
    revenue: Interval
    units: Interval
    pre_trend_p_value: float
    placebo_revenue: float
    placebo_p_value: float
    daily: pd.DataFrame

    @property
    def counterfactual_revenue(self) -> float:
        return self.actual_revenue - self.revenue.estimate

    @property
    def is_reliable(self) -> bool:
        return (
            self.pre_trend_p_value >= SIGNIFICANCE
            and self.placebo_p_value >= SIGNIFICANCE
        )

    @property
    def reliability_reason(self) -> str:
        problems = []
        if self.pre_trend_p_value < SIGNIFICANCE:
            problems.append(
                "before launch the targeted products were already moving"
                " differently from the untargeted ones (pre-trend test p ="
                f" {self.pre_trend_p_value:.3f})"
            )
        if self.placebo_p_value < SIGNIFICANCE:
            problems.append(
                "a launch faked before the real one shows an effect that"
                f" cannot be the campaign's (placebo p = {self.placebo_p_value:.3f})"
            )
        if not problems:
            return (
                "Reliable: before launch the targeted and untargeted products"
                " moved alike, and a fake earlier launch shows no effect."
            )
        return "Not reliable: " + "; and ".join(problems) + "."


def panel(design: Design, sales: pd.DataFrame) -> pd.DataFrame:
    """Every (product, day) of the study window, zero where nothing sold.

    sales: product_id, sale_date, net_revenue, units (any extra rows are
    ignored)."""
    assert design.pre_start is not None and design.post_end is not None
    products = pd.Index([*design.treated, *design.controls], name="product_id")
    days = pd.date_range(design.pre_start, design.post_end, freq="D", name="day")
    window = sales[
        sales["product_id"].isin(products)
        & (sales["sale_date"] >= design.pre_start)
        & (sales["sale_date"] <= design.post_end)
    ]
    grid = pd.MultiIndex.from_product([products, days])
    values = (
        window.assign(day=pd.to_datetime(window["sale_date"]))
        .groupby(["product_id", "day"])[[REVENUE, UNITS]]
        .sum()
        .reindex(grid, fill_value=0.0)
        .astype(float)
        .reset_index()
    )
    treated = set(design.treated)
    values["treated"] = values["product_id"].isin(treated).astype(int)
    launch = pd.Timestamp(design.post_start)
    values["post"] = (values["day"] >= launch).astype(int)
    values["treated_post"] = values["treated"] * values["post"]
    # weeks relative to launch: -1 is the week just before it
    values["rel_week"] = (values["day"] - launch).dt.days // 7
    return values


def _feols(formula: str, data: pd.DataFrame):
    import pyfixest as pf

    with warnings.catch_warnings():
        # pyfixest reports dropped singleton/collinear columns as warnings
        warnings.simplefilter("ignore")
        return pf.feols(formula, data=data, vcov={"CRV1": "product_id"})


def _effect(fit, term: str) -> tuple[float, float, float, float]:
    """(estimate, low, high, p-value) of one coefficient, 95 %."""
    coef = float(fit.coef()[term])
    low, high = (float(v) for v in fit.confint(alpha=SIGNIFICANCE).loc[term])
    return coef, low, high, float(fit.pvalue()[term])


def _scaled(values: tuple[float, float, float, float], by: float) -> Interval:
    coef, low, high, _ = values
    return Interval(coef * by, low * by, high * by)


def pre_trend_p_value(pre: pd.DataFrame) -> float:
    """Joint F test that the targeted products' weekly differences from the
    controls before launch (week -1 the reference) are all zero."""
    fit = _feols(f"{REVENUE} ~ i(rel_week, treated, ref=-1) | product_id + day", pre)
    leads = len(fit.coef())
    result = fit.wald_test(R=np.eye(leads))
    return float(result["pvalue"])


def placebo(pre: pd.DataFrame) -> tuple[float, float]:
    """(effect, p-value) of a launch faked halfway through the pre period,
    scaled like the real one: per targeted product and fake post day."""
    days = pre["day"].sort_values().unique()
    fake_launch = days[len(days) // 2]
    faked = pre.assign(
        treated_post=pre["treated"] * (pre["day"] >= fake_launch).astype(int)
    )
    fit = _feols(f"{REVENUE} ~ treated_post | product_id + day", faked)
    coef, _, _, p_value = _effect(fit, "treated_post")
    treated = faked.loc[faked["treated"] == 1, "product_id"].nunique()
    fake_post_days = int((days >= fake_launch).sum())
    return coef * treated * fake_post_days, p_value


def daily(values: pd.DataFrame) -> pd.DataFrame:
    """Per day: the targeted products' net sales and the counterfactual, the
    controls' mean shifted by the groups' pre-launch gap, for as many
    products as were targeted."""
    by_group = values.pivot_table(
        index="day", columns="treated", values=REVENUE, aggfunc="mean"
    )
    pre = values["post"] == 0
    gap = (
        values.loc[pre & (values["treated"] == 1), REVENUE].mean()
        - values.loc[pre & (values["treated"] == 0), REVENUE].mean()
    )
    treated = values.loc[values["treated"] == 1, "product_id"].nunique()
    post_days = values.groupby("day")["post"].first()
    return pd.DataFrame(
        {
            "sale_date": by_group.index.date,
            "is_post_period": post_days.reindex(by_group.index).astype(bool).values,
            "actual_revenue": (by_group[1] * treated).values,
            "counterfactual_revenue": ((by_group[0] + gap) * treated).values,
        }
    )


def estimate(design: Design, sales: pd.DataFrame) -> Estimate:
    """The campaign's effect on its targeted products' net sales and units."""
    values = panel(design, sales)
    treated = len(design.treated)
    scale = treated * design.post_days
    main = _feols(f"{REVENUE} + {UNITS} ~ treated_post | product_id + day", values)
    revenue_fit, units_fit = (main.fetch_model(i, print_fml=False) for i in (0, 1))
    revenue = _scaled(_effect(revenue_fit, "treated_post"), scale)
    units = _scaled(_effect(units_fit, "treated_post"), scale)
    pre = values[values["post"] == 0]
    pre_trend = pre_trend_p_value(pre)
    placebo_revenue, placebo_p = placebo(pre)
    post_treated = values[(values["treated"] == 1) & (values["post"] == 1)]
    result = Estimate(
        actual_revenue=float(post_treated[REVENUE].sum()),
        actual_units=float(post_treated[UNITS].sum()),
        revenue=revenue,
        units=units,
        pre_trend_p_value=pre_trend,
        placebo_revenue=placebo_revenue,
        placebo_p_value=placebo_p,
        daily=daily(values),
    )
    numbers = [
        *vars(revenue).values(),
        *vars(units).values(),
        pre_trend,
        placebo_revenue,
        placebo_p,
    ]
    if not all(np.isfinite(numbers)):
        raise EstimationError(
            f"campaign {design.campaign_id}: the regressions gave no finite"
            f" estimate ({design.reason})"
        )
    return result
