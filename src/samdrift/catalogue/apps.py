from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "samdrift.catalogue"
    label = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from samdrift.catalogue.pricing_urls import register_navigation

        register_navigation()  # lease models and the yearly price list
