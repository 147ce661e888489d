"""Every write that rewrites reported credits needs a reason, and is recorded.

docs/rules.md, "What the database refuses". Credits before
``marketing.correction_cutoff()`` (the database's now() minus
``marketing.correction_slack()``) count as reported. For every role but the
owner, these writes need a non-blank ``attribution.correction_reason`` in
the session (``select set_config('attribution.correction_reason', 'why',
true)``), whatever the writer says its own clock or ``created_at`` is:

* a status event taking effect before the cutoff (a backdated pause,
  launch or end; a campaign's first DRAFT event changes no credit);
* a targeting window of a launched campaign inserted, updated or deleted
  with a bound before the cutoff;
* a launched flight moved across the past (0005_history; now recorded too).

Where such a write carries a reason (any role, the owner included), the
database records it: an ``app.audit_log`` row ``correction.recorded`` whose
actor is the session's user (the login that wrote, never a value the writer
supplies), and the reason in the row's own ``reason`` column where the
table has one and the writer left it empty.

Status events also may not be dated more than
``marketing.status_event_horizon()`` (a year) ahead, and an event inserted
between two others must fit its successor too: the move into the next event
must be allowed and the next event's ``from_status``, when given, must name
it. That check runs at commit (a deferred constraint trigger), so a pause
and its resume inserted in one transaction before a later event pass.

Revision ID: 0008
Revises: 0007
"""

import importlib

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OWNER = "attribution_owner"
# the functions 0005_history made: their text lives there
history = importlib.import_module("warehouse.migrations.versions.0005_history")


def upgrade() -> None:
    _clock()
    # 0005_history's, unchanged but security definer: the correction checks
    # call it for any writer, which need not read every marketing table
    op.execute(
        history.HAS_LEFT_DRAFT.format(
            options=" security definer set search_path = pg_catalog, pg_temp"
        )
    )
    op.execute(f"alter function marketing.has_left_draft(bigint) owner to {OWNER}")
    _record()
    _flight()
    _status_events()
    _targeting()


def _clock() -> None:
    # one home for "credits before this moment are reported"
    op.execute(
        """
        create or replace function marketing.correction_cutoff()
        returns timestamptz language sql stable as $$
            select now() - marketing.correction_slack()
        $$
        """
    )
    op.execute(
        """
        create or replace function marketing.status_event_horizon()
        returns interval language sql immutable as $$ select interval '1 year' $$
        """
    )
    # the session's reason, or null when unset or blank
    op.execute(
        """
        create or replace function marketing.correction_reason()
        returns text language sql stable as $$
            select reason
            from (
                select current_setting('attribution.correction_reason', true)
                    as reason
            ) as setting
            where reason ~ '[^[:space:]]'
        $$
        """
    )
    for function in (
        "correction_cutoff()",
        "status_event_horizon()",
        "correction_reason()",
    ):
        op.execute(f"alter function marketing.{function} owner to {OWNER}")


def _record() -> None:
    # security definer: any writer's correction is recorded, whether or not it
    # may write the audit log itself; only a trigger may call it, so nobody
    # adds correction rows by hand
    op.execute(
        """
        create or replace function marketing.record_correction(
            writer_role text,
            table_name text,
            operation text,
            campaign_id bigint,
            product_id bigint,
            reason text,
            details jsonb
        ) returns void language plpgsql security definer
        set search_path = pg_catalog, pg_temp as $$
        begin
            if pg_trigger_depth() = 0 then
                raise exception 'corrections are recorded by the tables'' triggers'
                    using errcode = 'insufficient_privilege';
            end if;
            insert into app.audit_log
                (actor, action, campaign_id, product_id, reason, details)
            values (
                session_user,
                'correction.recorded',
                record_correction.campaign_id,
                record_correction.product_id,
                record_correction.reason,
                jsonb_build_object(
                    'table', table_name,
                    'operation', operation,
                    'database_role', writer_role
                ) || details
            );
        end
        $$
        """
    )
    op.execute(
        "alter function marketing.record_correction("
        f"text, text, text, bigint, bigint, text, jsonb) owner to {OWNER}"
    )


def _flight() -> None:
    op.execute(
        f"""
        create or replace function marketing.require_correction_reason()
        returns trigger language plpgsql as $$
        declare
            reason text := marketing.correction_reason();
        begin
            if not marketing.is_flight_correction(
                old.id, new.starts_at, new.ends_at
            ) then
                return new;
            end if;
            if reason is null then
                if current_user = '{OWNER}' then
                    return new;
                end if;
                raise exception
                    'campaign %: moving a launched flight across the past is a '
                    'correction and needs a reason', old.id
                    using errcode = 'check_violation',
                          constraint = 'ad_campaigns_flight_correction_reason',
                          hint = 'select set_config(''attribution.correction_reason'','
                              ' ''why'', true) first';
            end if;
            perform marketing.record_correction(
                current_user, 'ad_campaigns', tg_op, old.id, null, reason,
                jsonb_build_object(
                    'starts_at', jsonb_build_object(
                        'from', old.starts_at, 'to', new.starts_at),
                    'ends_at', jsonb_build_object(
                        'from', old.ends_at, 'to', new.ends_at)
                )
            );
            return new;
        end
        $$
        """
    )


def _status_events() -> None:
    # before insert: the far-future refusal and the reason (0005_history's
    # sequence trigger still checks the event before)
    op.execute(
        f"""
        create or replace function marketing.check_status_event_time()
        returns trigger language plpgsql as $$
        declare
            reason text;
        begin
            if new.changed_at > now() + marketing.status_event_horizon() then
                raise exception
                    'campaign %: a status change at % is more than % ahead',
                    new.campaign_id, new.changed_at,
                    marketing.status_event_horizon()
                    using errcode = 'check_violation',
                          constraint = 'ad_campaign_status_events_not_far_ahead';
            end if;
            -- a campaign's first DRAFT changes no credit
            if new.changed_at >= marketing.correction_cutoff()
                or new.to_status = 'DRAFT'
            then
                return new;
            end if;
            reason := marketing.correction_reason();
            if reason is null then
                if current_user = '{OWNER}' then
                    return new;
                end if;
                raise exception
                    'campaign %: a status change dated % rewrites reported credits '
                    'and needs a reason', new.campaign_id, new.changed_at
                    using errcode = 'check_violation',
                          constraint = 'ad_campaign_status_events_backdated_reason',
                          hint = 'select set_config(''attribution.correction_reason'','
                              ' ''why'', true) first';
            end if;
            new.reason := coalesce(nullif(new.reason, ''), reason);
            perform marketing.record_correction(
                current_user, 'ad_campaign_status_events', tg_op, new.campaign_id,
                null, reason,
                jsonb_build_object(
                    'from_status', new.from_status,
                    'to_status', new.to_status,
                    'changed_at', new.changed_at,
                    'changed_by', new.changed_by
                )
            );
            return new;
        end
        $$
        """
    )
    op.execute(
        "drop trigger if exists ad_campaign_status_events_time"
        " on marketing.ad_campaign_status_events"
    )
    op.execute(
        """
        create trigger ad_campaign_status_events_time
        before insert on marketing.ad_campaign_status_events
        for each row execute function marketing.check_status_event_time()
        """
    )
    # at commit: the event after the new one still follows it
    op.execute(
        """
        create or replace function marketing.check_status_successor()
        returns trigger language plpgsql security definer
        set search_path = pg_catalog, pg_temp as $$
        declare
            successor record;
        begin
            select events.from_status, events.to_status, events.changed_at
            into successor
            from marketing.ad_campaign_status_events as events
            where events.campaign_id = new.campaign_id
                and (events.changed_at, events.id) > (new.changed_at, new.id)
            order by events.changed_at, events.id
            limit 1;
            if not found then
                return null;
            end if;
            if not marketing.status_move_allowed(new.to_status, successor.to_status)
                or successor.from_status is not null
                    and successor.from_status <> new.to_status
            then
                raise exception
                    'campaign %: % at % does not fit before the later change '
                    '% -> % at %', new.campaign_id, new.to_status, new.changed_at,
                    coalesce(successor.from_status, '?'), successor.to_status,
                    successor.changed_at
                    using errcode = 'check_violation',
                          constraint = 'ad_campaign_status_events_sequence';
            end if;
            return null;
        end
        $$
        """
    )
    op.execute(f"alter function marketing.check_status_successor() owner to {OWNER}")
    op.execute(
        "drop trigger if exists ad_campaign_status_events_successor"
        " on marketing.ad_campaign_status_events"
    )
    op.execute(
        """
        create constraint trigger ad_campaign_status_events_successor
        after insert on marketing.ad_campaign_status_events
        deferrable initially deferred
        for each row execute function marketing.check_status_successor()
        """
    )


def _targeting() -> None:
    op.execute(
        f"""
        create or replace function marketing.check_targeting_correction()
        returns trigger language plpgsql as $$
        declare
            cutoff timestamptz := marketing.correction_cutoff();
            reaches_past boolean;
            reason text;
            row_now marketing.ad_campaign_products;
        begin
            if tg_op = 'INSERT' then
                reaches_past := new.effective_from < cutoff;
            elsif tg_op = 'DELETE' then
                reaches_past := old.effective_from < cutoff;
            elsif (new.campaign_id, new.product_id)
                is distinct from (old.campaign_id, old.product_id)
            then
                reaches_past := least(old.effective_from, new.effective_from) < cutoff;
            else
                reaches_past :=
                    new.effective_from is distinct from old.effective_from
                    and least(old.effective_from, new.effective_from) < cutoff
                    or new.effective_to is distinct from old.effective_to
                    and least(
                        coalesce(old.effective_to, 'infinity'),
                        coalesce(new.effective_to, 'infinity')
                    ) < cutoff;
            end if;
            row_now := case when tg_op = 'DELETE' then old else new end;
            -- a campaign that never left DRAFT has no credit to rewrite
            if not reaches_past or not (
                tg_op <> 'INSERT' and marketing.has_left_draft(old.campaign_id)
                or tg_op <> 'DELETE' and marketing.has_left_draft(new.campaign_id)
            ) then
                return row_now;
            end if;
            reason := marketing.correction_reason();
            if reason is null then
                if current_user = '{OWNER}' then
                    return row_now;
                end if;
                raise exception
                    'campaign %: a targeting window reaching before % rewrites '
                    'reported credits and needs a reason',
                    row_now.campaign_id, cutoff
                    using errcode = 'check_violation',
                          constraint = 'ad_campaign_products_backdated_reason',
                          hint = 'select set_config(''attribution.correction_reason'','
                              ' ''why'', true) first';
            end if;
            if tg_op = 'INSERT' then
                new.reason := coalesce(nullif(new.reason, ''), reason);
                row_now := new;
            end if;
            perform marketing.record_correction(
                current_user, 'ad_campaign_products', tg_op, row_now.campaign_id,
                row_now.product_id, reason,
                jsonb_build_object(
                    'target_id', row_now.id,
                    'old', case when tg_op <> 'INSERT' then jsonb_build_object(
                        'campaign_id', old.campaign_id,
                        'product_id', old.product_id,
                        'effective_from', old.effective_from,
                        'effective_to', old.effective_to) end,
                    'new', case when tg_op <> 'DELETE' then jsonb_build_object(
                        'campaign_id', new.campaign_id,
                        'product_id', new.product_id,
                        'effective_from', new.effective_from,
                        'effective_to', new.effective_to) end
                )
            );
            return row_now;
        end
        $$
        """
    )
    op.execute(
        "drop trigger if exists ad_campaign_products_correction"
        " on marketing.ad_campaign_products"
    )
    op.execute(
        """
        create trigger ad_campaign_products_correction
        before insert or update or delete on marketing.ad_campaign_products
        for each row execute function marketing.check_targeting_correction()
        """
    )


def downgrade() -> None:
    op.execute(
        "drop trigger if exists ad_campaign_products_correction"
        " on marketing.ad_campaign_products"
    )
    op.execute("drop function if exists marketing.check_targeting_correction()")
    op.execute(
        "drop trigger if exists ad_campaign_status_events_successor"
        " on marketing.ad_campaign_status_events"
    )
    op.execute("drop function if exists marketing.check_status_successor()")
    op.execute(
        "drop trigger if exists ad_campaign_status_events_time"
        " on marketing.ad_campaign_status_events"
    )
    op.execute("drop function if exists marketing.check_status_event_time()")
    # 0005_history's flight check, without the record
    op.execute(history.REQUIRE_CORRECTION_REASON)
    op.execute(
        "drop function if exists marketing.record_correction("
        "text, text, text, bigint, bigint, text, jsonb)"
    )
    # still with the search path 0008 set
    op.execute(
        history.HAS_LEFT_DRAFT.format(options=" set search_path = pg_catalog, pg_temp")
    )
    for function in (
        "correction_reason()",
        "status_event_horizon()",
        "correction_cutoff()",
    ):
        op.execute(f"drop function if exists marketing.{function}")
