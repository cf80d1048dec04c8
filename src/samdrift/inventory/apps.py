from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "samdrift.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from samdrift.inventory import autocomplete, panels, search
        from samdrift.ui.navigation import register

        register(section="inventory", label=_("Assets"), url_name="inventory:asset_list", order=10)
        register(
            section="inventory",
            label=_("Subscriptions"),
            url_name="inventory:subscription_list",
            order=20,
        )
        register(section="inventory", label=_("Usage"), url_name="inventory:usage_list", order=30)
        panels.register()  # assets held, on the organisations and catalogue pages
        search.register()  # devices in the global search (ui.search)
        autocomplete.register()  # assets picked in forms (ui.forms.AutocompleteSelect)
