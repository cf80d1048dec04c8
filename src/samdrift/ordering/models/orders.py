"""Orders, their lines (with the price snapshot taken on submission) and their audit
trail of transitions."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.core.choices import OPERATORS_ONLY
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField, UnitPriceField
from samdrift.ordering.choices import (
    MUNICIPALITY_WRITERS,
    ApprovalCapacity,
    LineKind,
    OrderState,
)
from samdrift.ordering.models.offers import Bundle


class OrderNumberCounter(models.Model):
    """The last order number given in a year (locked while the next is taken)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("order number counter")
        verbose_name_plural = _("order number counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Order(ChangeLoggedModel):
    """A municipality's order: lines of catalogue items, bundles or non-standard requests,
    for persons or a service area (the cost centre). Its ``state`` changes only through
    ``ordering.services.orders.transition`` (table in ``ordering.states``).

    ``monthly_total`` and ``one_off_total`` are snapshots taken at submission: the sum of
    the priced lines (non-standard lines count once the operator has priced them).
    """

    number = models.CharField(_("number"), max_length=20, unique=True)
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,  # the (municipality, state) index serves it
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area (cost centre)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    delivery_location = models.ForeignKey(
        "organisations.Location",
        verbose_name=_("delivery location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    comment = models.TextField(_("comment"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=OrderState.choices, default=OrderState.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    monthly_total = MoneyField(_("added monthly cost"), null=True, blank=True)
    one_off_total = MoneyField(_("one-off fees"), null=True, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"
    write_roles: ClassVar[frozenset[str]] = MUNICIPALITY_WRITERS

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["municipality", "state"], name="order_municipality_state"),
            models.Index(fields=["state", "submitted_at"], name="order_state_submitted"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(ChangeLoggedModel):
    """One item of an order in a quantity, for a person (the recipient) or, without one,
    for the order's service area (a class set of pupil devices).

    ``monthly_price`` and ``one_off_fee`` are unit prices snapshotted at submission (for a
    non-standard line: set by the operator's review). ``delivered_quantity`` counts units
    delivered (for a bundle: whole bundles, every part delivered).
    """

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
    )
    bundle = models.ForeignKey(
        Bundle,
        verbose_name=_("bundle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    person = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
    )
    monthly_price = UnitPriceField(_("monthly price (each)"), null=True, blank=True)
    price_source = models.CharField(_("price source"), max_length=10, blank=True)
    one_off_fee = MoneyField(_("one-off fee (each)"), null=True, blank=True)
    delivered_quantity = models.PositiveIntegerField(_("delivered"), default=0)
    reviewed = models.BooleanField(_("reviewed"), default=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    municipality_path: ClassVar[str | None] = "order__municipality"
    service_area_path: ClassVar[str | None] = "order__service_area"
    write_roles: ClassVar[frozenset[str]] = MUNICIPALITY_WRITERS

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_gte_1"),
            models.CheckConstraint(
                condition=Q(delivered_quantity__lte=models.F("quantity")),
                name="order_line_delivered_lte_quantity",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=LineKind.PRODUCT, product__isnull=False, bundle__isnull=True)
                    | Q(kind=LineKind.SERVICE, service__isnull=False, bundle__isnull=True)
                    | Q(kind=LineKind.BUNDLE, bundle__isnull=False)
                    | Q(kind=LineKind.NON_STANDARD, bundle__isnull=True)
                ),
                name="order_line_kind_matches_item",
            ),
        ]
        indexes = [models.Index(fields=["kind", "product"], name="order_line_kind_product")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.label} × {self.quantity}"

    @property
    def label(self) -> str:
        if self.kind == LineKind.NON_STANDARD:
            return self.description
        item = self.bundle or self.product or self.service
        return str(item)

    @property
    def outstanding(self) -> int:
        return self.quantity - self.delivered_quantity


class OrderTransition(ChangeLoggedModel):
    """The audit trail of an order: every state change, and every approval (an approval
    that is not yet the last one needed keeps the state: ``from_state == to_state``)."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(_("from"), max_length=20, choices=OrderState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=OrderState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(_("actor"), max_length=150)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    approval_as = models.CharField(
        _("approved as"), max_length=10, choices=ApprovalCapacity.choices, blank=True
    )

    municipality_path: ClassVar[str | None] = "order__municipality"
    service_area_path: ClassVar[str | None] = "order__service_area"
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("order transition")
        verbose_name_plural = _("order transitions")
        ordering = ["order_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_state} → {self.to_state}"
