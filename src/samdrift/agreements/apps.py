from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "samdrift.agreements"
    label = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from samdrift.ui.navigation import register

        register(
            section="agreements",
            label=_("Agreements"),
            url_name="agreements:agreement_list",
            order=10,
        )
        register(
            section="agreements",
            label=_("Service hours"),
            url_name="agreements:calendar_list",
            order=20,
        )
