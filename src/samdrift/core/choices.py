from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user may do (DESIGN.md, "Who uses it")."""

    OPERATOR = "operator", _("Operator")
    FINANCE = "finance", _("Finance")
    MUNICIPALITY = "municipality", _("Municipality contact")
    SERVICE_AREA = "service_area", _("Service-area manager")
    READ_ONLY = "read_only", _("Read-only")


# A model's ``write_roles`` when only operators may write it (operators always may:
# core.permissions).
OPERATORS_ONLY: frozenset[str] = frozenset()


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
