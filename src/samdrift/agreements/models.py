"""Service agreements: what a municipality has agreed with the collaboration, per period.

An agreement carries the municipality-specific prices that override the list price of a
product or service while the agreement is in force (billing reads them through
``agreements.selectors.agreed_prices_between``), and the service levels agreed per service
(``service_levels.py``): availability within service hours, response and resolution
targets per priority in business time of a service-hours calendar, and service credits.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.dating import period_constraint
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import UnitPriceField
from samdrift.ui.formatting import format_day, format_money


class ServiceAgreement(ChangeLoggedModel):
    """A municipality's agreement with the collaboration, in force over
    ``[valid_from, valid_to)``. A municipality has at most one agreement in force on a day."""

    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="service_agreements",
    )
    name = models.CharField(_("name"), max_length=150)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("Contract or case number.")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("First day no longer in force.")
    )
    notes = models.TextField(_("notes"), blank=True)
    maintenance_notice_days = models.PositiveSmallIntegerField(
        _("notice for planned maintenance (days)"),
        default=5,
        help_text=_(
            "Planned maintenance announced at least this many days before it starts does not "
            "count as downtime."
        ),
    )
    pause_awaiting_user = models.BooleanField(
        _("waiting for the user pauses the clock"), default=True
    )
    pause_awaiting_vendor = models.BooleanField(
        _("waiting for a vendor pauses the clock"), default=True
    )

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")
        ordering = ["municipality__number", "valid_from"]
        constraints = [
            period_constraint("service_agreement_valid_to_after_from"),
            models.UniqueConstraint(
                fields=["municipality", "valid_from"], name="service_agreement_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError(
                {
                    "valid_to": _("The agreement must end after it starts (%(date)s).")
                    % {"date": format_day(self.valid_from)}
                }
            )
        if self.municipality_id and self.valid_from:
            overlapping = ServiceAgreement.objects.filter(
                municipality_id=self.municipality_id
            ).exclude(pk=self.pk)
            overlapping = overlapping.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=self.valid_from)
            )
            if self.valid_to is not None:
                overlapping = overlapping.filter(valid_from__lt=self.valid_to)
            clash = overlapping.order_by("valid_from").first()
            if clash is not None:
                raise ValidationError(
                    {
                        "valid_from": _(
                            "Overlaps the agreement “%(name)s” (%(start)s–%(end)s); a "
                            "municipality has one agreement in force at a time."
                        )
                        % {
                            "name": clash.name,
                            "start": format_day(clash.valid_from),
                            "end": format_day(clash.valid_to) if clash.valid_to else "…",
                        }
                    }
                )


class AgreedPrice(ChangeLoggedModel):
    """The price a municipality pays for a product or service under its agreement,
    instead of the list price, for as long as the agreement is in force."""

    agreement = models.ForeignKey(
        ServiceAgreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="prices",
    )
    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreed_prices",
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreed_prices",
    )
    amount = UnitPriceField(_("agreed price"), help_text=_("Excluding VAT, in kroner."))
    note = models.CharField(_("note"), max_length=200, blank=True)

    municipality_path: ClassVar[str | None] = "agreement__municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("agreed price")
        verbose_name_plural = _("agreed prices")
        ordering = ["agreement_id", "product_id", "service_id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(product__isnull=False, service__isnull=True)
                    | Q(product__isnull=True, service__isnull=False)
                ),
                name="agreed_price_one_item",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="agreed_price_amount_gte_0"),
            models.UniqueConstraint(
                fields=["agreement", "product"], name="agreed_price_unique_product"
            ),
            models.UniqueConstraint(
                fields=["agreement", "service"], name="agreed_price_unique_service"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product or self.service}: {format_money(self.amount)}"

    def clean(self) -> None:
        super().clean()
        if (self.product_id is None) == (self.service_id is None):
            raise ValidationError(
                {"product": _("Give either a product or a service, not both or neither.")}
            )


# Service levels live in their own module; imported here so Django finds the models.
from samdrift.agreements.service_levels import (  # noqa: E402
    CalendarDay,
    CalendarHours,
    CreditRule,
    PriorityTarget,
    ServiceCalendar,
    ServiceLevel,
)

__all__ = [
    "AgreedPrice",
    "CalendarDay",
    "CalendarHours",
    "CreditRule",
    "PriorityTarget",
    "ServiceAgreement",
    "ServiceCalendar",
    "ServiceLevel",
]
