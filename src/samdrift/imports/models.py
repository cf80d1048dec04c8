"""An uploaded import file kept between its preview and the confirmation."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    APPLIED = "applied", _("Imported")
    FAILED = "failed", _("Not imported")


class ImportUpload(models.Model):
    """A file uploaded for import, with the options chosen and the last check's result.

    Kept in the database rather than on the app server's disk, because production runs
    several stateless app processes and the confirming request may reach another one.
    The file's bytes are dropped once it has been imported; the result stays as a record.
    Not change-logged itself: the import it leads to is (per object and as a summary).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="import_uploads",
    )
    kind = models.CharField(_("kind"), max_length=30)
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"), blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    update = models.BooleanField(_("update existing rows"), default=False)
    strict = models.BooleanField(_("strict"), default=False)
    on = models.DateField(_("assignment date"))
    options = models.JSONField(
        _("options"), default=dict, blank=True, help_text=_("The kind's own options (source …).")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    result = models.JSONField(_("result"), default=dict, blank=True)
    created = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    applied_at = models.DateTimeField(_("imported"), null=True, blank=True)

    municipality_path = "municipality"

    class Meta:
        verbose_name = _("import upload")
        verbose_name_plural = _("import uploads")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"


class ImportMapping(models.Model):
    """How files of one source are read when their headers say too little (the mapping
    step): which column means which field, what values mean (status labels, companies,
    categories), and how slashed dates are written. Found again automatically for a
    file of the same kind with the same header row (``fingerprint``); named by the user
    ("Snipe-IT Fjordvik"), editable and deletable. The catalogue of a source system is
    not a municipality's: mappings are shared by the operators who import.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30)
    fingerprint = models.CharField(_("header fingerprint"), max_length=64)
    headers = models.JSONField(_("headers"), default=list, blank=True)
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    values = models.JSONField(_("values"), default=dict, blank=True)
    date_order = models.CharField(
        _("order of slashed dates"),
        max_length=3,
        blank=True,
        choices=[("", _("as found")), ("mdy", _("month/day/year")), ("dmy", _("day/month/year"))],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "fingerprint"], name="import_mapping_one_per_header_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def reading(self):
        from samdrift.core.importing.mapping import ColumnReading

        return ColumnReading(
            columns=dict(self.columns),
            values={k: dict(v) for k, v in self.values.items()},
            date_order=self.date_order,
            name=self.name,
        )
