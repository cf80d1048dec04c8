"""The state machine: every pair of states, through the one function that changes them."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from samdrift.core.actor import acting_as
from samdrift.ordering.choices import OrderState
from samdrift.ordering.models import Order, OrderTransition
from samdrift.ordering.services.orders import transition

S = OrderState
# Written out here, not read from ordering.states: the table the issue describes.
ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.CANCELLED),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.CANCELLED),
    (S.APPROVED, S.ACCEPTED),
    (S.APPROVED, S.REJECTED),
    (S.APPROVED, S.CANCELLED),
    (S.ACCEPTED, S.PARTLY_DELIVERED),
    (S.ACCEPTED, S.DELIVERED),
    (S.ACCEPTED, S.CANCELLED),
    (S.PARTLY_DELIVERED, S.DELIVERED),
}
PAIRS = list(itertools.product(S.values, S.values))


@pytest.mark.parametrize(("start", "to"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_transition_is_allowed_or_refused_by_the_table(world, start, to):
    order = world.order()
    Order.objects.filter(pk=order.pk).update(state=start)
    order.refresh_from_db()
    with acting_as(world.operator):
        if (start, to) in ALLOWED:
            row = transition(order, to, note="why")
            order.refresh_from_db()
            assert order.state == to
            assert (row.from_state, row.to_state, row.by, row.note) == (
                start,
                to,
                world.operator,
                "why",
            )
            assert row.at is not None and row.actor
        else:
            with pytest.raises(ValidationError) as error:
                transition(order, to)
            assert "state" in error.value.message_dict
            order.refresh_from_db()
            assert order.state == start
            assert not OrderTransition.objects.filter(order=order).exists()


def test_submission_and_acceptance_are_stamped(world):
    order = world.order()
    with acting_as(world.operator):
        transition(order, S.SUBMITTED)
        transition(order, S.APPROVED)
        transition(order, S.ACCEPTED)
    order.refresh_from_db()
    assert order.submitted_at is not None and order.accepted_at >= order.submitted_at
    assert list(order.transitions.values_list("to_state", flat=True)) == [
        S.SUBMITTED,
        S.APPROVED,
        S.ACCEPTED,
    ]
