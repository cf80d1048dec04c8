"""The fixed lists of the solutions portfolio (functions are a table the operator extends)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryForm(models.TextChoices):
    """Who runs a solution, which decides whether someone else processes its data."""

    OPERATIONS_CENTRE = "operations_centre", _("Run in the common operations centre")
    SAAS = "saas", _("SaaS")
    VENDOR_HOSTED = "vendor_hosted", _("Hosted by the vendor")
    LOCAL = "local", _("Local in the municipality")


# Only a solution run by the municipality itself has no data processor (GDPR art. 28).
PROCESSED_BY_OTHERS = frozenset(
    {DeliveryForm.OPERATIONS_CENTRE, DeliveryForm.SAAS, DeliveryForm.VENDOR_HOSTED}
)


class ServiceHours(models.TextChoices):
    BUSINESS = "business", _("Business hours (Mon–Fri 07:30–16:00)")
    EXTENDED = "extended", _("Extended (every day 07:00–22:00)")
    ALWAYS = "always", _("Around the clock (24/7)")


# Longer hours rank higher: asking "always" of a service delivered in business hours is a gap.
SERVICE_HOURS_RANK = {ServiceHours.BUSINESS: 1, ServiceHours.EXTENDED: 2, ServiceHours.ALWAYS: 3}


class Level(models.TextChoices):
    """Classification of confidentiality, integrity or availability."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Criticality(models.IntegerChoices):
    LOW = 1, _("1 – low")
    MEDIUM = 2, _("2 – medium")
    HIGH = 3, _("3 – high")


class GapKind(models.TextChoices):
    AVAILABILITY = "availability", _("Availability asked above what is delivered")
    SERVICE_HOURS = "service_hours", _("Service hours asked beyond what is delivered")
    PROCESSING_AGREEMENT = "processing_agreement", _("Personal data without a processing agreement")
    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment missing or older than 12 months")
    END_OF_SUPPORT = "end_of_support", _("Solution past its end of support")
