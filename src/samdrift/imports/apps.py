from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Imports of CSV and XLSX files: the upload kept between preview and confirmation,
    the ``samdrift import`` command, the API endpoint and the upload page. The import
    machinery itself is ``samdrift.core.importing``; each app declares its importers in
    its ``importers.py``, found here (``registry``)."""

    name = "samdrift.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from samdrift.imports import notifications
        from samdrift.imports.registry import discover
        from samdrift.ui.navigation import register

        discover()

        register(
            section="inventory",
            label=_("Import"),
            url_name="imports:upload",
            visible=lambda user: user.is_operator or user.role == "finance",
            order=90,
        )
        notifications.register()  # what needs attention, on the home page
