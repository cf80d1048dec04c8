from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CostCategory(models.TextChoices):
    """What a municipality's ICT cost alone, by kind (its baseline, "nullpunkt")."""

    STAFF = "staff", _("Staff (full-time equivalents × cost)")
    LICENCES = "licences", _("Licences")
    INVESTMENTS = "investments", _("Investments (yearly depreciation)")
    CONTRACTS = "contracts", _("Support and operations contracts")
    OTHER = "other", _("Other")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class GainType(models.TextChoices):
    """How a gain is valued. A quality gain has no amount: its indicator tells."""

    BUDGET_SAVING = "budget_saving", _("Direct budget saving")
    AVOIDED_COST = "avoided_cost", _("Avoided cost")
    TIME_SAVED = "time_saved", _("Time saved (hours × hourly rate)")
    QUALITY = "quality", _("Quality")


class IndicatorUnit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    PER_100_USERS = "per_100_users", _("Per 100 users")
    HOURS = "hours", pgettext_lazy("unit", "Hours")
    SCORE = "score", _("Score")
    COUNT = "count", _("Count")
    KRONER = "kroner", _("Kroner")
