"""The municipality's approval, its rejection, the operator's review of non-standard
lines and the operator's acceptance.

Approving is a question of *who* by nature (a budget owner of the order), so these
services read the ambient actor's user and refuse anyone else, whatever the channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product, Service
from samdrift.core.actor import current_actor
from samdrift.core.choices import Role
from samdrift.ordering.choices import ApprovalCapacity, LineKind, OrderState
from samdrift.ordering.models import ApprovalRule, Order, OrderLine
from samdrift.ordering.services.orders import (
    lock_order,
    record_transition,
    set_totals,
    state_label,
    transition,
)


@dataclass(frozen=True)
class Rule:
    """A municipality's approval rule in force (the defaults when it has none)."""

    contact_approval_above: Decimal | None = None
    allow_self_approval: bool = False

    def needs_contact(self, monthly_total: Decimal | None) -> bool:
        """Does an order adding ``monthly_total`` a month need the contact as well?"""
        return (
            self.contact_approval_above is not None
            and (monthly_total or Decimal("0")) > self.contact_approval_above
        )


def rule_for(municipality_id: int) -> Rule:
    row = ApprovalRule.objects.filter(municipality_id=municipality_id).first()
    if row is None:
        return Rule()
    return Rule(row.contact_approval_above, row.allow_self_approval)


def set_approval_rule(
    *, municipality, contact_approval_above: Decimal | None, allow_self_approval: bool = False
) -> ApprovalRule:
    """Set a municipality's approval rule (creating it on first use)."""
    with transaction.atomic():
        rule = ApprovalRule.objects.select_for_update().filter(municipality=municipality).first()
        rule = rule or ApprovalRule(municipality=municipality)
        rule.contact_approval_above = contact_approval_above
        rule.allow_self_approval = allow_self_approval
        rule.full_clean()
        rule.save()
    return rule


def approvals_of(order: Order) -> list[tuple[int | None, str]]:
    """(user id, capacity) of every approval recorded for ``order``."""
    return list(
        order.transitions.exclude(approval_as="")
        .order_by("at", "pk")
        .values_list("by_id", "approval_as")
    )


def budget_owner_capacity(user, order: Order) -> str:
    """In which capacity ``user`` may approve ``order``; raises a ValidationError naming
    why not: not a budget owner of the municipality, or manager of another area."""
    if (
        user is None
        or user.role not in (Role.MUNICIPALITY, Role.SERVICE_AREA)
        or (user.municipality_id != order.municipality_id)
    ):
        raise ValidationError(
            {
                "user": _(
                    "Only a budget owner of %(municipality)s — the municipality contact or "
                    "the manager of the order's service area — may approve or reject it."
                )
                % {"municipality": order.municipality}
            }
        )
    if user.role == Role.SERVICE_AREA:
        if order.service_area_id is None or user.service_area_id != order.service_area_id:
            raise ValidationError(
                {
                    "service_area": _("You manage %(yours)s; this order is charged to %(theirs)s.")
                    % {
                        "yours": user.service_area,
                        "theirs": order.service_area or _("the municipality as a whole"),
                    }
                }
            )
        return ApprovalCapacity.MANAGER
    return ApprovalCapacity.CONTACT


def approve_order(*, order: Order, note: str = "") -> Order:
    """Approve a submitted order as the current user, a budget owner.

    One approval suffices, unless the order's added monthly cost exceeds the
    municipality's ``contact_approval_above``: then two different people must approve,
    one of them the municipality contact. The order stays *submitted* until the last
    approval needed; each approval is an ``OrderTransition`` row with ``approval_as``.
    Approving one's own order is refused unless the rule allows it.
    """
    user = current_actor().resolved_user()
    with transaction.atomic():
        order = lock_order(order)
        if order.state != OrderState.SUBMITTED:
            raise ValidationError(
                {
                    "state": _("Only a submitted order can be approved; %(number)s is %(state)s.")
                    % {"number": order.number, "state": state_label(order.state)}
                }
            )
        # The budget owner approves a priced total: a non-standard request is priced by
        # the operator's review first (else a review could raise an approved total).
        unpriced = order.lines.filter(kind=LineKind.NON_STANDARD, reviewed=False)
        if unpriced.exists():
            raise ValidationError(
                {
                    "lines": _(
                        "“%(what)s” is a non-standard request the operator has not priced yet; "
                        "approve the order once it is priced."
                    )
                    % {"what": unpriced.order_by("pk").first().description}
                }
            )
        capacity = budget_owner_capacity(user, order)
        rule = rule_for(order.municipality_id)
        if order.created_by_id == user.pk and not rule.allow_self_approval:
            raise ValidationError(
                {"created_by": _("You placed this order; another budget owner must approve it.")}
            )
        approvals = approvals_of(order)
        if any(by == user.pk for by, _capacity in approvals):
            raise ValidationError({"user": _("You have already approved this order.")})
        needs_contact = rule.needs_contact(order.monthly_total)
        capacities = [c for _by, c in approvals] + [capacity]
        if needs_contact:
            has_contact = ApprovalCapacity.CONTACT in capacities
            if not has_contact and len(capacities) >= 2:
                raise ValidationError(
                    {
                        "user": _(
                            "The order adds more than %(limit)s a month: it now needs the "
                            "municipality contact's approval."
                        )
                        % {"limit": rule.contact_approval_above}
                    }
                )
            complete = has_contact and len(capacities) >= 2
        else:
            complete = True
        if complete:
            transition(order, OrderState.APPROVED, note=note, approval_as=capacity)
        else:
            record_transition(
                order,
                from_state=OrderState.SUBMITTED,
                to_state=OrderState.SUBMITTED,
                note=note,
                approval_as=capacity,
            )
    return order


def reject_order(*, order: Order, reason: str) -> Order:
    """Reject an order, saying why: a submitted one by a budget owner of it (or an
    operator), an approved one by an operator (who cannot supply it)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the order is rejected.")})
    user = current_actor().resolved_user()
    with transaction.atomic():
        order = lock_order(order)
        operator = user is None or user.is_operator
        if order.state == OrderState.SUBMITTED and not operator:
            budget_owner_capacity(user, order)
        elif order.state == OrderState.APPROVED and not operator:
            raise ValidationError(
                {"user": _("An approved order can only be rejected by the operator.")}
            )
        transition(order, OrderState.REJECTED, note=reason.strip())
    return order


def review_line(
    *,
    line: OrderLine,
    monthly_price: Decimal,
    one_off_fee: Decimal | None = None,
    product: Product | None = None,
    service: Service | None = None,
    note: str = "",
) -> OrderLine:
    """The operator's review of a non-standard line: its monthly unit price (and one-off
    fee), and the catalogue product or service it will be delivered as, if any. Refreshes
    the order's totals. Possible while the order is submitted and not yet approved by
    anyone: the budget owners approve the priced total."""
    errors: dict[str, str] = {}
    if monthly_price is None or Decimal(monthly_price) < 0:
        errors["monthly_price"] = _("Give the monthly price (0 or more).")
    if one_off_fee is not None and Decimal(one_off_fee) < 0:
        errors["one_off_fee"] = _("The one-off fee cannot be negative.")
    if product is not None and service is not None:
        errors["product"] = _("Choose either a product or a service, not both.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        order = lock_order(line.order_id)
        line = OrderLine.objects.select_for_update().get(pk=line.pk)
        if line.kind != LineKind.NON_STANDARD:
            raise ValidationError({"kind": _("Only a non-standard request is reviewed.")})
        if order.state != OrderState.SUBMITTED or approvals_of(order):
            raise ValidationError(
                {
                    "state": _(
                        "A non-standard request is priced before the order is approved; "
                        "%(number)s is %(state)s."
                    )
                    % {"number": order.number, "state": state_label(order.state)}
                }
            )
        line.monthly_price = Decimal(monthly_price)
        line.one_off_fee = None if one_off_fee is None else Decimal(one_off_fee)
        line.product, line.service = product, service
        line.price_source = "review"
        line.reviewed, line.reviewed_at, line.review_note = True, timezone.now(), note
        line.full_clean()
        line.save()
        set_totals(order, list(order.lines.all()))
    return line


def accept_order(*, order: Order, note: str = "") -> Order:
    """The operator accepts an approved order for delivery. Every non-standard line must
    have been reviewed and priced first."""
    with transaction.atomic():
        order = lock_order(order)
        if order.state != OrderState.APPROVED:
            raise ValidationError(
                {
                    "state": _("Only an approved order can be accepted; %(number)s is %(state)s.")
                    % {"number": order.number, "state": state_label(order.state)}
                }
            )
        unreviewed = [
            line.description
            for line in order.lines.filter(kind=LineKind.NON_STANDARD, reviewed=False)
        ]
        if unreviewed:
            raise ValidationError(
                {
                    "lines": _("Review and price the non-standard request first: %(lines)s.")
                    % {"lines": "; ".join(unreviewed)}
                }
            )
        transition(order, OrderState.ACCEPTED, note=note)
    return order
