"""The dates of an asset row: acquisition not in the future, a lease that ends after it
starts, a warranty that ends after the acquisition — and Snipe-IT's warranty in months
read as the warranty end."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from samdrift.core.importing.rows import Row
from samdrift.finance.depreciation import add_months


class AssetDateChecks:
    """The date side of ``AssetImporter`` (``self.report``, ``self.today``,
    ``self.warranty_uncounted``, ``column_for`` are the importer's)."""

    def warranty_from_months(self, row: Row, wanted: dict[str, Any], existing: dict | None) -> None:
        """Snipe-IT's warranty in months as the warranty end: the acquisition date plus
        the months (as Snipe-IT counts "Warranty Expires"). A warranty end the row gives
        as a date wins."""
        months = row.values.get("warranty_months")
        if not months or "warranty_months" in row.failed:
            return
        if wanted.get("warranty_end") is not None or "warranty_end" in row.failed:
            return
        if "acquisition_date" in wanted or "acquisition_date" in row.failed:
            acquired = wanted.get("acquisition_date")
        else:
            acquired = existing.get("acquisition_date") if existing is not None else None
        if acquired is None:
            self.warranty_uncounted.append(row.line)
            return
        wanted["warranty_end"] = add_months(acquired, months)

    def check_dates(self, row: Row, wanted: dict[str, Any], stored: dict | None) -> bool:
        ok = True
        acquired = wanted.get("acquisition_date")
        if acquired and acquired > self.today:
            self.report.error(
                row.line,
                "acquisition_date",
                _("the acquisition date %(date)s is in the future")
                % {"date": acquired.isoformat()},
            )
            ok = False
        if "lease_start" in wanted or "lease_end" in wanted:
            stored = stored or {}
            start = wanted.get("lease_start", stored.get("lease_start"))
            end = wanted.get("lease_end", stored.get("lease_end"))
            if start and end and end <= start:
                self.report.error(
                    row.line,
                    "lease_end" if "lease_end" in wanted else "lease_start",
                    _("the lease must end (%(end)s) after it starts (%(start)s)")
                    % {"end": end.isoformat(), "start": start.isoformat()},
                )
                ok = False
        if "warranty_end" in wanted or "acquisition_date" in wanted:
            stored = stored or {}
            warranty = wanted.get("warranty_end", stored.get("warranty_end"))
            acquired = wanted.get("acquisition_date", stored.get("acquisition_date"))
            if warranty and acquired and warranty < acquired:
                self.report.error(
                    row.line,
                    self.column_for("warranty_end")
                    if "warranty_end" in wanted
                    else "acquisition_date",
                    _("the warranty ends (%(end)s) before the asset was acquired (%(acquired)s)")
                    % {"end": warranty.isoformat(), "acquired": acquired.isoformat()},
                )
                ok = False
        return ok
