"""What a campaign caused, in words a marketer reads, and its chart.

The figures come from marts.fct_campaign_lift (dashboard/data/lift.py);
this module only says them: the 95 % interval of incremental revenue set
against what the campaign was credited over the same days, iROAS against
ROAS, and the chart of the targeted products' sales against the
counterfactual with the launch marked.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd


def amount(value: float) -> str:
    """A sum of money as a marketer reads it: whole units, thousands marked."""
    return f"{value:,.0f}".replace("-", "−")


def ratio(value: float) -> str:
    return f"{value:,.2f}".replace("-", "−")


def caused(lift: dict[str, Any], credited: float) -> str:
    """One sentence: how much of the credited revenue the campaign caused."""
    low, high = lift["incremental_revenue_low"], lift["incremental_revenue_high"]
    of_credited = f" of the {amount(credited)} credited" if credited > 0 else ""
    if low > 0:
        return (
            f"We are 95 % sure the campaign caused between {amount(low)} and"
            f" {amount(high)}{of_credited} in sales (best estimate"
            f" {amount(lift['incremental_revenue'])})."
        )
    if high < 0:
        return (
            "We are 95 % sure the targeted products sold less than they would"
            f" have without the campaign: between {amount(-high)} and"
            f" {amount(-low)} less."
        )
    return (
        f"We cannot tell the campaign caused any sales: with 95 % certainty it"
        f" caused between {amount(low)} and {amount(high)}{of_credited}, and"
        " zero is in that range."
    )


def returned(lift: dict[str, Any], credited_roas: float | None) -> str:
    """One sentence: iROAS (what it caused per unit spent) next to ROAS."""
    if lift["iroas"] is None:
        return "No spend was recorded while it ran, so there is no iROAS."
    sentence = (
        f"Each 1.00 spent caused between {ratio(lift['iroas_low'])} and"
        f" {ratio(lift['iroas_high'])} in sales (iROAS {ratio(lift['iroas'])})"
    )
    if credited_roas is not None:
        sentence += f"; it was credited {ratio(credited_roas)} (ROAS)"
    return sentence + "."


def chart(daily: pd.DataFrame, launch: Any) -> alt.LayerChart:
    """Targeted products' daily sales against the counterfactual, a rule at
    the launch."""
    long = daily.melt(
        id_vars=["sale_date"],
        value_vars=["actual_revenue", "counterfactual_revenue"],
        var_name="series",
        value_name="net sales",
    )
    long["series"] = long["series"].map(
        {
            "actual_revenue": "targeted products",
            "counterfactual_revenue": "without the campaign (counterfactual)",
        }
    )
    long["sale_date"] = pd.to_datetime(long["sale_date"])
    lines = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("sale_date:T", title="sale date"),
            y=alt.Y("net sales:Q"),
            color=alt.Color("series:N", title=None),
            strokeDash=alt.StrokeDash("series:N", legend=None),
        )
    )
    marker = pd.DataFrame({"sale_date": [pd.Timestamp(launch)], "label": ["launch"]})
    rule = alt.Chart(marker).mark_rule(color="gray").encode(x="sale_date:T")
    text = (
        alt.Chart(marker)
        .mark_text(align="left", dx=4, dy=-6, color="gray")
        .encode(x="sale_date:T", y=alt.value(0), text="label:N")
    )
    return alt.layer(lines, rule, text)
