from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class GainsConfig(AppConfig):
    name = "samdrift.gains"
    label = "gains"
    verbose_name = _("Gains")

    def ready(self) -> None:
        from samdrift.gains import notifications
        from samdrift.ui.navigation import register, sees_all

        register(section="gains", label=_("Action plan"), url_name="gains:action_list", order=10)
        register(
            section="gains",
            label=_("Planned vs realised"),
            url_name="gains:realisation",
            order=20,
        )
        register(
            section="gains",
            label=_("Common vs separate"),
            url_name="gains:comparison",
            visible=sees_all,
            order=30,
        )
        # A municipality's own figures (not a service-area manager's: whole-municipality
        # money), in the municipality's portal.
        register(
            section="gains",
            label=_("Common vs separate"),
            url_name="gains:comparison_detail",
            kwargs=_own_whole_municipality,
            order=31,
        )
        register(
            section="gains",
            label=_("Baselines"),
            url_name="gains:baseline_list",
            visible=sees_all,
            order=40,
        )
        register(
            section="gains",
            label=pgettext_lazy("gains", "Baseline"),
            url_name="gains:baseline_detail",
            kwargs=_own_whole_municipality,
            order=41,
        )
        register(section="gains", label=_("Benefit map"), url_name="gains:benefit_map", order=50)
        register(
            section="gains",
            label=_("Board report"),
            url_name="gains:board_report",
            visible=sees_all,
            order=55,
        )
        register(section="gains", label=_("Indicators"), url_name="gains:indicator_list", order=60)
        register(
            section="gains",
            label=_("Cost index"),
            url_name="gains:cost_index",
            visible=sees_all,
            order=70,
        )
        register(
            section="gains",
            label=_("Unbilled collaboration costs"),
            url_name="gains:collaboration_costs",
            visible=sees_all,
            order=80,
        )
        notifications.register()  # what needs attention, on the home page


def _own_whole_municipality(user):
    from samdrift.core.permissions import limited_to_service_area
    from samdrift.ui.navigation import own_municipality

    if limited_to_service_area(user):
        return None
    own = own_municipality(user)
    return None if own is None else {"municipality_id": own["pk"]}
