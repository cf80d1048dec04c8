"""An imported asset that would be held, and so billed, needs a price on the day it is
held from: checked before anything is written."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.core.importing.rows import Row
from samdrift.inventory.choices import AssetOrigin


class PriceChecks:
    """The price side of ``AssetImporter``."""

    def billable(self, row: Row, product: Product | None, origin, when: datetime.date) -> None:
        if product is not None and origin != AssetOrigin.MUNICIPALITY_OWNED:
            # By identity: a product this import creates has no id (nor hash) yet.
            self.held_from.setdefault(id(product), (product, []))[1].append((when, row.line))

    def check_prices(self) -> None:
        """Refuse assets that would be held, and so billed, without a price.

        Billing stops the whole run at a day without a price (billing.rating), so an
        import that succeeded would break the next month's invoices for every
        municipality. A held asset's product needs a list price (or this municipality's
        agreed price) in force on the day it is held from; each product lacking one is
        one error, with the rows it concerns. Assets not held (in stock) and assets the
        municipality owns are not billed, and need none. Two queries.
        """
        if not self.held_from:
            return
        from samdrift.agreements.models import AgreedPrice  # above inventory: read here only
        from samdrift.catalogue.models import PriceVersion

        stored = [p.pk for p, _held in self.held_from.values() if p.pk is not None]
        spans: dict[int, list[tuple]] = defaultdict(list)
        for product_id, start, end in PriceVersion.objects.filter(
            product_id__in=stored
        ).values_list("product_id", "valid_from", "valid_to"):
            spans[product_id].append((start, end))
        for product_id, start, end in AgreedPrice.objects.filter(
            product_id__in=stored, agreement__municipality=self.context.municipality
        ).values_list("product_id", "agreement__valid_from", "agreement__valid_to"):
            spans[product_id].append((start, end))
        for product, held in sorted(self.held_from.values(), key=lambda item: item[1][0][1]):
            priced = spans.get(product.pk, []) if product.pk is not None else []
            unpriced = [
                (when, line)
                for when, line in held
                if not any(start <= when and (end is None or when < end) for start, end in priced)
            ]
            if not unpriced:
                continue
            lines = [line for _when, line in unpriced]
            shown = ", ".join(str(line) for line in lines[:20])
            if len(lines) > 20:
                shown += _(" and %(count)d more") % {"count": len(lines) - 20}
            first_day = min(when for when, _line in unpriced)
            message = (
                _(
                    "the new product “%(product)s” has no price, and %(count)d held assets "
                    "(rows %(lines)s) would be billed from %(date)s: the next billing run "
                    "would stop. Import the products with their prices first, or import "
                    "these assets as in stock"
                )
                if product.pk is None
                else _(
                    "“%(product)s” has no price on %(date)s, and %(count)d held assets (rows "
                    "%(lines)s) would be billed from then: the next billing run would stop. "
                    "Give it a price (Catalogue → Prices) first, or import these assets as "
                    "in stock"
                )
            ) % {
                "product": product.name,
                "count": len(lines),
                "lines": shown,
                "date": first_day.isoformat(),
            }
            self.report.error(lines[0], "product" if self.has("product") else "", message)
