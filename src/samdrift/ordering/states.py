"""The order state machine: one transition table, read by ``services.orders.transition``.

::

    draft ──► submitted ──► approved ──► accepted ──► partly_delivered ──► delivered
      │           │  │          │  │         │   └──────────────────────────►┘
      ▼           ▼  ▼          ▼  ▼         ▼
    cancelled  rejected/cancelled  rejected/cancelled  cancelled

No state is skipped: an order is approved only after it was submitted, accepted only
after it was approved, delivered only after it was accepted. ``accepted → delivered``
is the one-go delivery of everything (no partial step in between). ``delivered``,
``rejected`` and ``cancelled`` are final. Cancelling is possible until the first
delivery; an approved order can still be rejected (by the operator, who cannot supply it).
"""

from __future__ import annotations

from samdrift.ordering.choices import OrderState

S = OrderState

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.ACCEPTED, S.REJECTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.PARTLY_DELIVERED, S.DELIVERED, S.CANCELLED}),
    S.PARTLY_DELIVERED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}

FINAL_STATES = frozenset(state for state, nexts in TRANSITIONS.items() if not nexts)

# Orders still in progress: counted by the queues and the purchasing views.
OPEN_STATES = frozenset({S.SUBMITTED, S.APPROVED, S.ACCEPTED, S.PARTLY_DELIVERED})

# Orders the collaboration has promised or is about to promise to deliver: their
# undelivered quantities are what purchasing must buy.
PENDING_STATES = frozenset({S.APPROVED, S.ACCEPTED, S.PARTLY_DELIVERED})

# Orders the operator delivers from.
DELIVERABLE_STATES = frozenset({S.ACCEPTED, S.PARTLY_DELIVERED})

# Orders whose lines may still be edited by the municipality.
EDITABLE_STATES = frozenset({S.DRAFT})


def allowed(from_state: str, to_state: str) -> bool:
    """May an order go from ``from_state`` to ``to_state`` in one step?"""
    return to_state in TRANSITIONS.get(from_state, frozenset())
