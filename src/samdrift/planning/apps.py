from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "samdrift.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from samdrift.inventory import figures as inventory_figures
        from samdrift.planning import figures, notifications, panels
        from samdrift.ui.navigation import own_municipality, register, sees_all

        register(
            section="planning", label=_("Replacement plan"), url_name="planning:plan", order=10
        )
        register(
            section="planning",
            label=_("Campaigns"),
            url_name="planning:campaign_list",
            order=20,
        )
        register(
            section="planning",
            label=_("Investment need"),
            url_name="planning:investment",
            visible=sees_all,
            order=30,
        )
        register(
            section="planning",
            label=_("Forecast"),
            url_name="planning:forecast_list",
            visible=sees_all,
            order=40,
        )
        # A municipality's users: their own forecast (a manager's: of their area).
        register(
            section="planning",
            label=_("My forecast"),
            url_name="planning:forecast_detail",
            kwargs=lambda user: _own(own_municipality(user)),
            order=41,
        )
        register(
            section="planning",
            label=_("Scenarios"),
            url_name="planning:scenario_list",
            visible=sees_all,
            order=50,
        )
        register(
            section="planning",
            label=_("Rules"),
            url_name="planning:rules",
            visible=sees_all,
            order=60,
        )
        panels.register()  # the replacement on the asset page, the forecast link
        notifications.register()  # what needs attention, on the home page
        # The fleet's figures follow every change of assets (planning.figures).
        inventory_figures.register(figures.refresh)


def _own(kwargs):
    return None if kwargs is None else {"municipality_id": kwargs["pk"]}
