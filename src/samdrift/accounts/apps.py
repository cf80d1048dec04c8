from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "samdrift.accounts"
    label = "accounts"
    verbose_name = _("Sign-in")

    def ready(self) -> None:
        # Connect the mapping receivers and register the configuration checks.
        from samdrift.accounts import checks, signals  # noqa: F401
