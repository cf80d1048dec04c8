from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeasingConfig(AppConfig):
    """Leasing sits above ``catalogue`` and ``inventory``: it may import both, they never
    import it (``ProductCategory.lease_model`` names ``leasing.LeaseModel`` by string)."""

    name = "samdrift.leasing"
    label = "leasing"
    verbose_name = _("Leasing")

    def ready(self) -> None:
        from samdrift.leasing import notifications, panels
        from samdrift.leasing.urls.buyouts import register_navigation as buyout_navigation
        from samdrift.leasing.urls.pricing import register_navigation as pricing_navigation

        pricing_navigation()  # lease models and the yearly price list
        buyout_navigation()  # buyouts and the financing view
        panels.register()  # the monthly price, on the asset page
        notifications.register()  # what needs attention, on the home page
