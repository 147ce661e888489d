"""Spend files: the one path from an ad platform's CSV export to
``marketing.ad_spend_daily``, shared by the app's upload page and the
orchestration's inbox sensor.

Three steps, each usable alone:

- :func:`parse` reads the file with a preset (Google Ads, Meta Ads) or a
  generic column mapping and checks every row on its own, collecting one
  :class:`RowError` per problem (line number, column, message);
- :func:`resolve` finds each row's campaign (by our id, or by the platform's
  own ``external_campaign_id``) and adds an error for each row it cannot, or
  whose campaign never launched, or whose day lies outside the campaign's
  life (the database's ``marketing.spend_days``, which refuses such rows
  from any writer);
- :func:`load` writes the rows only when there is no error at all, in one
  transaction, replacing the (campaign, day, source) rows a previous load of
  the same days wrote, and records who loaded what in ``app.audit_log``.

Dates are taken as written: the day of an export is the day the platform
charged, which docs/rules.md ("The sources") asks to be the day in the
reporting time zone (set the ad account's time zone to it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from marketing.audit import SPEND_LOADED, audit
from warehouse.paths import PROJECT_ROOT, local_dir

FIELDS = ("campaign", "spend_date", "spend", "impressions", "clicks")
REQUIRED = ("campaign", "spend_date", "spend")
# what the campaign column holds
BY_CAMPAIGN_ID = "campaign_id"
BY_EXTERNAL_ID = "external_campaign_id"
MAX_SPEND = Decimal("1e12")
# platforms write "--" or " --" for "no figure"
_EMPTY = {"", "--", "-", "n/a", "null"}
_DATE_FORMATS = ("%Y-%m-%d", "%b %d, %Y", "%a, %b %d, %Y", "%d %b %Y")
_GROUPED_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def inbox_folder() -> Path:
    """Where spend files are dropped for the orchestration to load:
    ATTRIBUTION_SPEND_INBOX (relative to the project), default
    ``.local/inbox/spend``."""
    raw = os.environ.get("ATTRIBUTION_SPEND_INBOX", "").strip()
    folder = Path(raw) if raw else local_dir() / "inbox" / "spend"
    return folder if folder.is_absolute() else PROJECT_ROOT / folder


@dataclass(frozen=True)
class Preset:
    """How one platform's export names its columns.

    Each field lists the headers it may have; a header ending in ``*``
    matches by prefix (Meta puts the currency in "Amount spent (EUR)").
    """

    key: str
    label: str
    source: str
    campaign_key: str
    platforms: tuple[str, ...]
    headers: dict[str, tuple[str, ...]]


PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in (
        Preset(
            key="google_ads",
            label="Google Ads (campaign report by day)",
            source="google_ads_csv",
            campaign_key=BY_EXTERNAL_ID,
            platforms=("google", "youtube"),
            headers={
                "campaign": ("Campaign ID",),
                "spend_date": ("Day", "Date"),
                "spend": ("Cost",),
                "impressions": ("Impr.", "Impressions"),
                "clicks": ("Clicks",),
            },
        ),
        Preset(
            key="meta_ads",
            label="Meta Ads (Ads Manager export by day)",
            source="meta_ads_csv",
            campaign_key=BY_EXTERNAL_ID,
            platforms=("facebook", "instagram"),
            headers={
                "campaign": ("Campaign ID",),
                "spend_date": ("Day", "Reporting starts"),
                "spend": ("Amount spent*",),
                "impressions": ("Impressions",),
                "clicks": ("Link clicks", "Clicks (all)"),
            },
        ),
    )
}
GENERIC = "generic"
GENERIC_SOURCE = "manual"


@dataclass(frozen=True)
class Mapping:
    """A generic file: which header holds each field, and what the campaign
    column holds (our campaign id or the platform's external id)."""

    columns: dict[str, str]
    campaign_key: str = BY_CAMPAIGN_ID
    platform: str | None = None
    source: str = GENERIC_SOURCE


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file (1 = the first line), 0 = the whole file
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        column = f", {self.column}" if self.column else ""
        return f"{where}{column}: {self.message}"


@dataclass
class SpendRow:
    line: int
    campaign_ref: str
    spend_date: date
    spend: Decimal
    impressions: int | None
    clicks: int | None
    campaign_id: int | None = None


@dataclass
class SpendFile:
    """A parsed file: its rows, and every problem found in it."""

    name: str
    source: str
    campaign_key: str
    platforms: tuple[str, ...]
    sha256: str
    rows: list[SpendRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    resolved: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def preview(self) -> pd.DataFrame:
        """The rows as read, with the campaign they resolved to (if resolved)."""
        return pd.DataFrame(
            [
                {
                    "line": row.line,
                    "campaign": row.campaign_ref,
                    "campaign_id": row.campaign_id,
                    "spend_date": row.spend_date,
                    "spend": row.spend,
                    "impressions": row.impressions,
                    "clicks": row.clicks,
                }
                for row in self.rows
            ],
            columns=[
                "line",
                "campaign",
                "campaign_id",
                "spend_date",
                "spend",
                "impressions",
                "clicks",
            ],
        )

    def error_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(e.line, e.column, e.message) for e in self.errors],
            columns=["line", "column", "problem"],
        )


@dataclass(frozen=True)
class LoadResult:
    source: str
    rows: int
    inserted: int
    replaced: int
    campaigns: int
    first_date: date | None
    last_date: date | None


class SpendFileError(ValueError):
    """The file has invalid rows: nothing was written."""

    def __init__(self, name: str, errors: list[RowError]) -> None:
        shown = "\n".join(f"  {error}" for error in errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(
            f"{name}: {len(errors)} problem(s), nothing was loaded:\n{shown}{more}"
        )
        self.name = name
        self.errors = errors


def _decode(data: bytes) -> str:
    # Google Ads' "Excel" CSV is UTF-16 with tabs; the rest is UTF-8
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def _normal(header: str) -> str:
    return " ".join(header.strip().lower().split())


def _find(headers: list[str], candidates: tuple[str, ...]) -> int | None:
    normal = [_normal(header) for header in headers]
    for candidate in candidates:
        wanted = _normal(candidate)
        for index, header in enumerate(normal):
            if wanted.endswith("*"):
                if header.startswith(wanted[:-1]):
                    return index
            elif header == wanted:
                return index
    return None


def _number(raw: str) -> str | None:
    value = raw.strip()
    if value.lower() in _EMPTY:
        return None
    if _GROUPED_NUMBER.match(value):
        value = value.replace(",", "")
    return value


def _date(raw: str) -> date:
    value = raw.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{raw!r} is not a date (write it as YYYY-MM-DD)")


def _money(raw: str) -> Decimal:
    value = _number(raw)
    if value is None:
        raise ValueError("spend is required")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"{raw!r} is not an amount")
    if amount < 0:
        raise ValueError("spend cannot be negative")
    if amount >= MAX_SPEND:
        raise ValueError("spend is too large")
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _count(raw: str | None, what: str) -> int | None:
    value = None if raw is None else _number(raw)
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not a whole number") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"{raw!r} is not a whole number")
    if number < 0:
        raise ValueError(f"{what} cannot be negative")
    if number >= 2**63:
        raise ValueError(f"{what} is too large")
    return int(number)


def parse(
    data: bytes | str,
    preset: str = "google_ads",
    mapping: Mapping | None = None,
    name: str = "upload.csv",
) -> SpendFile:
    """Read and check a file; never raises for bad content (see ``errors``)."""
    raw = data if isinstance(data, bytes) else data.encode()
    if preset == GENERIC:
        if mapping is None:
            raise ValueError("a generic file needs a column mapping")
        headers = {key: (column,) for key, column in mapping.columns.items() if column}
        source = mapping.source
        campaign_key = mapping.campaign_key
        platforms = (mapping.platform,) if mapping.platform else ()
    else:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}: one of {sorted(PRESETS)}")
        chosen = PRESETS[preset]
        headers, source = chosen.headers, chosen.source
        campaign_key, platforms = chosen.campaign_key, chosen.platforms
    parsed = SpendFile(
        name=name,
        source=source,
        campaign_key=campaign_key,
        platforms=platforms,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    try:
        content = _decode(raw)
    except UnicodeDecodeError:
        parsed.errors.append(RowError(0, None, "not a UTF-8 or UTF-16 text file"))
        return parsed
    if not content.strip():
        parsed.errors.append(RowError(0, None, "the file is empty"))
        return parsed
    try:
        records = _records(content)
    except csv.Error as error:
        parsed.errors.append(RowError(*_csv_problem(error)))
        return parsed

    # Exports may start with a title and a date range before the header.
    columns: dict[str, int | None] = {}
    header_index = None
    for index, record in enumerate(records[:20]):
        found = {key: _find(record, headers.get(key, ())) for key in FIELDS}
        if all(found[key] is not None for key in REQUIRED):
            columns, header_index = found, index
            break
    if header_index is None:
        missing = "; ".join(
            " or ".join(repr(h) for h in headers.get(key, ()) or (key,))
            for key in REQUIRED
        )
        parsed.errors.append(
            RowError(0, None, f"no header line with the columns {missing}")
        )
        return parsed

    seen: dict[tuple[str, date], int] = {}
    for index, record in enumerate(records[header_index + 1 :], header_index + 2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        # summary lines ("Total: Account", "Total: Campaigns")
        if cells[0].lower().startswith("total"):
            continue

        def cell(key: str, cells: list[str] = cells) -> str | None:
            position = columns.get(key)
            if position is None or position >= len(cells):
                return None
            return cells[position]

        row_errors: list[RowError] = []
        values: dict[str, Any] = {}
        campaign_ref = cell("campaign") or ""
        if not campaign_ref or campaign_ref.lower() in _EMPTY:
            row_errors.append(RowError(index, "campaign", "no campaign"))
        elif campaign_key == BY_CAMPAIGN_ID and not campaign_ref.isdigit():
            row_errors.append(
                RowError(index, "campaign", f"{campaign_ref!r} is not a campaign id")
            )
        for key, parse_value in (
            ("spend_date", _date),
            ("spend", _money),
            ("impressions", lambda raw: _count(raw, "impressions")),
            ("clicks", lambda raw: _count(raw, "clicks")),
        ):
            try:
                values[key] = parse_value(cell(key) or "")
            except ValueError as error:
                row_errors.append(RowError(index, key, str(error)))
        if not row_errors:
            day_key = (campaign_ref, values["spend_date"])
            if day_key in seen:
                row_errors.append(
                    RowError(
                        index,
                        "spend_date",
                        f"campaign {campaign_ref} on {values['spend_date']} is "
                        f"already on line {seen[day_key]}",
                    )
                )
            seen.setdefault(day_key, index)
        if row_errors:
            parsed.errors.extend(row_errors)
            continue
        parsed.rows.append(SpendRow(line=index, campaign_ref=campaign_ref, **values))
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(0, None, "the file has no spend rows"))
    return parsed


def resolve(conn: Connection, parsed: SpendFile) -> SpendFile:
    """Find each row's campaign; an error for every row that names none."""
    refs = sorted({row.campaign_ref for row in parsed.rows})
    if parsed.resolved or not refs:
        parsed.resolved = True
        return parsed
    life = (
        ", marketing.has_left_draft(id) as launched,"
        " lower(marketing.spend_days(id)) as first_day,"
        " upper(marketing.spend_days(id)) - 1 as last_day"
    )
    if parsed.campaign_key == BY_CAMPAIGN_ID:
        found = conn.execute(
            text(
                f"select id::text as ref, id{life} from marketing.ad_campaigns"
                " where id = any(cast(:ids as bigint[]))"
            ),
            {"ids": [int(ref) for ref in refs]},
        ).all()
    else:
        found = conn.execute(
            text(
                f"select external_campaign_id as ref, id{life}"
                " from marketing.ad_campaigns"
                " where external_campaign_id = any(:refs)"
                " and (cardinality(cast(:platforms as text[])) = 0"
                " or platform = any(cast(:platforms as text[])))"
            ),
            {"refs": refs, "platforms": list(parsed.platforms)},
        ).all()
    matches: dict[str, list[int]] = {}
    lives = {}
    for found_row in found:
        matches.setdefault(found_row.ref, []).append(found_row.id)
        lives[found_row.id] = found_row
    where = f" on {', '.join(parsed.platforms)}" if parsed.platforms else ""
    for row in parsed.rows:
        ids = matches.get(row.campaign_ref, [])
        if len(ids) == 1:
            row.campaign_id = ids[0]
            if problem := _outside_life(lives[row.campaign_id], row.spend_date):
                parsed.errors.append(RowError(row.line, *problem))
        elif not ids:
            what = (
                "campaign"
                if parsed.campaign_key == BY_CAMPAIGN_ID
                else ("campaign with external id")
            )
            parsed.errors.append(
                RowError(row.line, "campaign", f"no {what} {row.campaign_ref}{where}")
            )
        else:
            parsed.errors.append(
                RowError(
                    row.line,
                    "campaign",
                    f"external id {row.campaign_ref} names campaigns "
                    f"{', '.join(map(str, sorted(ids)))}: set the platform",
                )
            )
    parsed.errors.sort(key=lambda error: error.line)
    parsed.resolved = True
    return parsed


def _outside_life(campaign: Any, day: date) -> tuple[str, str] | None:
    """(column, message) when `day` cannot be a day of `campaign`'s spend."""
    if not campaign.launched:
        return (
            "campaign",
            f"campaign {campaign.id} is a DRAFT: it has not launched, so it has"
            " no spend (launch it, backdated if it ran, then load again)",
        )
    if not campaign.first_day <= day <= campaign.last_day:
        return (
            "spend_date",
            f"{day} is outside campaign {campaign.id}'s life ({campaign.first_day}"
            f" to {campaign.last_day})",
        )
    return None


def load(conn: Connection, parsed: SpendFile, loaded_by: str) -> LoadResult:
    """Write a resolved, valid file in the caller's transaction, and audit it.

    Raises :class:`SpendFileError` (writing nothing) when any row is invalid.
    A (campaign, day) this source loaded before is replaced, so loading the
    same file twice leaves the table as after the first load.
    """
    resolve(conn, parsed)
    if not parsed.is_valid:
        raise SpendFileError(parsed.name, parsed.errors)
    payload = [
        {
            "campaign_id": row.campaign_id,
            "spend_date": row.spend_date,
            "spend": row.spend,
            "impressions": row.impressions,
            "clicks": row.clicks,
        }
        for row in parsed.rows
    ]
    written = conn.execute(
        text(
            "insert into marketing.ad_spend_daily (campaign_id, spend_date, source,"
            " spend, impressions, clicks, loaded_by)"
            " select campaign_id, spend_date, :source, spend, impressions, clicks,"
            " :loaded_by from jsonb_to_recordset(cast(:rows as jsonb)) as r("
            " campaign_id bigint, spend_date date, spend numeric, impressions bigint,"
            " clicks bigint)"
            " on conflict (campaign_id, spend_date, source) do update set"
            " spend = excluded.spend, impressions = excluded.impressions,"
            " clicks = excluded.clicks, loaded_by = excluded.loaded_by"
            " returning (xmax = 0) as is_new"
        ),
        {
            "source": parsed.source,
            "loaded_by": loaded_by,
            "rows": json.dumps(payload, default=str),
        },
    ).all()
    inserted = sum(1 for (is_new,) in written if is_new)
    dates = [row.spend_date for row in parsed.rows]
    result = LoadResult(
        source=parsed.source,
        rows=len(written),
        inserted=inserted,
        replaced=len(written) - inserted,
        campaigns=len({row.campaign_id for row in parsed.rows}),
        first_date=min(dates, default=None),
        last_date=max(dates, default=None),
    )
    audit(
        conn,
        loaded_by,
        SPEND_LOADED,
        details={"file": parsed.name, "sha256": parsed.sha256, **vars(result)},
    )
    return result


def load_path(conn: Connection, path: Path, preset: str, loaded_by: str) -> LoadResult:
    """Parse, resolve and load one file from disk (the inbox's way in)."""
    parsed = parse(path.read_bytes(), preset=preset, name=path.name)
    return load(conn, parsed, loaded_by)


def _records(content: str) -> list[list[str]]:
    """The file's records; csv.Error (with the line) when one cannot be read."""
    reader = csv.reader(io.StringIO(content), delimiter=_delimiter(content))
    records = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as error:
        raise csv.Error(reader.line_num, str(error)) from error
    return records


def _csv_problem(error: csv.Error) -> tuple[int, None, str]:
    """A record the csv module refused, as a row error in words."""
    line, message = error.args if len(error.args) == 2 else (0, str(error))
    if "field limit" in str(message):
        message = (
            f"a field is longer than {csv.field_size_limit():,} characters:"
            " not a spend export (check the delimiter and the quotes)"
        )
    else:
        message = f"not a readable CSV file ({message})"
    return int(line), None, message


def header_candidates(data: bytes) -> list[str]:
    """The header names of a file: its first line with three or more cells."""
    try:
        content = _decode(data)
    except UnicodeDecodeError:
        return []
    try:
        for record in csv.reader(io.StringIO(content), delimiter=_delimiter(content)):
            cells = [cell.strip() for cell in record if cell.strip()]
            if len(cells) >= 3:
                return cells
    except csv.Error:
        pass
    return []


def _delimiter(content: str) -> str:
    try:
        sample = "\n".join(content.splitlines()[:20])
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def detect_preset(data: bytes) -> str | None:
    """The preset whose headers the file has (for files dropped without one)."""
    for key in PRESETS:
        parsed = parse(data, preset=key)
        if not any(error.line == 0 for error in parsed.errors):
            return key
    return None
