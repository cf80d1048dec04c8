"""The fixed lists of the service desk."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from samdrift.agreements.service_levels import Priority

__all__ = ["IncidentSource", "IncidentState", "MappedColumn", "PauseReason", "Priority"]


class IncidentSource(models.TextChoices):
    """Where an incident was recorded: its number is unique within its source."""

    MANUAL = "manual", _("Entered in Samdrift")
    SERVICENOW = "servicenow", _("ServiceNow")
    TOPDESK = "topdesk", _("TOPdesk")
    GLPI = "glpi", _("GLPI")
    JSM = "jsm", _("Jira Service Management")


class IncidentState(models.TextChoices):
    """Every source's states, read into one list."""

    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_USER = "awaiting_user", _("Waiting for the user")
    AWAITING_VENDOR = "awaiting_vendor", _("Waiting for a vendor")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class PauseReason(models.TextChoices):
    AWAITING_USER = "awaiting_user", _("Waiting for the user")
    AWAITING_VENDOR = "awaiting_vendor", _("Waiting for a vendor")


class MappedColumn(models.TextChoices):
    """The columns of an export whose values a source mapping turns into a municipality
    and a service."""

    COMPANY = "company", _("Company")
    LOCATION = "location", _("Location")
    CALLER_ORGANISATION = "caller_organisation", _("Caller's organisation")
    CATEGORY = "category", _("Category")
