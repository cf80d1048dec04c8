"""Ordering from the standard catalogue: what may be ordered (offers and bundles), the
municipality's approval rule, orders with their lines and audit trail, deliveries and
returns (docs/ordering.md).

Prices are never stored on the catalogue side: a bundle's monthly price is computed from
its parts' price versions (``ordering.selectors``), the same price resolution billing
uses (``leasing.prices``). An order line keeps a *snapshot* of its price, taken when the
order is submitted, so that the approver approves a known amount.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.core.choices import Role
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField, UnitPriceField, non_negative
from samdrift.ordering.choices import ApprovalCapacity, LineKind, OrderState, ReturnDisposition

OPERATORS_ONLY: frozenset[str] = frozenset()  # operators may always write (core.permissions)
MUNICIPALITY_WRITERS: frozenset[str] = frozenset({Role.MUNICIPALITY, Role.SERVICE_AREA})


def one_item_constraint(name: str) -> models.CheckConstraint:
    """Exactly one of product and service is set."""
    return models.CheckConstraint(
        condition=(
            Q(product__isnull=False, service__isnull=True)
            | Q(product__isnull=True, service__isnull=False)
        ),
        name=name,
    )


def _item_error(instance) -> dict[str, str]:
    if bool(instance.product_id) == bool(instance.service_id):
        return {"product": _("Choose either a product or a service.")}
    return {}


# What may be ordered --------------------------------------------------------------------


class CatalogueOffer(ChangeLoggedModel):
    """A product or service the municipalities may order from the standard catalogue.

    The catalogue's own models are not edited: an item is orderable when it has an
    active offer (and its product or service is active). ``OfferRestriction`` rows limit
    an offer to some municipalities; without any, every member may order it.
    """

    product = models.OneToOneField(
        "catalogue.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offer",
    )
    service = models.OneToOneField(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offer",
    )
    standard = models.BooleanField(_("standard"), default=True)
    active = models.BooleanField(_("active"), default=True)
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), default=10, help_text=_("Expected days from acceptance to delivery.")
    )
    one_off_fee = MoneyField(
        _("one-off fee"),
        null=True,
        blank=True,
        validators=non_negative(),
        help_text=_("Charged once per unit delivered, e.g. installation. Empty: none."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("catalogue offer")
        verbose_name_plural = _("catalogue offers")
        ordering = ["pk"]
        constraints = [one_item_constraint("catalogue_offer_one_item")]

    def __str__(self) -> str:
        return str(self.item)

    @property
    def item(self):
        return self.product if self.product_id else self.service

    def clean(self) -> None:
        super().clean()
        errors = _item_error(self)
        if errors:
            raise ValidationError(errors)


class Bundle(ChangeLoggedModel):
    """Several items ordered as one ("Teacher workstation": laptop, dock, monitor, office
    licence). Its monthly price is the sum of its parts' prices for the ordering
    municipality on the day (``ordering.selectors.bundle_prices``), never stored."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=10)
    one_off_fee = MoneyField(_("one-off fee"), null=True, blank=True, validators=non_negative())
    active = models.BooleanField(_("active"), default=True)

    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("bundle")
        verbose_name_plural = _("bundles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BundlePart(ChangeLoggedModel):
    """One product or service in a bundle, in a quantity."""

    bundle = models.ForeignKey(
        Bundle, verbose_name=_("bundle"), on_delete=models.CASCADE, related_name="parts"
    )
    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bundle_parts",
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bundle_parts",
    )
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )

    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("bundle part")
        verbose_name_plural = _("bundle parts")
        ordering = ["bundle_id", "pk"]
        constraints = [
            one_item_constraint("bundle_part_one_item"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="bundle_part_quantity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"

    @property
    def item(self):
        return self.product if self.product_id else self.service

    def clean(self) -> None:
        super().clean()
        errors = _item_error(self)
        if errors:
            raise ValidationError(errors)


class OfferRestriction(ChangeLoggedModel):
    """ "Only these municipalities may order it": an offer or bundle with restriction rows
    is orderable only by the municipalities named; one without is open to every member."""

    offer = models.ForeignKey(
        CatalogueOffer,
        verbose_name=_("offer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="restrictions",
    )
    bundle = models.ForeignKey(
        Bundle,
        verbose_name=_("bundle"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="restrictions",
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="offer_restrictions",
    )

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("offer restriction")
        verbose_name_plural = _("offer restrictions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(offer__isnull=False, bundle__isnull=True)
                    | Q(offer__isnull=True, bundle__isnull=False)
                ),
                name="offer_restriction_one_target",
            ),
            models.UniqueConstraint(
                fields=["offer", "municipality"], name="offer_restriction_unique_offer"
            ),
            models.UniqueConstraint(
                fields=["bundle", "municipality"], name="offer_restriction_unique_bundle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer or self.bundle} → {self.municipality_id}"


# Who approves -----------------------------------------------------------------------------


class ApprovalRule(ChangeLoggedModel):
    """A municipality's approval rule. Without one: a single approval by a budget owner
    suffices and nobody approves their own order.

    An order whose added monthly cost exceeds ``contact_approval_above`` needs two
    approvals by two different people, one of them the municipality contact.
    """

    municipality = models.OneToOneField(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="approval_rule",
    )
    contact_approval_above = MoneyField(
        _("contact approval above (per month)"),
        null=True,
        blank=True,
        validators=non_negative(),
        help_text=_(
            "Orders adding more than this per month need the municipality contact's "
            "approval as well. Empty: never."
        ),
    )
    allow_self_approval = models.BooleanField(_("allow approving one's own orders"), default=False)

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = frozenset({Role.MUNICIPALITY})

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")

    def __str__(self) -> str:
        return str(self.municipality_id)


# Orders -------------------------------------------------------------------------------------


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


class Delivery(ChangeLoggedModel):
    """What was handed over for an order line: an asset (assigned from ``delivered_on``),
    a subscription (started on ``delivered_on``), or for a non-standard line without
    catalogue item, a quantity only. A bundle line's deliveries name the ``part``.

    An asset is in at most one open delivery (``returned_on`` empty): a database
    constraint backs the row lock that ``deliver_line`` takes.
    """

    line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="deliveries"
    )
    part = models.ForeignKey(
        BundlePart,
        verbose_name=_("bundle part"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    asset = models.ForeignKey(
        "inventory.Asset",
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    subscription = models.ForeignKey(
        "inventory.Subscription",
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    delivered_on = models.DateField(_("delivered on"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)

    municipality_path: ClassVar[str | None] = "line__order__municipality"
    service_area_path: ClassVar[str | None] = "line__order__service_area"
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["line_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset"],
                condition=Q(asset__isnull=False, returned_on__isnull=True),
                name="delivery_one_open_per_asset",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="delivery_quantity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} ({self.delivered_on.isoformat()})"


# Returns ------------------------------------------------------------------------------------


class Return(ChangeLoggedModel):
    """Equipment and services given back on a date (a person leaves, a device is
    replaced): its lines ended the assignments and subscriptions on ``return_on``."""

    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="returns",
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
    )
    person = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
    )
    return_on = models.DateField(_("return date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-return_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.return_on.isoformat()}"


class ReturnLine(ChangeLoggedModel):
    """One asset taken back (and where it went) or one subscription ended."""

    ret = models.ForeignKey(
        Return, verbose_name=_("return"), on_delete=models.CASCADE, related_name="lines"
    )
    asset = models.ForeignKey(
        "inventory.Asset",
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_lines",
    )
    subscription = models.ForeignKey(
        "inventory.Subscription",
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_lines",
    )
    disposition = models.CharField(
        _("disposition"), max_length=10, choices=ReturnDisposition.choices, blank=True
    )
    wipe_certificate = models.CharField(
        _("data-wipe certificate"),
        max_length=100,
        blank=True,
        help_text=_("Reference of the certificate that the device's data was erased."),
    )

    municipality_path: ClassVar[str | None] = "ret__municipality"
    service_area_path: ClassVar[str | None] = "ret__service_area"
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["ret_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(asset__isnull=False, subscription__isnull=True)
                    | Q(asset__isnull=True, subscription__isnull=False)
                ),
                name="return_line_one_item",
            ),
            models.CheckConstraint(
                condition=~Q(disposition=ReturnDisposition.DISPOSAL) | ~Q(wipe_certificate=""),
                name="return_line_disposal_has_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ret_id}: {self.asset_id or self.subscription_id}"


class Notification(models.Model):
    """A message to one user about an order's step (``ordering.notifications``): shown in
    their inbox until read, and sent by e-mail when they have an address.

    Private to its recipient: ``restrict`` shows it to nobody but the operators' full
    view; the inbox and the API filter on ``recipient`` themselves.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    verb = models.CharField(_("event"), max_length=20, choices=OrderState.choices, blank=True)
    text = models.CharField(_("text"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    municipality_path: ClassVar[str | None] = None
    tenant_private: ClassVar[bool] = True
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
        ]

    def __str__(self) -> str:
        return self.text
