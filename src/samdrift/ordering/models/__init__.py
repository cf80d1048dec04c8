"""Ordering from the standard catalogue: what may be ordered (offers and bundles), the
municipality's approval rule, orders with their lines and audit trail, deliveries and
returns (docs/ordering.md).

Prices are never stored on the catalogue side: a bundle's monthly price is computed from
its parts' price versions (``ordering.selectors``), the same price resolution billing
uses (``leasing.prices``). An order line keeps a *snapshot* of its price, taken when the
order is submitted, so that the approver approves a known amount.
"""

from samdrift.ordering.models.fulfilment import Delivery, Notification, Return, ReturnLine
from samdrift.ordering.models.offers import (
    ApprovalRule,
    Bundle,
    BundlePart,
    CatalogueOffer,
    OfferRestriction,
)
from samdrift.ordering.models.orders import Order, OrderLine, OrderNumberCounter, OrderTransition

__all__ = [
    "ApprovalRule",
    "Bundle",
    "BundlePart",
    "CatalogueOffer",
    "Delivery",
    "Notification",
    "OfferRestriction",
    "Order",
    "OrderLine",
    "OrderNumberCounter",
    "OrderTransition",
    "Return",
    "ReturnLine",
]
