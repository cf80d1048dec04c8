from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user may do (DESIGN.md, "Who uses it")."""

    OPERATOR = "operator", _("Operator")
    FINANCE = "finance", _("Finance")
    MUNICIPALITY = "municipality", _("Municipality contact")
    SERVICE_AREA = "service_area", _("Service-area manager")
    READ_ONLY = "read_only", _("Read-only")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
