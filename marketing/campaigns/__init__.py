"""Campaign management, by concern: the one writer of campaigns, their
targeting and status history.

- :mod:`.validation` — form input, field messages, the database's refusals
  in words;
- :mod:`.corrections` — the backdated-correction policy (admins, a reason);
- :mod:`.editing` — create, edit, delete drafts;
- :mod:`.status` — moves along the status graph (:mod:`marketing.rules`);
- :mod:`.targeting` — effective-dated product windows;
- :mod:`.history` and :mod:`.reads` — what the management pages show;
- :mod:`.bulk` — whole generated histories at once (demo, benchmark).

Every writer takes the caller's open connection and never commits.
"""

from marketing.campaigns.editing import (
    create_campaign,
    delete_campaign,
    update_campaign,
)
from marketing.campaigns.status import change_status
from marketing.campaigns.targeting import add_products, remove_product
from marketing.campaigns.validation import (
    AddProductsResult,
    CampaignInput,
    ConcurrencyError,
    ValidationError,
)

__all__ = [
    "AddProductsResult",
    "CampaignInput",
    "ConcurrencyError",
    "ValidationError",
    "add_products",
    "change_status",
    "create_campaign",
    "delete_campaign",
    "remove_product",
    "update_campaign",
]
