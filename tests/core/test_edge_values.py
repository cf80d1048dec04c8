"""No money, date or id input anywhere answers 500: bad input gets a
400 that names the field.

The tests walk what the system offers rather than a list written by hand: every query
parameter and request-body field of the OpenAPI schema, every filter of every UI list
and every field of every form. Each gets non-finite, huge and calendar-edge values; the
answer must be a 4xx, and a refused value must be named (the field or filter's name in
the API's 400, the field's own error in a form).
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import json
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator

import samdrift
from samdrift.billing.models import CreditNote, Invoice, InvoiceLine
from samdrift.core.validators import EARLIEST_DATE, LATEST_DATE
from samdrift.ui.lists import ObjectListView
from tests.worlds import MatrixWorld

EXTENDED_WORLD = True

# The stated range (DESIGN: dates a municipality plans with), spelled out independently.
assert (datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)) == (EARLIEST_DATE, LATEST_DATE)

# Values no money field may accept: not finite, or beyond NUMERIC(14, 2) / (14, 4).
BAD_MONEY = ["NaN", "Infinity", "-Infinity", "sNaN", "-sNaN", "1e30", "-1e30", "1e-30", "1E+400"]
# Dates whose arithmetic overflows (year 9999 + a month; year 1 in UTC) or that are not
# dates at all; the supported range is 1900-01-01 .. 2999-12-31.
BAD_DATES = ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"]
BAD_DATETIMES = ["0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00"]
HUGE_ID = "12345678901234567890"  # 20 digits: beyond any 64-bit integer


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _real_path(path: str) -> str | None:
    """The path with ``{id}`` replaced by a row that exists (the first of its model)."""
    if "{id}" not in path:
        return path
    match = resolve(path.replace("{id}", "1"))
    model = match.func.cls.queryset.model
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return None if pk is None else path.replace("{id}", str(pk))


def _operations(schema: dict, methods: set[str]):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in methods:
                yield path, method, operation


def _is_date(prop: dict) -> bool:
    return prop.get("type") == "string" and prop.get("format") in {"date", "date-time"}


def _is_money(prop: dict) -> bool:
    return prop.get("format") == "decimal" or prop.get("type") == "number"


def _assert_named(response, name: str, context: str) -> None:
    assert response.status_code < 500, (context, response.status_code)
    assert response.status_code == 400, (context, response.status_code, response.content[:300])
    assert name in json.loads(response.content), (context, response.content[:300])


def test_every_date_and_number_query_parameter_refuses_edge_values(world: MatrixWorld, schema):
    client = world.client("operator")
    checked = 0
    for path, _method, operation in _operations(schema, {"get"}):
        url = _real_path(path)
        if url is None:
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            name, spec = parameter["name"], parameter.get("schema", {})
            if _is_date(spec):
                values = BAD_DATETIMES if spec["format"] == "date-time" else BAD_DATES
                for value in values:
                    response = client.get(url, {name: value})
                    _assert_named(response, name, f"GET {url}?{name}={value}")
                    checked += 1
            elif spec.get("type") in {"integer", "number"}:
                for value in (HUGE_ID, "1e30", "NaN", "Infinity"):
                    response = client.get(url, {name: value})
                    # A page number too large is a 404 (a page size too large is capped);
                    # a filter value names the filter.
                    # (An object's change log lists the viewset's filters but reads none.)
                    ignored = name == "page_size" or path.endswith("/changes/")
                    allowed = {200, 400, 404} if ignored else {400, 404}
                    assert response.status_code in allowed, (url, name, value, response)
                    if response.status_code == 400:
                        assert name in json.loads(response.content), (url, name, value)
                    checked += 1
    assert checked > 100  # the walk found the filters (created_after on every list, …)


def test_every_date_and_money_field_of_every_request_body_refuses_edge_values(
    world: MatrixWorld, schema
):
    client = world.client("operator")
    checked = 0
    for path, method, operation in _operations(schema, {"post", "put", "patch"}):
        content = operation.get("requestBody", {}).get("content", {})
        body_schema = content.get("application/json", {}).get("schema")
        url = _real_path(path)
        if body_schema is None or url is None:
            continue
        body_schema = _resolve(schema, body_schema)
        for name, prop in body_schema.get("properties", {}).items():
            prop = _resolve(schema, prop)
            if prop.get("readOnly"):
                continue
            named = True  # whether a refusal must name the field
            element = prop.get("additionalProperties")  # {"line id": amount}
            if isinstance(element, dict) and _is_money(element):
                key = str(InvoiceLine.objects.order_by("pk").values_list("pk", flat=True)[0])
                bodies = [{name: {key: value}} for value in BAD_MONEY]
            elif _is_money(prop):
                bodies = [{name: value} for value in BAD_MONEY] + [{name: 1e30}]
            elif _is_date(prop):
                bodies = [{name: value} for value in BAD_DATES]
            elif prop.get("type") == "integer" or prop.get("items", {}).get("type") == "integer":
                # Ids (related objects, lists of assets) and counts: beyond 64 bits.
                huge = int(HUGE_ID)
                bodies = [{name: [huge]} if prop.get("type") == "array" else {name: huge}]
                bodies.append({name: [-huge]} if prop.get("type") == "array" else {name: -huge})
                named = False  # (a field fixed after creation is ignored on update)
            else:
                continue
            for body in bodies:
                response = getattr(client, method)(url, body, format="json")
                context = f"{method.upper()} {url} {body}"
                if named:
                    _assert_named(response, name, context)
                else:
                    assert response.status_code < 500, (context, response.content[:300])
                checked += 1
    assert checked > 50


def _nested(depth: int):
    value: object = 1
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


@pytest.mark.parametrize("role", ["operator", "contact_a", "auditor"])
def test_deeply_nested_json_is_a_400_on_every_write_endpoint(world: MatrixWorld, schema, role):
    client = world.client(role)
    deep = '{"a": ' * 1000 + "1" + "}" * 1000
    wide_and_deep = json.dumps(_nested(200))
    for path, method, operation in _operations(schema, {"post", "put", "patch"}):
        url = _real_path(path)
        if url is None or "requestBody" not in operation:  # (a body it never reads)
            continue
        for body in (deep, wide_and_deep):
            response = getattr(client, method)(url, body, content_type="application/json")
            # A role that may not write is refused (403) before the body is read.
            assert response.status_code in {400, 403}, (role, method, url, response.status_code)
            if response.status_code == 400:
                assert "nests deeper" in json.loads(response.content)["detail"], url


def test_a_body_nested_within_the_limit_is_still_read(world: MatrixWorld):
    client = world.client("operator")
    person = world.objects["person"]["own"]
    response = client.patch(
        f"/api/persons/{person.pk}/",
        {"email": "kari@example.no", "extra": _nested(20)},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_dates_at_the_edge_of_the_calendar_are_400s(world: MatrixWorld):
    """Dates at the edges of what Python can hold, each a 400 naming its field."""
    operator = world.client("operator")
    _assert_named(operator.get("/api/financing/", {"on": "9999-12-31"}), "on", "financing")
    _assert_named(
        world.client("contact_a").get("/api/financing/", {"on": "9999-12-31"}), "on", "contact"
    )
    invoice = Invoice.objects.order_by("pk").first()
    response = operator.post(
        f"/api/invoices/{invoice.pk}/issue/", {"issue_date": "9999-12-31"}, format="json"
    )
    _assert_named(response, "issue_date", "issue")
    buyout = world.objects["buyout"]["own"]
    response = operator.post(
        f"/api/buyouts/{buyout.pk}/complete/", {"completed_on": "9999-12-31"}, format="json"
    )
    _assert_named(response, "completed_on", "complete")
    _assert_named(operator.get("/api/changes/", {"user": HUGE_ID}), "user", "change log")
    _assert_named(
        operator.get("/api/assets/", {"created_after": "0001-01-01"}), "created_after", "assets"
    )
    # The bounds themselves are dates like any other.
    assert operator.get("/api/financing/", {"on": LATEST_DATE.isoformat()}).status_code == 200
    response = operator.get("/api/assets/", {"created_after": EARLIEST_DATE.isoformat()})
    assert response.status_code == 200
    assert response.json()["count"] == len(world.targets("asset"))


def test_the_change_log_finds_a_user_by_an_id_of_ordinary_size(world: MatrixWorld):
    operator = world.client("operator")
    user = world.users["operator"]
    response = operator.get("/api/changes/", {"user": str(user.pk)})
    assert response.status_code == 200


def _issued_invoice_with_lines(world: MatrixWorld) -> Invoice:
    invoice = Invoice.objects.filter(status="issued", lines__isnull=False).first()
    assert invoice is not None, "the billing matrix world issues an invoice"
    return invoice


@pytest.mark.parametrize("value", BAD_MONEY)
def test_crediting_a_bad_amount_through_the_api_names_the_amounts(world: MatrixWorld, value):
    invoice = _issued_invoice_with_lines(world)
    line = invoice.lines.order_by("pk").first()
    before = CreditNote.objects.count()
    response = world.client("operator").post(
        f"/api/invoices/{invoice.pk}/credit/",
        {"reason": "Wrong", "amounts": {str(line.pk): value}},
        format="json",
    )
    _assert_named(response, "amounts", value)
    assert CreditNote.objects.count() == before


@pytest.mark.parametrize("value", BAD_MONEY)
def test_crediting_a_bad_amount_in_the_page_is_a_message_not_a_500(world: MatrixWorld, value):
    """The credit form (its confirmation step, and the final POST) refuses the amount
    next to its line, keeps what was typed, and credits nothing."""
    invoice = _issued_invoice_with_lines(world)
    line = invoice.lines.order_by("pk").first()
    before = CreditNote.objects.count()
    client = Client()
    client.force_login(world.users["operator"])
    typed = {"reason": "Wrong", f"amount_{line.pk}": value}
    for response in (
        client.get(reverse("billing:invoice_credit_confirm", args=[invoice.pk]), typed),
        client.post(reverse("billing:invoice_credit", args=[invoice.pk]), typed, follow=True),
    ):
        assert response.status_code in {200, 400}, value
        text = response.content.decode()
        assert "Enter an amount" in text or "digits" in text, value
    assert CreditNote.objects.count() == before


def test_an_invoice_specification_exists_only_as_csv_and_xlsx(world: MatrixWorld):
    invoice = Invoice.objects.order_by("pk").first()
    client = Client()
    client.force_login(world.users["operator"])
    base = f"/billing/invoices/{invoice.pk}/specification"
    assert client.get(f"{base}.csv").status_code == 200
    assert client.get(f"{base}.xlsx").status_code == 200
    for extension in ("pdf", "CSV", "xml", "csv.exe"):
        response = client.get(f"{base}.{extension}")
        assert response.status_code == 404, extension


def _list_views():
    """(url, view class) of every UI list: the pages whose filters are FilterSets."""

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
                yield from walk(entry.url_patterns, namespace)
            elif isinstance(entry, URLPattern):
                view = getattr(entry.callback, "view_class", None)
                if view and issubclass(view, ObjectListView) and entry.name:
                    try:
                        yield reverse(f"{prefix}{entry.name}"), view
                    except Exception:  # noqa: S112 - a list that needs arguments
                        continue

    return list(walk(get_resolver().url_patterns))


def test_every_date_filter_of_every_ui_list_refuses_edge_dates(world: MatrixWorld):
    client = Client()
    client.force_login(world.users["operator"])
    lists = _list_views()
    assert len(lists) >= 8
    time_filtered = 0
    for url, view in lists:
        filters = view.filterset_class.base_filters
        for name, filter_ in filters.items():
            field_class = filter_.field_class
            if not issubclass(field_class, (forms.DateField, forms.DateTimeField)):
                continue
            time_filtered += name == "created_after"
            for value in BAD_DATES:
                response = client.get(url, {name: value})
                assert response.status_code == 200, (url, name, value)
                assert "Enter a date between" in response.content.decode(), (url, name, value)
    assert time_filtered >= 5


def _form_classes():
    for module_info in pkgutil.walk_packages(samdrift.__path__, "samdrift."):
        if ".migrations" in module_info.name or module_info.name.endswith(".settings"):
            continue
        try:
            module = importlib.import_module(module_info.name)
        except Exception:  # noqa: S112 - management commands etc. that need arguments
            continue
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
                and value.__module__.startswith("samdrift.")
            ):
                yield value


def test_every_date_and_money_field_of_every_form_refuses_edge_values():
    checked = set()
    for form_class in _form_classes():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateField):
                values = BAD_DATES
            elif isinstance(field, forms.DecimalField):
                values = BAD_MONEY
            else:
                continue
            for value in values:
                with pytest.raises(ValidationError):
                    field.clean(value)
            checked.add(f"{form_class.__name__}.{name}")
    # The credit form, the buyout forms, the asset form, the person form, pricing …
    assert {"AssetForm.acquisition_date", "PersonForm.active_to", "BuyoutForm.valuation_date"} <= (
        checked
    ), checked
    assert len(checked) >= 15, checked


def test_the_supported_dates_are_accepted_by_a_form(world: MatrixWorld):
    from samdrift.ui.forms import DateField, MoneyField

    assert DateField().clean(EARLIEST_DATE.isoformat()) == EARLIEST_DATE
    assert DateField().clean(LATEST_DATE.isoformat()) == LATEST_DATE
    assert DateField().clean("2026-02-28") == datetime.date(2026, 2, 28)
    assert MoneyField().clean("999 999 999 999,99") == Decimal("999999999999.99")


def test_answers_the_schema_described_wrongly_now_match_it(world: MatrixWorld, schema):
    """Found by the schemathesis run: each answer below did not match its schema."""
    operator = world.client("operator")
    paths = schema["paths"]

    def response_schema(path, method="get", code="200"):
        content = paths[path][method]["responses"][code]["content"]["application/json"]
        return _resolve(schema, content["schema"])

    assert response_schema("/api/me/")["type"] == "object"
    assert isinstance(operator.get("/api/me/").json(), dict)
    assert response_schema("/api/financing/")["type"] == "object"
    assert response_schema("/api/assets/{id}/assignments/")["type"] == "array"
    asset = world.objects["asset"]["own"]
    assert isinstance(operator.get(f"/api/assets/{asset.pk}/assignments/").json(), list)
    status = response_schema("/api/assets/{id}/")["properties"]["status"]
    statuses = _resolve(schema, status.get("allOf", [status])[0])
    assert "deployed" in statuses["enum"], status
    buyout = world.objects["buyout"]["own"]
    response = operator.patch(f"/api/buyouts/{buyout.pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200
    assert response.json()["item_count"] == buyout.items.count()
    nullable = response_schema("/api/buyouts/{id}/")["properties"]["agreed_by"]
    assert nullable.get("nullable") is True


def test_an_import_kind_that_is_not_a_string_is_a_400(world: MatrixWorld):
    """Found by the schemathesis run (PostgreSQL): a list as ``kind`` was looked up in the
    importers' dict and raised TypeError."""
    response = world.client("operator").post(
        "/api/imports/", {"kind": [["assets"]], "content": "x"}, format="json"
    )
    _assert_named(response, "kind", "kind as a list")
