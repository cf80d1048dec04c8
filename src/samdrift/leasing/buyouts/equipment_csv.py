"""Read a municipality's equipment list (CSV) into rows for ``register_equipment``.

One line per device, a header line first. Columns (any order, case-insensitive):

| column | required | example |
|---|---|---|
| ``asset_tag`` | yes | ``ELV-00017`` |
| ``product`` | yes | ``Standard laptop 14in`` (the catalogue name, or its id) |
| ``acquisition_date`` | yes | ``2022-08-15`` or ``15.08.2022`` |
| ``acquisition_cost`` | yes | ``11 990,00`` or ``11990.00`` |
| ``serial_number``, ``model_name`` | no | |
| ``residual_value`` | no | ``0`` |
| ``useful_life_months`` with ``life_override_reason`` | no | ``36``, ``heavy use`` |
| ``service_area`` | no | the service area's cost centre, e.g. ``2000`` |

Every problem is reported by line and column, all at once; nothing is registered unless
every line is right (the service then checks the valuation basis, naming the line too).
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.finance.parsing import AmountError, parse_amount
from samdrift.organisations.models import Municipality, ServiceArea

REQUIRED = ("asset_tag", "product", "acquisition_date", "acquisition_cost")
OPTIONAL = (
    "serial_number",
    "model_name",
    "residual_value",
    "useful_life_months",
    "life_override_reason",
    "service_area",
)
MAX_LINES = 50_000


def _decimal(text: str) -> Decimal:
    """An amount as imports read it (``finance.parsing.parse_amount``)."""
    try:
        return parse_amount(text)
    except AmountError:
        raise ValueError(_("“%(text)s” is not an amount.") % {"text": text}) from None


def _date(text: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(_("“%(text)s” is not a date (YYYY-MM-DD or DD.MM.YYYY).") % {"text": text})


def _integer(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(_("“%(text)s” is not a whole number.") % {"text": text}) from None


def parse_equipment_csv(*, content: bytes, municipality: Municipality) -> list[dict[str, Any]]:
    """The rows of an equipment CSV, or ValidationError ``{"file": [...]}`` listing every
    bad line and column. Products and service areas are looked up in one query each."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": _("The file is not UTF-8 text (save it as CSV UTF-8).")}
        ) from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ValidationError({"file": _("The file is empty.")}) from None
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ValidationError(
            {"file": _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}}
        )
    index = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}

    products_by_name = {p.name.lower(): p for p in Product.objects.all()}
    products_by_id = {str(p.pk): p for p in products_by_name.values()}
    areas = {a.cost_centre: a for a in ServiceArea.objects.filter(municipality=municipality)}

    rows: list[dict[str, Any]] = []
    errors: list[str] = []

    def error(line: int, column: str, message: str) -> None:
        errors.append(
            _("Line %(line)s, column %(column)s: %(message)s")
            % {"line": line, "column": column, "message": message}
        )

    for line, cells in enumerate(reader, start=2):
        if line > MAX_LINES + 1:
            errors.append(_("More than %(max)s lines; split the file.") % {"max": MAX_LINES})
            break
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()}
        row: dict[str, Any] = {"line": line}
        for name in REQUIRED:
            if not values[name]:
                error(line, name, _("required"))
        product_text = values["product"]
        if product_text:
            product = products_by_name.get(product_text.lower()) or products_by_id.get(product_text)
            if product is None:
                error(line, "product", _("no product called “%(name)s”") % {"name": product_text})
            row["product"] = product
        row["asset_tag"] = values["asset_tag"]
        row["serial_number"] = values.get("serial_number", "")
        row["model_name"] = values.get("model_name", "")
        row["life_override_reason"] = values.get("life_override_reason", "")
        for name, parse in (
            ("acquisition_date", _date),
            ("acquisition_cost", _decimal),
            ("residual_value", _decimal),
            ("useful_life_months", _integer),
        ):
            raw = values.get(name, "")
            if raw:
                try:
                    row[name] = parse(raw)
                except ValueError as problem:
                    error(line, name, str(problem))
        area_code = values.get("service_area", "")
        if area_code:
            area = areas.get(area_code)
            if area is None:
                error(
                    line,
                    "service_area",
                    _("%(municipality)s has no service area with cost centre %(code)s")
                    % {"municipality": municipality.name, "code": area_code},
                )
            row["service_area"] = area
        rows.append(row)
    if errors:
        raise ValidationError({"file": errors})
    if not rows:
        raise ValidationError({"file": _("The file has a header but no devices.")})
    return rows
