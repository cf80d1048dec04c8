from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "samdrift.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from samdrift.inventory.buyout_urls import register_navigation

        register_navigation()  # buyouts and the financing view
