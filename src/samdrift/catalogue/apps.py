from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "samdrift.catalogue"
    label = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from samdrift.ui.navigation import register

        register(
            section="catalogue",
            label=_("Products"),
            url_name="catalogue:product_list",
            order=10,
        )
        register(
            section="catalogue",
            label=_("Services"),
            url_name="catalogue:service_list",
            order=20,
        )
        register(
            section="catalogue",
            label=_("Prices"),
            url_name="catalogue:price_list",
            order=30,
        )
        register(
            section="catalogue",
            label=_("Product categories"),
            url_name="catalogue:category_list",
            order=40,
        )
