from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceDeskConfig(AppConfig):
    name = "samdrift.servicedesk"
    label = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        from samdrift.ui.navigation import register

        register(
            section="service",
            label=_("Incidents"),
            url_name="servicedesk:incident_list",
            order=10,
        )
        register(
            section="service",
            label=_("Outages"),
            url_name="servicedesk:outage_list",
            order=20,
        )
