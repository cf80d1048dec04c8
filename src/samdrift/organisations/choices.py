from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceAreaKind(models.TextChoices):
    EDUCATION = "education", _("Education")
    HEALTH_CARE = "health_care", _("Health and care")
    ADMINISTRATION = "administration", _("Administration")
    TECHNICAL = "technical", _("Technical")
    CULTURE = "culture", _("Culture")
    OTHER = "other", _("Other")


class LocationKind(models.TextChoices):
    TOWN_HALL = "town_hall", _("Town hall")
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    NURSING_HOME = "nursing_home", _("Nursing home")
    HEALTH_CENTRE = "health_centre", _("Health centre")
    DEPOT = "depot", _("Depot")
    LIBRARY = "library", _("Library")
    OFFICE = "office", _("Office")
    OTHER = "other", _("Other")


class PersonKind(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    PUPIL = "pupil", _("Pupil")
    POLITICIAN = "politician", _("Politician")
    OTHER = "other", _("Other")


class ContactFunction(models.TextChoices):
    """What a municipality's contact person is for (whom the collaboration asks)."""

    INVOICE_RECIPIENT = "invoice_recipient", _("Invoice recipient")
    ICT_CONTACT = "ict_contact", _("ICT contact")
    BUDGET_OWNER = "budget_owner", _("Budget owner")
    AGREEMENT_OWNER = "agreement_owner", _("Agreement owner")
    OTHER = "other", _("Other")
