"""What the web UI itself keeps: the receipts of confirmed operations (``ui.confirm``)."""

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
