"""The asset CSV, byte for byte: the fast writer (column by column over the database's
values, ``core.exports._csv_batches``) against a reference written here the plain way —
a queryset loop over model instances with the formatting spelled out — on awkward data:
formula text, quotes, commas and line breaks in text, empty and missing values, a
negative amount, an asset no municipality holds."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from samdrift.core import exports
from samdrift.inventory.models import Asset
from samdrift.inventory.tables import ASSET_TABLE
from samdrift.organisations.models import Collaboration
from tests import factories

D = datetime.date


@pytest.fixture
def awkward(world):
    """Two more assets in Fjordvik and one in the pool, with text a spreadsheet or a
    CSV reader could trip on."""
    a = world.municipality_a
    factories.make_asset(
        world.laptop,
        asset_tag="T4601-900",
        serial_number="=HYPERLINK(1)",
        name='Lærer\'s "beste", maskin',
        model_name="-1+2",
        lessor="@lessor",
        notes="line one\nline two, with; both",
        acquisition_cost=Decimal("-5.50"),
        acquisition_date=D(2023, 12, 31),
        lease_start=D(2023, 1, 2),
        lease_end=D(2026, 1, 1),
        planned_replacement=D(2027, 6, 30),
        warranty_end=D(2025, 2, 28),
        municipality=a,
        service_area=world.area_a,
        location=a.locations.first(),
    )
    factories.make_asset(
        world.laptop,
        asset_tag="T4601-901",
        serial_number="\ttabbed",
        name="\rreturned",
        notes="",
        acquisition_cost=None,
        acquisition_date=None,
        municipality=a,
    )
    factories.make_asset(world.laptop, asset_tag="P-000", serial_number="+47 pool")
    return world


def _field(value, excel: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y") if excel else value.strftime("%Y-%m-%d")
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",") if excel else f"{value:f}"
    raise AssertionError(f"unexpected {value!r}")


def _reference(excel: bool, **filters) -> bytes:
    """The asset CSV written the straightforward way, one model instance at a time."""
    pool = Collaboration.objects.order_by("pk").first().name
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel else ",")
    writer.writerow([c.name for c in ASSET_TABLE.export_columns])
    assets = Asset.objects.filter(**filters).order_by("asset_tag", "pk")
    for a in assets:
        municipality, area = a.municipality, a.service_area
        values = [
            a.asset_tag,
            a.serial_number,
            a.name,
            a.product.name,
            a.product.category.name,
            a.model_name,
            a.status,
            a.origin,
            municipality.name if municipality else pool,
            municipality.number if municipality else None,
            area.name if area else None,
            area.cost_centre if area else None,
            a.person.username if a.person else None,
            a.location.name if a.location else None,
            a.acquisition_date,
            a.acquisition_cost,
            a.lessor,
            a.lease_start,
            a.lease_end,
            a.planned_replacement,
            a.warranty_end,
            a.notes,
        ]
        assert len(values) == len(ASSET_TABLE.export_columns)
        writer.writerow([_field(v, excel) for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _download(client, query: str) -> bytes:
    response = client.get(reverse("inventory:asset_list") + query)
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("fmt", ["csv", "csv-excel"])
def test_the_asset_csv_is_byte_for_byte_the_plain_loop(fmt, operator_client, awkward, monkeypatch):
    # Small fetches, so that the rows cross several chunks as a big export's do.
    monkeypatch.setattr(exports, "ITERATOR_CHUNK", 2)
    body = _download(operator_client, f"?export={fmt}")
    expected = _reference(fmt == "csv-excel")
    assert body == expected
    # The awkward values are there, as the reference wrote them (not vacuous).
    assert Asset.objects.count() == 9
    assert b"'=HYPERLINK(1)" in body and b"'@lessor" in body and b"'+47 pool" in body
    assert (b"-5.50" if fmt == "csv" else b"-5,50") in body
    assert b"Fjordregionen IKT" in body  # the pool's holder


def test_a_contacts_csv_is_their_municipalitys_byte_for_byte(contact_a_client, awkward):
    body = _download(contact_a_client, "?export=csv")
    assert body == _reference(False, municipality=awkward.municipality_a)
    assert b"T4602-" not in body and b"P-000" not in body
    assert body.count(b"T4601-") == 5


def test_an_empty_export_is_the_header_alone(operator_client, awkward):
    body = _download(operator_client, "?export=csv&q=no-such-asset-anywhere")
    header = ",".join(c.name for c in ASSET_TABLE.export_columns)
    assert body == ("\ufeff" + header + "\r\n").encode()


def test_the_export_is_told_its_progress_per_chunk(awkward, monkeypatch):
    monkeypatch.setattr(exports, "ITERATOR_CHUNK", 4)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 3)
    told: list[int] = []
    queryset = Asset.objects.order_by("asset_tag")
    lines = "".join(exports.csv_lines(queryset, ASSET_TABLE.columns[:2], progress=told.append))
    assert lines.count("\r\n") == 1 + 9
    # Chunks of 4, 4 and 1 rows; told when a chunk passes a multiple of 3, and at the end.
    assert told == [4, 8, 9]


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_the_chunk_writer_quotes_as_csv_writer_does(delimiter):
    cells = ["", None, "plain", "a,b", "a;b", 'say "hi"', "two\nlines", "cr\ronly", "æøå", " x "]
    # Every cell in every column position, beside every other, in lines of three.
    rows = [(a, b, c) for a in cells for b in cells for c in cells[::-1]]
    columns = [list(column) for column in zip(*rows, strict=True)]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    assert exports._csv_chunk(columns, delimiter) == out.getvalue()
    assert '"a,b"' in out.getvalue() if delimiter == "," else '"a;b"' in out.getvalue()


def _list_views() -> list:
    """Every list view with a table, the URL configuration loaded (its views imported)."""
    from django.urls import get_resolver

    from samdrift.ui.lists import ObjectListView
    from samdrift.ui.tables import Table

    assert get_resolver().url_patterns
    found, todo = [], list(ObjectListView.__subclasses__())
    while todo:
        view = todo.pop()
        todo.extend(view.__subclasses__())
        if isinstance(getattr(view, "table", None), Table):
            found.append(view)
    return sorted(found, key=lambda v: f"{v.__module__}.{v.__qualname__}")


@pytest.mark.parametrize("excel", [False, True])
def test_every_lists_csv_is_its_instances_written_by_csv_writer(excel, awkward):
    """Every list with a table: its CSV (fast where its columns are database columns)
    against the same rows read from model instances, converted value by value and
    written by ``csv.writer`` — the writer as it was."""
    views = _list_views()
    assert len(views) >= 20
    text = exports._excel_text if excel else exports._csv_text
    checked = 0
    for view in views:
        table = view.table
        queryset, _sort = table.sort(
            table.prepare(view.model._default_manager.all(), export=True), None
        )
        columns = table.export_columns
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";" if excel else ",")
        writer.writerow([str(c.name) for c in columns])
        for obj in queryset:
            writer.writerow([text(exports.plain(c.value(obj))) for c in columns])
        written = "".join(exports.csv_lines(queryset, columns, excel=excel))
        assert written == "\ufeff" + out.getvalue(), view.__qualname__
        checked += queryset.count() > 0
    assert checked >= 8  # lists with rows, not only headers
