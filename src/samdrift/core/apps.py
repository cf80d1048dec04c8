from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "samdrift.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Connect the change-log signal handlers for every ChangeLoggedModel.
        from samdrift.core import changelog  # noqa: F401
