from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentTiming(models.TextChoices):
    ARREARS = "arrears", _("in arrears (end of month)")
    ADVANCE = "advance", _("in advance (start of month)")


class PublicationKind(models.TextChoices):
    """What a price-list publication did."""

    LEASE_PRICES = "lease_prices", _("Lease prices recalculated")
    INDEXATION = "indexation", _("Service prices indexed")


class BuyoutStatus(models.TextChoices):
    """A buyout is drafted, agreed with the municipality (locked), then completed."""

    DRAFT = "draft", _("Draft")
    AGREED = "agreed", _("Agreed")
    COMPLETED = "completed", _("Completed")
