from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceUnit(models.TextChoices):
    """What a service is priced per; the UBL unit code is in ``UBL_UNIT_CODES``."""

    PER_USER = "user", _("per user per month")
    PER_DEVICE = "device", _("per device per month")
    PER_SITE = "site", _("per site per month")
    PER_PAGE = "page", _("per printed page")
    PER_HOUR = "hour", _("per hour")
    FIXED = "fixed", _("fixed per month")
    ONE_OFF = "one_off", _("one-off")


# UN/ECE Recommendation 20 unit codes, as Peppol BIS Billing 3.0 requires.
UBL_UNIT_CODES = {
    ServiceUnit.PER_USER: "C62",
    ServiceUnit.PER_DEVICE: "C62",
    ServiceUnit.PER_SITE: "C62",
    ServiceUnit.PER_PAGE: "C62",
    ServiceUnit.PER_HOUR: "HUR",
    ServiceUnit.FIXED: "MON",
    ServiceUnit.ONE_OFF: "C62",
}
