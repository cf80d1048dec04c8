from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceDeskConfig(AppConfig):
    name = "samdrift.servicedesk"
    label = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        from samdrift.servicedesk import notifications, panels
        from samdrift.ui.navigation import own_municipality, register, sees_all

        def operator(user) -> bool:
            return user.is_operator

        register(
            section="service",
            label=_("SLA reports"),
            url_name="servicedesk:sla_overview",
            visible=sees_all,
            order=5,
        )
        register(
            section="service",
            label=_("Our SLA reports"),
            url_name="servicedesk:sla_report_list",
            kwargs=own_municipality,
            order=5,
        )
        register(
            section="service", label=_("Incidents"), url_name="servicedesk:incident_list", order=10
        )
        register(
            section="service", label=_("Outages"), url_name="servicedesk:outage_list", order=20
        )
        register(
            section="service",
            label=_("Service credits"),
            url_name="servicedesk:credit_list",
            order=30,
        )
        register(
            section="service",
            label=_("Source mappings"),
            url_name="servicedesk:mappings",
            visible=operator,
            order=40,
        )
        panels.register()  # the SLA reports, on the municipality page
        notifications.register()  # what needs attention, on the home page
