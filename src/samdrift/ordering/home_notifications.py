"""Ordering's notifications on the home page (``ui.notifications``) — not
``ordering.notifications``, which tells people of an order's steps (inbox and mail).

- a budget owner (a municipality contact, a service-area manager): the orders waiting
  for their approval, the "To approve" queue (``approver_queue``);
- an operator: approved orders waiting to be accepted (the order list filtered to
  them), and accepted orders with lines left to deliver, the "To deliver" queue
  (``operator_queue``).

One count query each, and none for a role with nothing to do here."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import ngettext

from samdrift.core.choices import Role
from samdrift.ordering.choices import OrderState
from samdrift.ordering.filtersets import OrderFilterSet
from samdrift.ordering.selectors import approver_queue, operator_queue
from samdrift.ui.cards import card
from samdrift.ui.notifications import Notification
from samdrift.ui.notifications import register as register_provider


def _budget_owner(user) -> bool:
    # As ``approver_queue`` decides (it is empty for everybody else).
    return user.role in (Role.MUNICIPALITY, Role.SERVICE_AREA) and not user.sees_all_municipalities


def to_approve(user, today: datetime.date, shared: dict) -> Notification | None:
    if not _budget_owner(user):
        return None
    count = approver_queue(user).count()
    label = ngettext("order waiting for your approval", "orders waiting for your approval", count)
    return Notification(label=label, count=count, url=reverse("ordering:approvals"))


def to_accept(user, today: datetime.date, shared: dict) -> Notification | None:
    if not user.is_operator:
        return None
    found = card(
        user=user,
        url_name="ordering:order_list",
        filterset_class=OrderFilterSet,
        params={"state": OrderState.APPROVED.value},
    )
    label = ngettext("approved order to accept", "approved orders to accept", found.count)
    return Notification(label=label, count=found.count, url=found.url)


def to_deliver(user, today: datetime.date, shared: dict) -> Notification | None:
    if not user.is_operator:
        return None
    count = operator_queue(user).count()
    label = ngettext("order to deliver", "orders to deliver", count)
    return Notification(label=label, count=count, url=reverse("ordering:deliveries"))


def register() -> None:
    register_provider("ordering.approve", to_approve, order=50)
    register_provider("ordering.accept", to_accept, order=51)
    register_provider("ordering.deliver", to_deliver, order=52)
