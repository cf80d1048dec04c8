from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "samdrift.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from samdrift.inventory import panels, search
        from samdrift.ui.navigation import register

        register(section="inventory", label=_("Assets"), url_name="inventory:asset_list", order=10)
        panels.register()  # assets held, on the organisations and catalogue pages
        search.register()  # devices in the global search (ui.search)
