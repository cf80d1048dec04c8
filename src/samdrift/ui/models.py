"""What the web UI itself keeps: the receipts of confirmed operations (``ui.confirm``) and
each user's own settings of a list page (``ui.listsettings``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConfirmedAction(models.Model):
    """One confirmation that was acted on: the random nonce its page carried, the user who
    sent it, and the result shown. A second submit of the same confirmation (a double
    click, a resent form) finds this row and shows the result again instead of acting
    twice; the unique constraint makes two concurrent submits act once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE
    )
    nonce = models.CharField(_("nonce"), max_length=64)
    kind = models.CharField(_("kind"), max_length=50)
    message = models.TextField(_("message"), blank=True)
    url = models.CharField(_("URL"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("confirmed action")
        verbose_name_plural = _("confirmed actions")
        constraints = [
            models.UniqueConstraint(fields=["user", "nonce"], name="web_confirmed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.nonce}"


class ListSetting(models.Model):
    """One user's setting of one list page: a saved filter (a name and the list's query
    string) or the columns chosen (comma-separated column names, ``name`` empty).

    Private to the user, and it grants nothing: a saved query string is applied by the
    list page like any URL, through the user's own ``restrict``."""

    class Kind(models.TextChoices):
        FILTER = "filter", _("saved filter")
        COLUMNS = "columns", _("columns shown")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE
    )
    # The list page's path (``/inventory/assets/``): a link to it, and its key.
    list_path = models.CharField(_("list"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80, blank=True)
    value = models.TextField(_("value"), max_length=2000, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("list setting")
        verbose_name_plural = _("list settings")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_path", "kind", "name"], name="web_list_setting_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.list_path} {self.kind} {self.name}"
