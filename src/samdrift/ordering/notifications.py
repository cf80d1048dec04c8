"""Notifications of an order's steps (issue #14, item 7).

``notify_transition`` is called by ``services.orders.record_transition`` — the one place
an order's audit row is written — so every step notifies, whichever channel made it.
Who is told:

- submitted (from draft): the budget owners who may approve it — the municipality's
  contacts and the manager(s) of the order's service area;
- a first approval of two (``submitted → submitted``): the budget owners who have not
  approved yet and may (not the one who placed it, unless the rule allows);
- approved: the operators, who accept and deliver;
- accepted, partly delivered, delivered, rejected, cancelled: the order's creator and
  the municipality's contacts.

Never the person who took the step. Each recipient gets a ``Notification`` (their inbox)
and, with an e-mail address, a mail — sent after the transaction commits, so a mail
server that fails never undoes the step (the failure is logged).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from samdrift.core.choices import Role
from samdrift.core.models import User
from samdrift.ordering.choices import OrderState
from samdrift.ordering.models import ApprovalRule, Notification, Order, OrderTransition

logger = logging.getLogger("samdrift.ordering.notifications")

TO_CREATOR = frozenset(
    {
        OrderState.ACCEPTED,
        OrderState.PARTLY_DELIVERED,
        OrderState.DELIVERED,
        OrderState.REJECTED,
        OrderState.CANCELLED,
    }
)


def order_url(order: Order) -> str:
    """The order's page."""
    return reverse("ordering:order_detail", kwargs={"pk": order.pk})


def _active(users):
    return users.filter(is_active=True)


def _budget_owners(order: Order):
    contacts = User.objects.filter(role=Role.MUNICIPALITY, municipality_id=order.municipality_id)
    managers = User.objects.none()
    if order.service_area_id is not None:
        managers = User.objects.filter(
            role=Role.SERVICE_AREA,
            municipality_id=order.municipality_id,
            service_area_id=order.service_area_id,
        )
    return _active(contacts | managers)


def recipients(order: Order, step: OrderTransition) -> list[User]:
    """The users told of ``step``, without the one who took it."""
    to = step.to_state
    if to == OrderState.SUBMITTED and step.from_state == OrderState.DRAFT:
        users = _budget_owners(order)
    elif to == OrderState.SUBMITTED:  # an approval, one more needed
        approved = order.transitions.exclude(approval_as="").values("by_id")
        users = _budget_owners(order).exclude(pk__in=approved)
        self_allowed = ApprovalRule.objects.filter(
            municipality_id=order.municipality_id, allow_self_approval=True
        ).exists()
        if not self_allowed and order.created_by_id is not None:
            users = users.exclude(pk=order.created_by_id)  # may not approve their own
    elif to == OrderState.APPROVED:
        users = _active(User.objects.filter(role=Role.OPERATOR))
    elif to in TO_CREATOR:
        contacts = User.objects.filter(
            role=Role.MUNICIPALITY, municipality_id=order.municipality_id
        )
        creator = User.objects.filter(pk=order.created_by_id)
        users = _active(contacts | creator)
    else:
        return []
    if step.by_id is not None:
        users = users.exclude(pk=step.by_id)
    return list(users.distinct().order_by("pk"))


def message(order: Order, step: OrderTransition) -> str:
    """One line saying what happened (in the active language)."""
    params = {"number": order.number, "municipality": order.municipality}
    if step.from_state == step.to_state == OrderState.SUBMITTED:
        text = _("Order %(number)s (%(municipality)s) has one approval and needs another.")
    else:
        texts = {
            OrderState.SUBMITTED: _(
                "Order %(number)s (%(municipality)s) is submitted and awaits your approval."
            ),
            OrderState.APPROVED: _(
                "Order %(number)s (%(municipality)s) is approved and awaits acceptance."
            ),
            OrderState.ACCEPTED: _("Order %(number)s is accepted for delivery."),
            OrderState.PARTLY_DELIVERED: _("Order %(number)s is partly delivered."),
            OrderState.DELIVERED: _("Order %(number)s is delivered."),
            OrderState.REJECTED: _("Order %(number)s is rejected."),
            OrderState.CANCELLED: _("Order %(number)s is cancelled."),
        }
        text = texts.get(step.to_state, _("Order %(number)s changed."))
    text = text % params
    if step.note:
        text = f"{text} {_('Reason')}: {step.note}"
    return text[:500]


# Off while a history is written after the fact (the demo's orders): the inboxes get the
# notifications, nobody gets mail about days long past.
_mail_off: contextvars.ContextVar[bool] = contextvars.ContextVar("order_mail_off", default=False)


@contextlib.contextmanager
def without_mail():
    """Notify into the inboxes only, sending no e-mail, within the block."""
    token = _mail_off.set(True)
    try:
        yield
    finally:
        _mail_off.reset(token)


def notify_transition(order: Order, step: OrderTransition) -> list[Notification]:
    """Create the notifications of ``step`` and queue their e-mails (sent on commit)."""
    users = recipients(order, step)
    if not users:
        return []
    text = message(order, step)
    url = order_url(order)
    notes = Notification.objects.bulk_create(
        [
            Notification(recipient=user, order=order, verb=step.to_state, text=text, url=url)
            for user in users
        ]
    )
    addresses = [user.email for user in users if user.email]
    if addresses and not _mail_off.get():
        subject = _("Samdrift: order %(number)s") % {"number": order.number}
        transaction.on_commit(lambda: _send(subject, text, url, addresses))
    return notes


def _send(subject: str, text: str, url: str, addresses: list[str]) -> None:
    """One mail per recipient (no one sees the others' addresses); failures logged."""
    body = f"{text}\n\n{settings.SAMDRIFT_BASE_URL}{url}\n"
    for address in addresses:
        try:
            send_mail(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [address],
                fail_silently=False,
            )
        except Exception:
            logger.exception("Could not send the order notification to %s", address)
