"""Plant a known fault, run the suite, name the tests that caught it.

    .venv/bin/python -m tests.planted_faults            # every fault
    .venv/bin/python -m tests.planted_faults split_rounded_per_row -- -x

Each fault is one small edit of the rules or the machinery that a careless
change could make. The suite must fail on every one: a fault that no test
catches is a hole in the net. The edit is made in the working tree and
undone afterwards whatever happens; the edited file must be unchanged in
git before it starts. Extra arguments after `--` go to pytest.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Fault:
    path: str
    old: str
    new: str
    what: str


FAULTS = {
    "split_rounded_per_row": Fault(
        "macros/split_exactly.sql",
        """    cast(
        {{ integer_divide("(" ~ units ~ " - " ~ remainder ~ ")", k) }}
        + case when {{ rank }} <= {{ remainder }} then 1 else 0 end
        as decimal(20, 0)
    )""",
        """    cast(round(({{ units }}) * 1.0 / {{ k }}) as decimal(20, 0))""",
        "SPLIT shares rounded per row instead of divided exactly",
    ),
    "targeting_end_inclusive": Fault(
        "macros/activity_windows.sql",
        "    {{ return(half_open_window(effective_from, effective_to)) }}",
        "    {{ return('tstzrange(' ~ effective_from ~ ', ' ~ effective_to"
        " ~ \", '[]')\") }}",
        "a targeting window's effective_to treated as inclusive",
    ),
    "current_status_not_history": Fault(
        "models/intermediate/attribution/int_campaign_running_intervals.sql",
        """status_events as (
    select * from {{ ref('stg_marketing__ad_campaign_status_events') }}
),""",
        """status_events as (
    select
        events.campaign_id,
        min(events.status_event_id) as status_event_id,
        campaigns.campaign_status as to_status,
        min(events.changed_at) as changed_at
    from {{ ref('stg_marketing__ad_campaign_status_events') }} as events
    inner join {{ ref('stg_marketing__ad_campaigns') }} as campaigns
        on events.campaign_id = campaigns.campaign_id
    group by events.campaign_id, campaigns.campaign_status
),""",
        "the campaign's current status used instead of its status at sale time",
    ),
    "refund_not_reversed": Fault(
        "dbt_project.yml",
        'reversal_statuses: ["cancelled", "refunded"]',
        'reversal_statuses: ["cancelled"]',
        "a refund does not reverse the credit",
    ),
    "frequent_run_skips_campaign_edit": Fault(
        "macros/affected_order_items.sql",
        """        {{ incremental_engine.changed_keys(
            campaigns, 'campaign_id', since, when_changed=['starts_at', 'ends_at']) }}
        union
""",
        "",
        "a frequent run skips the items of a campaign whose flight changed",
    ),
    "sensor_ignores_campaigns": Fault(
        "orchestration/jobs/changes.py",
        '("snap_marketing__ad_campaigns",)\n',
        '("snap_marketing__ad_campaign_products",)\n',
        "the change sensor does not notice a changed campaign",
    ),
}

FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.MULTILINE)


def plant(name: str, pytest_args: list[str]) -> list[str]:
    """Run pytest with fault `name` planted; the failing tests' ids."""
    fault = FAULTS[name]
    path = ROOT / fault.path
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", fault.path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if dirty:
        raise SystemExit(f"{fault.path} has uncommitted changes: commit them first")
    original = path.read_text()
    if original.count(fault.old) != 1:
        raise SystemExit(
            f"{name}: the text to change is not in {fault.path} exactly once;"
            " update the fault to the code"
        )
    path.write_text(original.replace(fault.old, fault.new))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-rfE", *pytest_args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        path.write_text(original)
    failed = sorted(set(FAILED.findall(result.stdout)))
    if result.returncode not in (0, 1):
        print(result.stdout[-4000:], result.stderr[-4000:], file=sys.stderr)
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("faults", nargs="*", help=f"some of {', '.join(FAULTS)}")
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    pytest_args = argv[split + 1 :]
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults: {sorted(unknown)}")
    missed = []
    for name in args.faults or list(FAULTS):
        failed = plant(name, pytest_args)
        print(f"{name}: {FAULTS[name].what}")
        print(f"  caught by {len(failed)} tests" if failed else "  NOT CAUGHT")
        for test in failed:
            print(f"    {test}")
        sys.stdout.flush()
        if not failed:
            missed.append(name)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
