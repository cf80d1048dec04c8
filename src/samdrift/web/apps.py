from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "samdrift.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        # The pages of the apps whose UI lives with the web UI; other apps register
        # theirs from their own AppConfig.ready() (see docs/ui.md).
        from samdrift.web.navigation import own_municipality, register, sees_all

        register(section="overview", label=_("Overview"), url_name="home", order=0)
        register(
            section="municipalities",
            label=_("Municipalities"),
            url_name="organisations:municipality_list",
            visible=sees_all,
            order=10,
        )
        register(
            section="municipalities",
            label=_("My municipality"),
            url_name="organisations:municipality_detail",
            kwargs=own_municipality,
            order=10,
        )
        register(
            section="municipalities",
            label=_("Service areas"),
            url_name="organisations:service_area_list",
            order=20,
        )
        register(
            section="municipalities",
            label=_("Locations"),
            url_name="organisations:location_list",
            order=30,
        )
        register(
            section="municipalities",
            label=_("Persons"),
            url_name="organisations:person_list",
            order=40,
        )
        register(section="inventory", label=_("Assets"), url_name="inventory:asset_list", order=10)
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
