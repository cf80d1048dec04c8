from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleBasis(models.TextChoices):
    """How a category's devices age out."""

    MAX_AGE = "max_age", _("Maximum age")
    LEASE_TERM = "lease_term", _("Lease term")


class DueReason(models.TextChoices):
    """Why a device falls due for replacement. The order is the tie-break: when two
    reasons give the same day, the one listed first is shown."""

    PLANNED = "planned", _("Planned replacement")
    END_OF_SUPPORT = "end_of_support", _("End of support")
    LEASE_TERM = "lease_term", _("Lease term ends")
    MAX_AGE = "max_age", _("Maximum age reached")
    WARRANTY = "warranty", _("Warranty ends")


class CampaignCriterion(models.TextChoices):
    """Which devices a campaign takes in (all of them in service, of the chosen scope)."""

    END_OF_SUPPORT = "end_of_support", _("Product reaches end of support by a date")
    DUE_BEFORE = "due_before", _("Due for replacement before a date")
    PRODUCTS = "products", _("Devices of chosen products")


class CampaignState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class DeviceProgress(models.TextChoices):
    """Where a campaign's device stands."""

    PENDING = "pending", _("Not yet replaced")
    ORDERED = "ordered", _("Replacement ordered")
    REPLACED = "replaced", _("Replaced")
    RETIRED = "retired", _("Taken out of service")


class MemberChange(models.TextChoices):
    JOINS = "joins", _("Joins")
    LEAVES = "leaves", _("Leaves")
