from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RunStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class ChargeSource(models.TextChoices):
    """Where a charge comes from; ``Charge.source_id`` is the id of that row."""

    ASSET = "asset", _("Device (assignment)")
    SUBSCRIPTION = "subscription", _("Subscription")
    USAGE = "usage", _("Measured usage")
    ONE_OFF = "one_off", _("One-off charge")
    COST_POOL = "cost_pool", _("Shared cost")
    BUYOUT = "buyout", _("Buyout credit")
    SLA_CREDIT = "sla_credit", _("Service credit")


class AllocationBasis(models.TextChoices):
    """How one part of an allocation key weighs the municipalities."""

    EQUAL = "equal", _("Equal shares")
    POPULATION = "population", _("Population")
    PERSONS = "persons", _("Active persons")
    DEVICES = "devices", _("Assigned devices")
    FIXED = "fixed", _("Fixed percentages")
    CUSTOM = "custom", _("Custom weights")


# Bases whose weights are measured from the data on the key's date (the others are entered).
MEASURED_BASES = frozenset(
    {
        AllocationBasis.EQUAL,
        AllocationBasis.POPULATION,
        AllocationBasis.PERSONS,
        AllocationBasis.DEVICES,
    }
)


class VatCategory(models.TextChoices):
    """UNCL5305 VAT category codes used by Peppol BIS Billing 3.0."""

    STANDARD = "S", _("Standard rate")
    EXEMPT = "E", _("Exempt from VAT")
    NOT_SUBJECT = "O", _("Not subject to VAT")
