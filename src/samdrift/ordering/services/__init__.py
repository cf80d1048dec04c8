"""Write operations of ordering (docs/ordering.md). The public names are re-exported here.

- ``orders``: numbering, ``transition`` (the one way an order's state changes), drafting,
  submitting, cancelling;
- ``approval``: the municipality's approval rule, approving, rejecting, the operator's
  review of non-standard lines and acceptance;
- ``delivery``: delivering line by line (assets assigned and subscriptions started from
  the delivery date);
- ``returns``: returns ending assignments and subscriptions on the return date.
"""

from samdrift.ordering.services.approval import (
    accept_order,
    approve_order,
    reject_order,
    review_line,
    set_approval_rule,
)
from samdrift.ordering.services.delivery import deliver_line
from samdrift.ordering.services.orders import (
    add_line,
    cancel_order,
    create_order,
    remove_line,
    submit_order,
    transition,
    update_line,
    update_order,
)
from samdrift.ordering.services.returns import ReturnItem, return_assets

__all__ = [
    "ReturnItem",
    "accept_order",
    "add_line",
    "approve_order",
    "cancel_order",
    "create_order",
    "deliver_line",
    "reject_order",
    "remove_line",
    "return_assets",
    "review_line",
    "set_approval_rule",
    "submit_order",
    "transition",
    "update_line",
    "update_order",
]
