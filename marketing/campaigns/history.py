"""A campaign's history, newest first: status events, targeting windows
(whoever wrote them) and the audit log of everything else, in words.

Times are shown in the reporting time zone (the dbt var), like the reports.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from marketing import db
from marketing.audit import (
    CAMPAIGN_CORRECTED,
    CAMPAIGN_CREATED,
    CAMPAIGN_DELETED,
    CAMPAIGN_UPDATED,
    PRODUCT_REMOVED,
)
from warehouse.dbt_vars import reporting_timezone

# the audit actions a campaign's history shows (status and targeting show
# their own rows)
SHOWN_ACTIONS = (
    CAMPAIGN_CREATED,
    CAMPAIGN_UPDATED,
    CAMPAIGN_CORRECTED,
    CAMPAIGN_DELETED,
    PRODUCT_REMOVED,
)

# an audit row's changed fields in words: "name a → b; notes ∅ → c"
_CHANGED_FIELDS = """(
                select string_agg(
                    changed.key || ' ' || coalesce(changed.value ->> 'from',
                    '∅') || ' → ' || coalesce(changed.value ->> 'to', '∅'),
                    '; ' order by changed.key)
                from jsonb_each(audit_log.details) as changed
            )"""


def _shown_time(column: str) -> str:
    """A timestamp as the history shows it: in the reporting time zone, to
    the minute."""
    return f"to_char({column} at time zone %(tz)s, 'YYYY-MM-DD HH24:MI')"


# a targeting window in words: " targeted from 2026-03-01 09:00 until …"
_TARGETED_WINDOW = f"""' targeted from '
            || {_shown_time("targets.effective_from")}
            || coalesce(' until ' || {_shown_time("targets.effective_to")}, '')"""


HISTORY_SQL = f"""
select recorded_at, effective_at, changed_by, change, reason
from (
    select
        events.created_at as recorded_at,
        events.changed_at as effective_at,
        events.changed_by,
        'status ' || coalesce(events.from_status, '∅') || ' → '
            || events.to_status as change,
        events.reason
    from marketing.ad_campaign_status_events as events
    where events.campaign_id = %(id)s
    union all
    select
        targets.created_at,
        targets.effective_from,
        targets.created_by,
        'product ' || targets.product_id
            || coalesce(' (' || products.sku || ')', '')
            || {_TARGETED_WINDOW},
        targets.reason
    from marketing.ad_campaign_products as targets
    left join erp.products as products on targets.product_id = products.id
    where targets.campaign_id = %(id)s
    union all
    select
        audit_log.occurred_at,
        audit_log.occurred_at,
        audit_log.actor,
        case audit_log.action
            when '{CAMPAIGN_CREATED}' then 'campaign created'
            when '{CAMPAIGN_DELETED}' then 'campaign deleted'
            when '{PRODUCT_REMOVED}'
                then 'product ' || audit_log.product_id || ' removed'
            else (case audit_log.action
                when '{CAMPAIGN_CORRECTED}' then 'corrected: '
                else 'edited: ' end) || {_CHANGED_FIELDS}
        end,
        audit_log.reason
    from app.audit_log as audit_log
    where
        audit_log.campaign_id = %(id)s
        and audit_log.action = any(%(actions)s)
) as changes
order by recorded_at desc, effective_at desc
"""


def history(conn: db.AnyConnection, campaign_id: int) -> pd.DataFrame:
    """Every change of a campaign, newest first."""
    return db.frame(
        conn,
        HISTORY_SQL,
        {"id": campaign_id, "tz": reporting_timezone(), "actions": list(SHOWN_ACTIONS)},
    )


CORRECTIONS_SQL = f"""
select recorded_at, campaign_id, changed_by, change, reason
from (
    select
        events.created_at as recorded_at,
        events.campaign_id,
        events.changed_by,
        'status ' || events.to_status || ' backdated to '
            || {_shown_time("events.changed_at")} as change,
        events.reason
    from marketing.ad_campaign_status_events as events
    where events.reason is not null and events.created_at > %(since)s
    union all
    select
        targets.created_at,
        targets.campaign_id,
        targets.created_by,
        'product ' || targets.product_id || {_TARGETED_WINDOW},
        targets.reason
    from marketing.ad_campaign_products as targets
    where targets.reason is not null and targets.created_at > %(since)s
    union all
    select
        audit_log.occurred_at,
        audit_log.campaign_id,
        audit_log.actor,
        case audit_log.action
            when '{PRODUCT_REMOVED}'
                then 'product ' || audit_log.product_id || ' removed'
            else 'corrected: ' || {_CHANGED_FIELDS}
        end,
        audit_log.reason
    from app.audit_log as audit_log
    where
        audit_log.reason is not null
        and audit_log.action = any(%(actions)s)
        and audit_log.occurred_at > %(since)s
) as corrections
where campaign_id = any(%(campaigns)s)
order by recorded_at desc, campaign_id
"""


def corrections_since(
    conn: db.AnyConnection, since: datetime, campaign_ids: list[int]
) -> pd.DataFrame:
    """The corrections of those campaigns recorded after `since`, newest
    first: who made each and the reason they gave (a correction always has
    one: the database refuses it otherwise)."""
    return db.frame(
        conn,
        CORRECTIONS_SQL,
        {
            "since": since,
            "campaigns": list(campaign_ids),
            "tz": reporting_timezone(),
            "actions": [CAMPAIGN_CORRECTED, PRODUCT_REMOVED],
        },
    )
