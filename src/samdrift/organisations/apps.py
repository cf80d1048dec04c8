from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _sees_all(user) -> bool:
    return user.sees_all_municipalities


def _own_municipality(user) -> dict | None:
    if user.sees_all_municipalities or not user.municipality_id:
        return None
    return {"pk": user.municipality_id}


class OrganisationsConfig(AppConfig):
    name = "samdrift.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from samdrift.ui.navigation import register

        register(
            section="municipalities",
            label=_("Municipalities"),
            url_name="organisations:municipality_list",
            visible=_sees_all,
            order=10,
        )
        register(
            section="municipalities",
            label=_("My municipality"),
            url_name="organisations:municipality_detail",
            kwargs=_own_municipality,
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
