"""Demo spend: what the demo campaigns cost, day by day, as platforms report it.

Each campaign spends on the days it was RUNNING (from its status events),
in proportion to the demo's sales (so ROAS is plausible at any size) and
never far above its budget: a DAILY budget is now and then overshot
(platforms allow it), a LIFETIME budget spread over the flight.
Impressions and clicks follow a per-campaign CPM and click-through rate.
Campaigns on Google, YouTube, Facebook and Instagram get the platform's own
campaign id, which exports are matched by.

Platforms report with a delay: the last :data:`REPORTING_DELAY_DAYS` days are
left out of the database, and :func:`drop_inbox_file` writes the Google
campaigns' share of them as a Google Ads export into the spend inbox, so the
inbox sensor has a file to load in the demo.
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg

REPORTING_DELAY_DAYS = 2
SOURCES = {
    "google": "google_ads_csv",
    "youtube": "google_ads_csv",
    "facebook": "meta_ads_csv",
    "instagram": "meta_ads_csv",
}
GOOGLE = ("google", "youtube")


def external_id(campaign_id: int, platform: str) -> str | None:
    """A platform-shaped campaign id: 10 digits on Google, 18 on Meta."""
    if platform in GOOGLE:
        return str(7_000_000_000 + campaign_id)
    if platform in ("facebook", "instagram"):
        return f"2385{campaign_id:014d}"
    return None


def _running_days(events: list[tuple[str, datetime]], last_day: date) -> list[date]:
    days: set[date] = set()
    running_since: datetime | None = None
    for to_status, changed_at in [*events, ("END", None)]:
        if running_since is not None:
            until = changed_at.date() if changed_at else last_day
            day = running_since.date()
            while day <= min(until, last_day):
                days.add(day)
                day += timedelta(days=1)
            running_since = None
        if to_status == "RUNNING":
            running_since = changed_at
    return sorted(days)


def daily_revenue(erp: psycopg.Connection) -> float:
    """What the demo sells a day, read from the ERP (by its replica's role):
    spend is sized by it, so that ROAS lands between about 0.5 and 5
    whatever the demo's size."""
    revenue, days = erp.execute(
        "select coalesce(sum(items.quantity * items.unit_price), 0),"
        " greatest(1, extract(day from max(orders.order_date)"
        " - min(orders.order_date)))"
        " from erp.order_items as items"
        " inner join erp.orders as orders on items.order_id = orders.id"
    ).fetchone()
    return float(revenue) / float(days)


def daily_spend(
    conn: psycopg.Connection, seed: int, last_day: date, revenue: float
) -> list[dict[str, object]]:
    """One row per campaign and running day up to ``last_day`` (not written);
    `revenue` is :func:`daily_revenue`."""
    rng = random.Random(seed * 7919 + 17)
    campaigns = conn.execute(
        "select id, platform, starts_at, ends_at, budget_type, budget_amount"
        " from marketing.ad_campaigns order by id"
    ).fetchall()
    events: dict[int, list[tuple[str, datetime]]] = {}
    for campaign_id, to_status, changed_at in conn.execute(
        "select campaign_id, to_status, changed_at"
        " from marketing.ad_campaign_status_events order by campaign_id, changed_at, id"
    ):
        events.setdefault(campaign_id, []).append((to_status, changed_at))
    # a campaign-day's share of the sales
    share = revenue / max(len(campaigns), 1)
    rows = []
    for campaign_id, platform, starts_at, ends_at, budget_type, budget in campaigns:
        cpm = rng.uniform(4, 14)
        ctr = rng.uniform(0.006, 0.03)
        typical = max(share, 5.0) * rng.uniform(0.1, 0.6)
        # most spend well under budget; a budget smaller than that caps it
        if budget_type == "DAILY" and budget:
            typical = min(typical, float(budget) * 0.8)
        elif budget_type == "LIFETIME" and budget:
            flight_days = ((ends_at - starts_at).days + 1) if ends_at else 30
            typical = min(typical, float(budget) / max(flight_days, 1))
        for day in _running_days(events.get(campaign_id, []), last_day):
            factor = rng.uniform(0.6, 1.2)
            if budget_type == "DAILY" and rng.random() < 0.08:
                factor = rng.uniform(1.3, 1.6)  # an overshoot day
            spend = Decimal(str(round(typical * factor, 2)))
            impressions = int(float(spend) / cpm * 1000)
            rows.append(
                {
                    "campaign_id": campaign_id,
                    "platform": platform,
                    "spend_date": day,
                    "spend": spend,
                    "impressions": impressions,
                    "clicks": int(impressions * ctr),
                }
            )
    return rows


def load(
    conn: psycopg.Connection,
    revenue: float,
    seed: int = 42,
    anchor: datetime | None = None,
) -> dict[str, int]:
    """External ids for the campaigns, and their spend up to the reporting
    delay, written by `conn` (the app's role, the writer of spend); `revenue`
    is :func:`daily_revenue`."""
    anchor = anchor or datetime.now(UTC)
    unnamed = conn.execute(
        "select id, platform from marketing.ad_campaigns"
        " where external_campaign_id is null"
    ).fetchall()
    for campaign_id, platform in unnamed:
        if external_id(campaign_id, platform) is not None:
            conn.execute(
                "update marketing.ad_campaigns set external_campaign_id = %s"
                " where id = %s",
                (external_id(campaign_id, platform), campaign_id),
            )
    last_day = anchor.date() - timedelta(days=REPORTING_DELAY_DAYS + 1)
    rows = daily_spend(conn, seed, last_day, revenue)
    conn.execute(
        "insert into marketing.ad_spend_daily (campaign_id, spend_date, source,"
        " spend, impressions, clicks, loaded_by)"
        " select campaign_id, spend_date, source, spend, impressions, clicks, 'demo'"
        " from jsonb_to_recordset(%s::jsonb) as r(campaign_id bigint,"
        " spend_date date, source text, spend numeric, impressions bigint,"
        " clicks bigint)"
        " on conflict (campaign_id, spend_date, source) do nothing",
        (
            json.dumps(
                [
                    {**row, "source": SOURCES.get(str(row["platform"]), "manual")}
                    for row in rows
                ],
                default=str,
            ),
        ),
    )
    return {"spend_days": len(rows)}


def google_ads_export(rows: list[dict[str, object]]) -> str:
    """Rows as Google Ads writes a campaign report by day."""
    out = io.StringIO()
    days = sorted({row["spend_date"] for row in rows})
    out.write("Campaign report\n")
    if days:
        out.write(f'"{days[0]:%B %-d, %Y} - {days[-1]:%B %-d, %Y}"\n')
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["Campaign", "Campaign ID", "Day", "Currency code", "Cost", "Impr.", "Clicks"]
    )
    for row in rows:
        writer.writerow(
            [
                f"Campaign {row['campaign_id']}",
                external_id(int(row["campaign_id"]), str(row["platform"])),
                f"{row['spend_date']}",
                "EUR",
                f"{row['spend']:,.2f}",
                f"{row['impressions']:,}",
                row["clicks"],
            ]
        )
    total = sum(Decimal(str(row["spend"])) for row in rows)
    writer.writerow(["Total: Account", "--", "--", "EUR", f"{total:,.2f}", "--", "--"])
    return out.getvalue()


def drop_inbox_file(
    conn: psycopg.Connection,
    folder: Path,
    revenue: float,
    seed: int = 42,
    anchor: datetime | None = None,
) -> Path | None:
    """The Google campaigns' spend of the delayed days, as an inbox export
    (`conn` reads the campaigns; `revenue` is :func:`daily_revenue`)."""
    anchor = anchor or datetime.now(UTC)
    last_day = anchor.date() - timedelta(days=1)
    first_day = last_day - timedelta(days=REPORTING_DELAY_DAYS - 1)
    rows = [
        row
        for row in daily_spend(conn, seed, last_day, revenue)
        if row["platform"] in GOOGLE and row["spend_date"] >= first_day
    ]
    if not rows:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"google_ads_{first_day}_{last_day}.csv"
    path.write_text(google_ads_export(rows))
    return path
