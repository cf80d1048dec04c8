"""The standard catalogue: product classes, services, their effective-dated prices, and the
lease models that finance equipment."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.choices import ServiceUnit
from samdrift.core.choices import Role
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField, UnitPriceField, non_negative
from samdrift.ui.formatting import format_day

FINANCE_ROLES: frozenset[str] = frozenset({Role.OPERATOR, Role.FINANCE})
STANDARD_VAT_RATE = Decimal("25.00")
MAX_USEFUL_LIFE_MONTHS = 60  # Norwegian municipalities depreciate ICT over at most 5 years.


def vat_rate_field() -> models.DecimalField:
    return models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=STANDARD_VAT_RATE,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )


class ProductCategory(ChangeLoggedModel):
    """A kind of equipment (laptop, A3 multifunction printer, smartphone)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    useful_life_months = models.PositiveSmallIntegerField(
        _("useful life (months)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_USEFUL_LIFE_MONTHS)],
    )
    # Points up to the leasing app (by name, so catalogue never imports it): a category's
    # lease model is part of the catalogue's API and forms, so the field stays here.
    lease_model = models.ForeignKey(
        "leasing.LeaseModel",
        verbose_name=_("lease model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="categories",
    )

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(ChangeLoggedModel):
    """A standard catalogue item: a class of device such as "Standard laptop 14in"."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    model_number = models.CharField(_("model number"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    standard_cost = MoneyField(
        _("standard acquisition cost"),
        default=Decimal("0"),
        validators=non_negative(),
        help_text=_("What the ICT organisation pays for one, excluding VAT."),
    )
    useful_life_months = models.PositiveSmallIntegerField(
        _("useful life (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_USEFUL_LIFE_MONTHS)],
        help_text=_("Empty: the category's useful life."),
    )
    vat_rate = vat_rate_field()
    is_standard = models.BooleanField(
        _("standard item"),
        default=True,
        help_text=_("Offered in the standard catalogue; other items are non-standard requests."),
    )
    active = models.BooleanField(_("active"), default=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["category__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_useful_life_months(self) -> int:
        return self.useful_life_months or self.category.useful_life_months


class Service(ChangeLoggedModel):
    """A non-device service sold to municipalities, priced per unit."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=ServiceUnit.choices)
    vat_rate = vat_rate_field()
    vat_exemption_reason = models.CharField(
        _("VAT exemption reason"),
        max_length=200,
        blank=True,
        help_text=_("Required when the VAT rate is 0."),
    )
    active = models.BooleanField(_("active"), default=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.vat_rate == 0 and not self.vat_exemption_reason.strip():
            raise ValidationError(
                {"vat_exemption_reason": _("A service without VAT needs the exemption reason.")}
            )


class PriceVersion(ChangeLoggedModel):
    """The monthly (or per-unit) list price of one product or service, in force from
    ``valid_from`` until ``valid_to`` (exclusive; empty = until further notice).

    A new price never edits an old one: publishing closes the open version and adds a new
    one, so the price of any past day can always be looked up again.
    """

    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="price_versions",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="price_versions",
    )
    amount = UnitPriceField(_("price"), help_text=_("Excluding VAT, in kroner."))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("price version")
        verbose_name_plural = _("price versions")
        ordering = ["product_id", "service_id", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(product__isnull=False, service__isnull=True)
                    | Q(product__isnull=True, service__isnull=False)
                ),
                name="price_version_one_item",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="price_version_valid_to_after_from",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="price_version_amount_gte_0"),
            models.UniqueConstraint(
                fields=["product", "valid_from"], name="price_version_unique_product_start"
            ),
            models.UniqueConstraint(
                fields=["service", "valid_from"], name="price_version_unique_service_start"
            ),
        ]

    def __str__(self) -> str:
        until = format_day(self.valid_to) if self.valid_to else "…"
        return f"{self.item}: {self.amount} ({format_day(self.valid_from)}–{until})"

    @property
    def item(self) -> Product | Service | None:
        return self.product or self.service
