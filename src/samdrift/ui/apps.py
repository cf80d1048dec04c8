from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UIConfig(AppConfig):
    """The UI toolkit every app's pages are built with (lists, tables, forms, charts,
    navigation, confirmations, panels). It imports only ``core`` and ``finance``.

    The label stays ``web``, the app's name before the dashboard moved out: its one model
    (``ConfirmedAction``) keeps its table, migration history, content type and
    permissions, and the templates and static files keep their ``web/`` names."""

    name = "samdrift.ui"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from samdrift.ui.navigation import register

        # For everyone: the page shows each user the history they may read (all of it to
        # those who see every municipality, their own municipality's to the others).
        register(section="overview", label=_("Change log"), url_name="change_list", order=90)
        # Each user's own background exports (ui.exportjobs).
        register(section="overview", label=_("My exports"), url_name="export_list", order=95)
        # Also linked from the header; here so that its page shows the section's row too.
        register(section="overview", label=_("API tokens"), url_name="token_list", order=96)
