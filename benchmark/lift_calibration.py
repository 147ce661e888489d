"""How often the lift estimate is right, over many simulated histories.

`python -m benchmark.lift_calibration --draws 100 --effect 2 --trend 0`
draws `--draws` histories of 8 targeted and 16 untargeted products selling
Poisson(2..6) units a day at 10.00 for 42 days (21 before launch, 21
after), plants `--effect` extra units per targeted product and day after
launch and a pre-existing trend of `--trend` units per day and day on the
targeted products, estimates each (measurement.estimate, no database) and
prints: how often the 95 % interval holds the planted effect, how often it
excludes zero, and how often the pre-trend test, the placebo and either of
them (is_reliable false) reject at 5 %.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta

import numpy as np
import pandas as pd

from measurement.design import ESTIMATED, Design
from measurement.estimate import SIGNIFICANCE, estimate

PRE_START, LAUNCH, END = date(2026, 1, 1), date(2026, 1, 22), date(2026, 2, 11)
TREATED, CONTROLS = tuple(range(1, 9)), tuple(range(9, 25))
PRICE = 10.0


def history(seed: int, effect: int, trend: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for product in TREATED + CONTROLS:
        base = rng.uniform(2, 6)
        for n in range((END - PRE_START).days + 1):
            day = PRE_START + timedelta(days=n)
            targeted = product in TREATED
            units = int(rng.poisson(base + (trend * n if targeted else 0)))
            if targeted and day >= LAUNCH:
                units += effect
            if units:
                rows.append((product, day, units * PRICE, float(units)))
    return pd.DataFrame(
        rows, columns=["product_id", "sale_date", "net_revenue", "units"]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.lift_calibration")
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--effect", type=int, default=2)
    parser.add_argument("--trend", type=float, default=0.0)
    args = parser.parse_args(argv)
    plan = Design(1, ESTIMATED, "", PRE_START, LAUNCH, END, TREATED, CONTROLS)
    truth = args.effect * PRICE * len(TREATED) * plan.post_days
    counts = dict.fromkeys(("covered", "zero_out", "pre_trend", "placebo", "unrel"), 0)
    for seed in range(args.draws):
        result = estimate(plan, history(seed, args.effect, args.trend))
        low, high = result.revenue.low, result.revenue.high
        counts["covered"] += low <= truth <= high
        counts["zero_out"] += not low <= 0 <= high
        counts["pre_trend"] += result.pre_trend_p_value < SIGNIFICANCE
        counts["placebo"] += result.placebo_p_value < SIGNIFICANCE
        counts["unrel"] += not result.is_reliable
    share = {name: count / args.draws for name, count in counts.items()}
    print(
        f"{args.draws} draws, effect {args.effect} units/day, trend {args.trend}:"
        f" interval holds the effect {share['covered']:.0%}, excludes zero"
        f" {share['zero_out']:.0%}; pre-trend test rejects {share['pre_trend']:.0%},"
        f" placebo {share['placebo']:.0%}, not reliable {share['unrel']:.0%}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
