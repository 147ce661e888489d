"""History the database keeps, whoever writes.

* Status events and the audit log refuse UPDATE, DELETE and TRUNCATE for
  every role but the owner.
* A campaign that ever left DRAFT cannot be deleted; nothing cascades over
  its events or targeting windows. Drafts go through
  ``marketing.delete_draft_campaign``.
* Each inserted status event (backdated ones included) is an allowed move
  from the event just before it by ``changed_at``; a campaign's first event
  is DRAFT, or the launch from the DRAFT every campaign is created in; a
  given ``from_status`` must name the event before.
* Names are not blank.
* Once a campaign has left DRAFT, moving ``starts_at`` or ``ends_at`` across
  the past is a correction: the writer names its reason in the transaction
  setting ``attribution.correction_reason``.

Revision ID: 0005_history
Revises: 0005_roles
"""

from alembic import op

revision = "0005_history"
down_revision = "0005_roles"
branch_labels = None
depends_on = None

OWNER = "attribution_owner"
# How far before now a flight change must reach to be a correction: a form
# opened a few minutes ago still says "now".
CORRECTION_SLACK = "5 minutes"

# Functions later revisions (0007, 0008, 0009) re-create with a change: they
# read the text from here, so each has one home.

# {options}: a later revision's security and search_path
HAS_LEFT_DRAFT = """
        create or replace function marketing.has_left_draft(campaign_id bigint)
        returns boolean language sql stable{options} as $$
            select exists (
                select from marketing.ad_campaign_status_events as events
                where events.campaign_id = has_left_draft.campaign_id
                    and events.to_status <> 'DRAFT'
            ) or exists (
                select from marketing.ad_campaigns as campaigns
                where campaigns.id = has_left_draft.campaign_id
                    and campaigns.status <> 'DRAFT'
            )
        $$
"""
# the door for drafts; {spend_check} is where 0009 refuses a draft with spend
DELETE_DRAFT = """
        create or replace function marketing.delete_draft_campaign(campaign_id bigint)
        returns boolean language plpgsql security definer
        set search_path = pg_catalog, pg_temp as $$
        begin
            perform 1 from marketing.ad_campaigns as campaigns
            where campaigns.id = delete_draft_campaign.campaign_id for update;
            if not found then
                return false;
            end if;
            if marketing.has_left_draft(delete_draft_campaign.campaign_id) then
                raise exception 'campaign % has left DRAFT: it is ended, never deleted',
                    delete_draft_campaign.campaign_id
                    using errcode = 'restrict_violation',
                          constraint = 'ad_campaigns_delete_drafts_only';
            end if;{spend_check}
            delete from marketing.ad_campaign_status_events as events
            where events.campaign_id = delete_draft_campaign.campaign_id;
            delete from marketing.ad_campaign_products as targets
            where targets.campaign_id = delete_draft_campaign.campaign_id;
            delete from marketing.ad_campaigns as campaigns
            where campaigns.id = delete_draft_campaign.campaign_id;
            return true;
        end
        $$
"""
# {slack}: how far before now a change is a correction (0007 names it)
FLIGHT_CORRECTION = """
        create or replace function marketing.is_flight_correction(
            campaign_id bigint, new_starts_at timestamptz, new_ends_at timestamptz
        ) returns boolean language sql stable as $$
            select
                marketing.has_left_draft(campaigns.id)
                and (
                    new_starts_at is distinct from campaigns.starts_at
                    and least(campaigns.starts_at, new_starts_at)
                        < now() - {slack}
                    or new_ends_at is distinct from campaigns.ends_at
                    and least(
                        coalesce(campaigns.ends_at, 'infinity'),
                        coalesce(new_ends_at, 'infinity')
                    ) < now() - {slack}
                )
            from marketing.ad_campaigns as campaigns
            where campaigns.id = is_flight_correction.campaign_id
        $$
"""
REQUIRE_CORRECTION_REASON = f"""
        create or replace function marketing.require_correction_reason()
        returns trigger language plpgsql as $$
        begin
            if current_user <> '{OWNER}'
                and marketing.is_flight_correction(old.id, new.starts_at, new.ends_at)
                and coalesce(
                    current_setting('attribution.correction_reason', true), ''
                ) !~ '[^[:space:]]'
            then
                raise exception
                    'campaign %: moving a launched flight across the past is a '
                    'correction and needs a reason', old.id
                    using errcode = 'check_violation',
                          constraint = 'ad_campaigns_flight_correction_reason';
            end if;
            return new;
        end
        $$
"""


def upgrade() -> None:
    _append_only()
    _no_cascade_over_history()
    _status_sequence()
    op.execute(
        "alter table marketing.ad_campaigns drop constraint if exists"
        " ad_campaigns_name_not_blank"
    )
    op.execute(
        "alter table marketing.ad_campaigns add constraint"
        " ad_campaigns_name_not_blank check (name ~ '[^[:space:]]')"
    )
    _flight_corrections()


def _append_only() -> None:
    op.execute(
        f"""
        create or replace function marketing.refuse_history_change()
        returns trigger language plpgsql as $$
        begin
            if current_user = '{OWNER}' then
                return case when tg_op = 'DELETE' then old else new end;
            end if;
            raise exception '% is append-only: % refused', tg_table_name, tg_op
                using errcode = 'restrict_violation',
                      hint = 'history is corrected by new rows, never rewritten';
        end
        $$
        """
    )
    op.execute(f"alter function marketing.refuse_history_change() owner to {OWNER}")
    for table, old_trigger, old_function in (
        (
            "marketing.ad_campaign_status_events",
            "ad_campaign_status_events_append_only",
            "marketing.refuse_change()",
        ),
        ("app.audit_log", "audit_log_append_only", "app.refuse_change()"),
    ):
        name = table.split(".")[1]
        op.execute(f"drop trigger if exists {old_trigger} on {table}")
        op.execute(f"drop function if exists {old_function}")
        op.execute(f"drop trigger if exists {name}_no_rewrite on {table}")
        op.execute(
            f"""
            create trigger {name}_no_rewrite before update or delete on {table}
            for each row execute function marketing.refuse_history_change()
            """
        )
        # a row trigger never sees TRUNCATE: a statement trigger does
        op.execute(f"drop trigger if exists {name}_no_truncate on {table}")
        op.execute(
            f"""
            create trigger {name}_no_truncate before truncate on {table}
            for each statement execute function marketing.refuse_history_change()
            """
        )


def _no_cascade_over_history() -> None:
    for table in ("ad_campaign_products", "ad_campaign_status_events"):
        op.execute(
            f"alter table marketing.{table}"
            f" drop constraint if exists {table}_campaign_id_fkey"
        )
        op.execute(
            f"""
            alter table marketing.{table} add constraint {table}_campaign_id_fkey
            foreign key (campaign_id) references marketing.ad_campaigns (id)
            on delete restrict
            """
        )
    op.execute(HAS_LEFT_DRAFT.format(options=""))
    op.execute(
        """
        create or replace function marketing.refuse_launched_delete()
        returns trigger language plpgsql as $$
        begin
            if marketing.has_left_draft(old.id) then
                raise exception 'campaign % has left DRAFT: it is ended, never deleted',
                    old.id
                    using errcode = 'restrict_violation',
                          constraint = 'ad_campaigns_delete_drafts_only';
            end if;
            return old;
        end
        $$
        """
    )
    op.execute(
        "drop trigger if exists ad_campaigns_delete_drafts_only"
        " on marketing.ad_campaigns"
    )
    op.execute(
        """
        create trigger ad_campaigns_delete_drafts_only
        before delete on marketing.ad_campaigns
        for each row execute function marketing.refuse_launched_delete()
        """
    )
    # a draft's own rows go with it, as the owner: nobody else deletes history
    op.execute(DELETE_DRAFT.format(spend_check=""))
    op.execute(
        f"alter function marketing.delete_draft_campaign(bigint) owner to {OWNER}"
    )
    op.execute(
        "revoke all on function marketing.delete_draft_campaign(bigint) from public"
    )
    op.execute(
        "grant execute on function marketing.delete_draft_campaign(bigint)"
        " to attribution_app"
    )
    op.execute("revoke delete on marketing.ad_campaigns from attribution_app")


def _status_sequence() -> None:
    op.execute(
        """
        create or replace function marketing.status_move_allowed(
            from_status text, to_status text
        ) returns boolean language sql immutable as $$
            select (from_status, to_status) in (
                ('DRAFT', 'RUNNING'),
                ('RUNNING', 'PAUSED'),
                ('RUNNING', 'ENDED'),
                ('PAUSED', 'RUNNING'),
                ('PAUSED', 'ENDED')
            )
        $$
        """
    )
    # security definer: the check reads (and locks) the campaign whatever the
    # inserting role may see
    op.execute(
        """
        create or replace function marketing.check_status_sequence()
        returns trigger language plpgsql security definer
        set search_path = pg_catalog, pg_temp as $$
        declare
            previous text;
        begin
            if new.from_status is not null
                and not marketing.status_move_allowed(new.from_status, new.to_status)
            then
                -- the table's own transition check names the refusal
                return new;
            end if;
            -- one insert per campaign at a time: the order is decided here
            perform 1 from marketing.ad_campaigns as campaigns
            where campaigns.id = new.campaign_id for update;
            select events.to_status into previous
            from marketing.ad_campaign_status_events as events
            where events.campaign_id = new.campaign_id
                and (events.changed_at, events.id) < (new.changed_at, new.id)
            order by events.changed_at desc, events.id desc
            limit 1;
            if previous is null then
                if exists (
                    select from marketing.ad_campaign_status_events as events
                    where events.campaign_id = new.campaign_id
                ) then
                    raise exception
                        'campaign %: an event at % would come before its first event',
                        new.campaign_id, new.changed_at
                        using errcode = 'check_violation',
                              constraint = 'ad_campaign_status_events_sequence';
                end if;
                -- every campaign is created in DRAFT: the first event records
                -- that, or launches from it
                if not (
                    new.to_status = 'DRAFT' and new.from_status is null
                    or new.to_status = 'RUNNING'
                        and coalesce(new.from_status, 'DRAFT') = 'DRAFT'
                ) then
                    raise exception
                        'campaign %: the first event must be DRAFT (or its launch), '
                        'not %', new.campaign_id, new.to_status
                        using errcode = 'check_violation',
                              constraint = 'ad_campaign_status_events_sequence';
                end if;
                return new;
            end if;
            if new.from_status is not null and new.from_status <> previous then
                raise exception
                    'campaign %: from_status % contradicts the event before, %',
                    new.campaign_id, new.from_status, previous
                    using errcode = 'check_violation',
                          constraint = 'ad_campaign_status_events_from_status';
            end if;
            if not marketing.status_move_allowed(previous, new.to_status) then
                raise exception 'campaign %: % -> % at % is not an allowed move',
                    new.campaign_id, previous, new.to_status, new.changed_at
                    using errcode = 'check_violation',
                          constraint = 'ad_campaign_status_events_sequence';
            end if;
            return new;
        end
        $$
        """
    )
    op.execute(f"alter function marketing.check_status_sequence() owner to {OWNER}")
    op.execute(
        "drop trigger if exists ad_campaign_status_events_sequence"
        " on marketing.ad_campaign_status_events"
    )
    op.execute(
        """
        create trigger ad_campaign_status_events_sequence
        before insert on marketing.ad_campaign_status_events
        for each row execute function marketing.check_status_sequence()
        """
    )


def _flight_corrections() -> None:
    # One home for "is this flight change a correction?": the data layer asks
    # the same function before it writes.
    op.execute(FLIGHT_CORRECTION.format(slack=f"interval '{CORRECTION_SLACK}'"))
    op.execute(REQUIRE_CORRECTION_REASON)
    op.execute(
        "drop trigger if exists ad_campaigns_flight_correction"
        " on marketing.ad_campaigns"
    )
    op.execute(
        """
        create trigger ad_campaigns_flight_correction
        before update of starts_at, ends_at on marketing.ad_campaigns
        for each row execute function marketing.require_correction_reason()
        """
    )


def downgrade() -> None:
    op.execute(
        "drop trigger if exists ad_campaigns_flight_correction"
        " on marketing.ad_campaigns"
    )
    op.execute("drop function if exists marketing.require_correction_reason()")
    op.execute(
        "drop function if exists marketing.is_flight_correction("
        "bigint, timestamptz, timestamptz)"
    )
    op.execute(
        "alter table marketing.ad_campaigns drop constraint if exists"
        " ad_campaigns_name_not_blank"
    )
    op.execute(
        "drop trigger if exists ad_campaign_status_events_sequence"
        " on marketing.ad_campaign_status_events"
    )
    op.execute("drop function if exists marketing.check_status_sequence()")
    op.execute("drop function if exists marketing.status_move_allowed(text, text)")
