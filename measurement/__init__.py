"""What the campaigns caused: incrementality estimates beside the credits.

Attribution says which campaigns were running when a product sold; this
package asks whether those sales would have happened anyway. For each
campaign it compares the net sales of the products it targeted while it ran
with products no campaign targeted at the time (difference in differences
with product and day fixed effects, standard errors clustered by product),
checks that the two groups moved alike before launch, and writes the
estimates that ``marts.fct_campaign_lift`` shows (docs/rules.md,
"Incrementality").

* ``design``: who is compared with whom, over which days, or why no honest
  comparison exists (the statuses);
* ``estimate``: the regressions, on a product-day panel;
* ``inputs``: what it reads, from the marts only;
* ``lift``: :func:`lift.rebuild`, the one function ``python -m measurement
  lift`` and the nightly Dagster asset both run.
"""
