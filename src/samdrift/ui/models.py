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


class ExportJob(models.Model):
    """A list export written in the background (``ui.exportjobs``): who asked, which list
    with which filters in which format, how far it got, and the file when done.

    The file lies in the data directory, outside anything served as static or media; it
    is downloaded through the owner's own link only, until it expires. The rows are
    chosen when the job runs, through the owner's own ``restrict``, exactly as the list
    page would show them to the owner."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE
    )
    list_path = models.CharField(_("list"), max_length=200)
    query = models.TextField(_("filters"), max_length=2000, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    name = models.CharField(_("file name"), max_length=80)
    format = models.CharField(_("format"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveBigIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveBigIntegerField(_("rows in all"), null=True, blank=True)
    # The file's name inside the exports directory; empty until the file is whole.
    file = models.CharField(_("file"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["owner", "-created"], name="web_export_owner_created")]

    def __str__(self) -> str:
        return f"{self.name}.{self.extension} ({self.status})"

    @property
    def extension(self) -> str:
        return "xlsx" if self.format == "xlsx" else "csv"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)
