"""Fulfilment: deliveries of order lines, returns, and the notifications the steps send."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.core.choices import OPERATORS_ONLY
from samdrift.core.models import ChangeLoggedModel
from samdrift.ordering.choices import (
    OrderState,
    ReturnDisposition,
)
from samdrift.ordering.models.offers import BundlePart
from samdrift.ordering.models.orders import Order, OrderLine
from samdrift.ui.formatting import format_day


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
        return f"{self.line_id} ({format_day(self.delivered_on)})"


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
        return f"{self.municipality_id} {format_day(self.return_on)}"


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
