from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The overview page and the figures other pages borrow from it (the monthly cost on
    the municipality page). Near the top: it reads every domain app, none reads it."""

    name = "samdrift.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        from samdrift.dashboard import panels
        from samdrift.ui.navigation import register

        register(section="overview", label=_("Overview"), url_name="home", order=0)
        panels.register()  # the monthly cost, on the municipality page
