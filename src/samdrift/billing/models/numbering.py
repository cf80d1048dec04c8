"""Gapless document numbers: the counter per series and year, and how numbers read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentCounter(models.Model):
    """The last number given in a series and year. Issuing locks this row
    (``select_for_update``) inside its transaction, so numbers are gapless and unique even
    when two issue requests race: the second waits for the first to commit."""

    series = models.CharField(_("series"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="document_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last_number}"


def document_number(*, series: str, year: int, sequence: int) -> str:
    """The number printed on an invoice or credit note: ``FRI-2026-000007``."""
    return f"{series}-{year}-{sequence:06d}"


def credit_note_series(collaboration) -> str:
    """Credit notes are numbered in their own series: the invoice series with a K."""
    return f"{collaboration.invoice_series}K"[:10]
