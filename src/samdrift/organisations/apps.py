from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "samdrift.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from samdrift.organisations import autocomplete, search
        from samdrift.ui.navigation import own_municipality, register, sees_all

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
        register(
            section="municipalities",
            label=_("Contacts"),
            url_name="organisations:contact_list",
            order=45,
        )
        register(
            section="municipalities",
            label=_("Users"),
            url_name="organisations:user_list",
            visible=lambda user: user.is_operator,
            order=50,
        )
        search.register()  # persons, municipalities, service areas in the global search
        autocomplete.register()  # persons picked in forms (ui.forms.AutocompleteSelect)
