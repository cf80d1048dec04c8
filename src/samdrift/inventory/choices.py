from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    IN_STOCK = "in_stock", _("In stock")
    DEPLOYED = "deployed", _("Deployed")
    IN_REPAIR = "in_repair", _("In repair")
    RETIRED = "retired", _("Retired")
    DISPOSED = "disposed", _("Disposed")


# The lifecycle: ordered → in stock → deployed ⇄ in repair → retired → disposed.
ASSET_TRANSITIONS: dict[str, frozenset[str]] = {
    AssetStatus.ORDERED: frozenset({AssetStatus.IN_STOCK, AssetStatus.DEPLOYED}),
    AssetStatus.IN_STOCK: frozenset(
        {AssetStatus.DEPLOYED, AssetStatus.IN_REPAIR, AssetStatus.RETIRED}
    ),
    AssetStatus.DEPLOYED: frozenset(
        {AssetStatus.IN_STOCK, AssetStatus.IN_REPAIR, AssetStatus.RETIRED}
    ),
    AssetStatus.IN_REPAIR: frozenset(
        {AssetStatus.DEPLOYED, AssetStatus.IN_STOCK, AssetStatus.RETIRED}
    ),
    AssetStatus.RETIRED: frozenset({AssetStatus.DISPOSED, AssetStatus.IN_STOCK}),
    AssetStatus.DISPOSED: frozenset(),
}

# Statuses in which an asset can no longer be handed to anyone.
OUT_OF_SERVICE = frozenset({AssetStatus.RETIRED, AssetStatus.DISPOSED})

# Statuses of an asset in use by a municipality: the fleet that ages and falls due for
# replacement (ordered and in-stock devices are not in use; retired ones never again).
IN_SERVICE = frozenset({AssetStatus.DEPLOYED, AssetStatus.IN_REPAIR})


class AssetOrigin(models.TextChoices):
    PURCHASED = "purchased", _("Purchased")
    BOUGHT_OUT = "bought_out", _("Bought out from a municipality")
    LEASED = "leased", _("Leased from a lessor")
    MUNICIPALITY_OWNED = "municipality_owned", _("Owned by the municipality")


class AssetEventKind(models.TextChoices):
    """The lifecycle steps an operator records on an asset's page, each with its date and
    reason (``inventory.services.lifecycle``)."""

    RETURNED_TO_STOCK = "returned_to_stock", _("Returned to stock")
    SENT_TO_REPAIR = "sent_to_repair", _("Sent to repair")
    BACK_FROM_REPAIR = "back_from_repair", _("Back from repair")
    RETIRED = "retired", _("Retired")
    DISPOSED = "disposed", _("Disposed")


# The status each step moves the asset to, and the status it must come from where the
# transitions alone would allow more (back from repair is only from repair; deploying a
# device from stock is an assignment, not this step).
EVENT_STATUS: dict[str, str] = {
    AssetEventKind.RETURNED_TO_STOCK: AssetStatus.IN_STOCK,
    AssetEventKind.SENT_TO_REPAIR: AssetStatus.IN_REPAIR,
    AssetEventKind.BACK_FROM_REPAIR: AssetStatus.DEPLOYED,
    AssetEventKind.RETIRED: AssetStatus.RETIRED,
    AssetEventKind.DISPOSED: AssetStatus.DISPOSED,
}
EVENT_REQUIRES_STATUS: dict[str, str] = {
    AssetEventKind.BACK_FROM_REPAIR: AssetStatus.IN_REPAIR,
}


def events_allowed(status: str) -> list[str]:
    """The lifecycle steps open to an asset in ``status`` (``ASSET_TRANSITIONS``)."""
    allowed = ASSET_TRANSITIONS.get(status, frozenset())
    return [
        kind
        for kind in AssetEventKind.values
        if EVENT_STATUS[kind] in allowed and EVENT_REQUIRES_STATUS.get(kind, status) == status
    ]
