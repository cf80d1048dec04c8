"""Ordering's REST endpoints (issue #14): each module has ``register(router)``; the
project's urls.py calls ``register`` here, which calls each.

- ``catalogue``: catalogue-offers, bundles (monthly price for ``?municipality=``),
  bundle-parts, approval-rules;
- ``orders``: orders (the steps as POST actions; approval-queue, delivery-queue),
  order-lines (review), order-transitions (the audit trail);
- ``fulfilment``: deliveries (POST delivers), returns, purchasing figures;
- ``notifications``: the signed-in user's own notifications.
"""

from samdrift.ordering.api import catalogue, fulfilment, notifications, orders


def register(router) -> None:
    catalogue.register(router)
    orders.register(router)
    fulfilment.register(router)
    notifications.register(router)
