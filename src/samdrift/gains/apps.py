from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GainsConfig(AppConfig):
    name = "samdrift.gains"
    label = "gains"
    verbose_name = _("Gains")
