from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "samdrift.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from samdrift.billing import notifications, search
        from samdrift.ui.navigation import register

        register(
            section="billing",
            label=_("Invoices by month"),
            url_name="billing:period_list",
            order=10,
        )
        register(
            section="billing",
            label=_("One-off charges"),
            url_name="billing:one_off_list",
            order=20,
        )
        register(section="billing", label=_("Cost pools"), url_name="billing:pool_list", order=30)
        register(
            section="billing",
            label=_("Allocation keys"),
            url_name="billing:key_list",
            order=31,
        )
        search.register()  # invoices in the global search (ui.search)
        notifications.register()  # what needs attention, on the home page
