from django.db import models
from django.utils.translation import gettext_lazy as _

from samdrift.core.choices import Role

# The ``write_roles`` of what a municipality's own users create (orders, returns).
MUNICIPALITY_WRITERS: frozenset[str] = frozenset({Role.MUNICIPALITY, Role.SERVICE_AREA})


class OrderState(models.TextChoices):
    """Where an order is (the transition table is ``ordering.states.TRANSITIONS``)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    ACCEPTED = "accepted", _("Accepted")
    PARTLY_DELIVERED = "partly_delivered", _("Partly delivered")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class LineKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    SERVICE = "service", _("Service")
    BUNDLE = "bundle", _("Bundle")
    NON_STANDARD = "non_standard", _("Non-standard request")


class ApprovalCapacity(models.TextChoices):
    """In which capacity someone approved an order (an ``OrderTransition`` row)."""

    MANAGER = "manager", _("Service-area manager")
    CONTACT = "contact", _("Municipality contact")


class ReturnDisposition(models.TextChoices):
    """Where a returned asset goes."""

    STOCK = "stock", _("Back to stock")
    REPAIR = "repair", _("To repair")
    DISPOSAL = "disposal", _("To disposal")
