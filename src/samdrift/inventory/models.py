"""Assets, who holds them when (assignments), and the services taken (subscriptions).

Holding is effective-dated: an assignment or subscription covers the half-open period
``[valid_from, valid_to)``; history rows are closed, never overwritten, so billing a past
month gives the same answer later.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from samdrift.core.dating import period_constraint
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField, non_negative
from samdrift.inventory.choices import AssetEventKind, AssetOrigin, AssetStatus
from samdrift.ui.formatting import format_day


class Asset(ChangeLoggedModel):
    """One physical or logical thing the collaboration manages.

    ``municipality``, ``service_area``, ``person`` and ``location`` mirror the open
    assignment, kept in step by ``inventory.services.assign_asset``: they make "what does
    this municipality hold now" one indexed filter. History lives in ``Assignment``.
    """

    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="assets",
        db_index=False,  # the (product, asset_tag) index serves it
    )
    asset_tag = models.CharField(_("asset tag"), max_length=50, unique=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    name = models.CharField(
        _("name"), max_length=150, blank=True, help_text=_("Host name or label.")
    )
    model_name = models.CharField(
        _("model"),
        max_length=150,
        blank=True,
        help_text=_("The exact model, e.g. Lenovo ThinkPad T14 Gen 5."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssetStatus.choices,
        default=AssetStatus.IN_STOCK,
        db_index=True,
    )
    origin = models.CharField(
        _("origin"), max_length=20, choices=AssetOrigin.choices, default=AssetOrigin.PURCHASED
    )
    acquisition_date = models.DateField(_("acquisition date"), null=True, blank=True)
    acquisition_cost = MoneyField(
        _("acquisition cost"), null=True, blank=True, validators=non_negative()
    )
    lessor = models.CharField(_("lessor"), max_length=100, blank=True)
    lease_start = models.DateField(_("lease start"), null=True, blank=True)
    lease_end = models.DateField(_("lease end"), null=True, blank=True)
    planned_replacement = models.DateField(
        _("planned replacement"), null=True, blank=True, db_index=True
    )
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        editable=False,
        db_index=False,  # the (municipality, status) index serves it: one less to write
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        editable=False,
        db_index=False,  # the (service_area, asset_tag) index serves it
    )
    person = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        editable=False,
    )
    location = models.ForeignKey(
        "organisations.Location",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        editable=False,
    )

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["asset_tag"]
        constraints = [
            # Several old assets may lack a serial number; those that have one are unique.
            models.UniqueConstraint(
                fields=["serial_number"],
                condition=~Q(serial_number=""),
                name="asset_unique_serial_number",
            ),
            models.CheckConstraint(
                condition=(
                    Q(lease_end__isnull=True)
                    | Q(lease_start__isnull=True)
                    | Q(lease_end__gt=models.F("lease_start"))
                ),
                name="asset_lease_end_after_start",
            ),
        ]
        # Asset tags are compared ignoring case (imports look tags up by
        # UPPER(asset_tag)): an index on that expression keeps the look-up fast at a
        # million assets, on both engines. The list's default order is the asset tag:
        # (municipality | service area | product, asset_tag, id) give a contact's, a
        # manager's and a product filter's list in order straight from the index, so a
        # page (keyset or first) reads 50 rows, never sorts 20,000 (docs/ui.md, Paging).
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(Upper("asset_tag"), name="asset_tag_upper_idx"),
            models.Index(fields=["municipality", "asset_tag", "id"], name="asset_muni_tag_idx"),
            models.Index(fields=["service_area", "asset_tag", "id"], name="asset_area_tag_idx"),
            # A service-area manager's scope is (municipality, service area): their list is
            # counted and walked in tag order on this index alone. The one above holds no
            # municipality, so each of an area's 35,000 rows was read to check it (21 ms a
            # list page); kept for a filter on the service area alone.
            models.Index(
                fields=["service_area", "municipality", "asset_tag", "id"],
                name="asset_area_scope_idx",
            ),
            models.Index(fields=["product", "asset_tag", "id"], name="asset_product_tag_idx"),
        ]

    def __str__(self) -> str:
        return self.asset_tag

    def clean(self) -> None:
        super().clean()
        if self.lease_start and self.lease_end and self.lease_end <= self.lease_start:
            raise ValidationError({"lease_end": _("The lease must end after it starts.")})
        if self.acquisition_date and self.acquisition_date > datetime.date.today():
            raise ValidationError({"acquisition_date": _("The acquisition date is in the future.")})
        if (
            self.warranty_end
            and self.acquisition_date
            and self.warranty_end < self.acquisition_date
        ):
            raise ValidationError(
                {"warranty_end": _("The warranty cannot end before the asset was acquired.")}
            )


class Assignment(ChangeLoggedModel):
    """Which municipality, service area, person and location held an asset, from when to when."""

    # Both found through the composite indexes below (asset, valid_from) and
    # (municipality, valid_from): indexes of their own would only cost writes.
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        related_name="assignments",
        db_index=False,
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="assignments",
        db_index=False,
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    person = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    location = models.ForeignKey(
        "organisations.Location",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("First day no longer held. Empty: still held."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["asset_id", "valid_from"]
        constraints = [
            period_constraint("assignment_valid_to_after_from"),
            models.UniqueConstraint(
                fields=["asset", "valid_from"], name="assignment_unique_asset_start"
            ),
        ]
        # Not one on person: its foreign key has one already.
        # (municipality, asset, valid_from): a municipality's assignment list in its
        # default order, read from the index rather than sorting 20,000 rows a page.
        indexes = [
            models.Index(fields=["municipality", "valid_from"]),
            models.Index(fields=["valid_from", "valid_to"]),
            models.Index(
                fields=["municipality", "asset", "valid_from"], name="assignment_muni_asset_idx"
            ),
        ]

    def __str__(self) -> str:
        until = format_day(self.valid_to) if self.valid_to else "…"
        return f"{self.asset_id} → {self.municipality_id} ({format_day(self.valid_from)}–{until})"


class Subscription(ChangeLoggedModel):
    """A person, service area or municipality takes a service in some quantity from/to."""

    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    person = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    location = models.ForeignKey(
        "organisations.Location",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["municipality_id", "service_id", "valid_from"]
        constraints = [
            period_constraint("subscription_valid_to_after_from"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="subscription_quantity_gt_0"),
        ]
        indexes = [
            models.Index(fields=["municipality", "valid_from"]),
            models.Index(fields=["valid_from", "valid_to"]),
        ]

    def __str__(self) -> str:
        return f"{self.service} × {self.quantity} ({self.municipality})"


class UsageRecord(ChangeLoggedModel):
    """A measured quantity of a service used in one month: pages printed on a printer,
    hours of work. Entered or imported per month; billing prices it."""

    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="usage_records",
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="usage_records",
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="usage_records",
    )
    person = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="usage_records",
    )
    location = models.ForeignKey(
        "organisations.Location",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="usage_records",
    )
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="usage_records",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month measured."))
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(Decimal("0"))]
    )
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("Id in the source system (meter reading, ticket), for idempotent imports."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        ordering = ["month", "municipality_id", "service_id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="usage_quantity_gte_0"),
        ]
        indexes = [models.Index(fields=["month", "municipality"])]

    def __str__(self) -> str:
        return f"{self.service} × {self.quantity} ({self.month:%Y-%m})"

    def clean(self) -> None:
        super().clean()
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Give the first day of the month, e.g. 2026-11-01.")})


class AssetEvent(ChangeLoggedModel):
    """A lifecycle step of an asset (returned to stock, sent to repair, back from repair,
    retired, disposed): the day it happened, why, and who recorded it. Written with the
    status change by ``inventory.services.record_asset_event``; its tenancy is the
    asset's."""

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=30, choices=AssetEventKind.choices)
    on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=300)
    certificate_reference = models.CharField(
        _("data-wipe certificate"),
        max_length=100,
        blank=True,
        help_text=_("The reference of the certificate that the device's data was wiped."),
    )
    created_by = models.ForeignKey(
        "core.User",
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    municipality_path: ClassVar[str | None] = "asset__municipality"
    service_area_path: ClassVar[str | None] = "asset__service_area"

    class Meta:
        verbose_name = _("asset event")
        verbose_name_plural = _("asset events")
        ordering = ["asset_id", "on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=AssetEventKind.DISPOSED) | ~Q(certificate_reference=""),
                name="asset_event_disposal_has_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}: {self.get_kind_display()} {format_day(self.on)}"


class HolderRefresh(models.Model):
    """The day every asset's mirrored holder was last set to the assignment in force
    (``inventory.holders``). One row, shared by every process: a process that starts (a
    restarted worker) then looks only at the assignments that began or ended since that
    day, not at every asset — which takes seconds at the design scale. Bookkeeping, not
    data anyone owns: no tenancy, not in the UI or the API."""

    day = models.DateField()

    class Meta:
        verbose_name = _("holder refresh")
        verbose_name_plural = _("holder refreshes")

    def __str__(self) -> str:
        return format_day(self.day)
