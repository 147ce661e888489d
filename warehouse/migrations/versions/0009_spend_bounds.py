"""Spend belongs to a launched campaign's life, and is never deleted with it.

* A spend row's day lies within its campaign's life,
  ``marketing.spend_days(campaign_id)``: from the day before ``starts_at``
  to the day after ``ends_at`` or, at the latest, after today (UTC days; the
  day either side leaves room for the reporting time zone). A row dated
  1900-01-01 once made the pacing mart generate a century of days.
* A campaign that never left DRAFT has not run: spend for it is refused
  rather than taken in silently.
* Spend no longer cascades away with a deleted campaign: deleting a draft
  that has spend (loaded before these rules) is refused with a message,
  never a silent loss.

Every writer is held to them (the app's upload and the inbox loader check
the same function first, to say so per row).

Revision ID: 0009
Revises: 0008
"""

import importlib

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OWNER = "attribution_owner"
# the functions 0005_history made: their text lives there
history = importlib.import_module("warehouse.migrations.versions.0005_history")
# where 0005_history's door for drafts refuses one with spend
SPEND_CHECK = """
            if exists (
                select from marketing.ad_spend_daily as spend
                where spend.campaign_id = delete_draft_campaign.campaign_id
            ) then
                raise exception
                    'campaign %: spend was loaded for it; it is kept, and so is '
                    'the campaign', delete_draft_campaign.campaign_id
                    using errcode = 'restrict_violation',
                          constraint = 'ad_campaigns_delete_keeps_spend';
            end if;"""


def upgrade() -> None:
    op.execute(
        """
        create or replace function marketing.spend_days(campaign_id bigint)
        returns daterange language sql stable
        set search_path = pg_catalog, pg_temp as $$
            select daterange(
                (campaigns.starts_at at time zone 'UTC')::date - 1,
                least(
                    (campaigns.ends_at at time zone 'UTC')::date,
                    (now() at time zone 'UTC')::date
                ) + 1,
                '[]'
            )
            from marketing.ad_campaigns as campaigns
            where campaigns.id = spend_days.campaign_id
        $$
        """
    )
    op.execute(f"alter function marketing.spend_days(bigint) owner to {OWNER}")
    op.execute(
        """
        create or replace function marketing.check_spend_day()
        returns trigger language plpgsql security definer
        set search_path = pg_catalog, pg_temp as $$
        declare
            life daterange := marketing.spend_days(new.campaign_id);
        begin
            if life is null then
                -- no such campaign: the foreign key says so
                return new;
            end if;
            if not marketing.has_left_draft(new.campaign_id) then
                raise exception
                    'campaign % is a DRAFT: it has not launched, so it has no spend',
                    new.campaign_id
                    using errcode = 'check_violation',
                          constraint = 'ad_spend_daily_campaign_launched';
            end if;
            if not life @> new.spend_date then
                raise exception
                    'spend on % is outside campaign %''s life (% to %)',
                    new.spend_date, new.campaign_id, lower(life),
                    upper(life) - 1
                    using errcode = 'check_violation',
                          constraint = 'ad_spend_daily_within_campaign';
            end if;
            return new;
        end
        $$
        """
    )
    op.execute(f"alter function marketing.check_spend_day() owner to {OWNER}")
    op.execute("drop trigger if exists ad_spend_daily_day on marketing.ad_spend_daily")
    op.execute(
        """
        create trigger ad_spend_daily_day
        before insert or update of campaign_id, spend_date
        on marketing.ad_spend_daily
        for each row execute function marketing.check_spend_day()
        """
    )
    _campaign_key(on_delete="restrict")
    op.execute(history.DELETE_DRAFT.format(spend_check=SPEND_CHECK))


def _campaign_key(on_delete: str) -> None:
    """Spend's foreign key to its campaign, with what deleting one does."""
    op.execute(
        "alter table marketing.ad_spend_daily"
        " drop constraint if exists ad_spend_daily_campaign_id_fkey"
    )
    op.execute(
        f"""
        alter table marketing.ad_spend_daily add constraint
        ad_spend_daily_campaign_id_fkey foreign key (campaign_id)
        references marketing.ad_campaigns (id) on delete {on_delete}
        """
    )


def downgrade() -> None:
    op.execute(history.DELETE_DRAFT.format(spend_check=""))
    _campaign_key(on_delete="cascade")
    op.execute("drop trigger if exists ad_spend_daily_day on marketing.ad_spend_daily")
    op.execute("drop function if exists marketing.check_spend_day()")
    op.execute("drop function if exists marketing.spend_days(bigint)")
