from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "samdrift.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from samdrift.inventory import autocomplete, figures, panels, search
        from samdrift.inventory.models import Asset
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
        # An asset saved outside the services still moves the fleet figures.
        post_save.connect(figures.asset_saved, sender=Asset, dispatch_uid="asset_figures_save")
        post_delete.connect(figures.asset_saved, sender=Asset, dispatch_uid="asset_figures_del")
