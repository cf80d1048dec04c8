"""``/api/imports/``: check or import a file through the API, with the same permissions."""

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.core.models import ObjectChange
from samdrift.imports.models import ImportMapping
from samdrift.inventory.models import Asset
from tests import factories
from tests.factories import (
    SNIPE_IT_HEADER,
    api_as,
    csv_bytes,
    snipe_it_row,
    xlsx_bytes,
)
from tests.worlds import build_importing_world

pytestmark = pytest.mark.django_db
URL = "/api/imports/"


def upload(rows, name="assets.csv"):
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


def post(client, **data):
    return client.post(URL, data, format="multipart")


@pytest.fixture
def rows(municipality_a):
    build_importing_world(municipality_a)
    return [SNIPE_IT_HEADER, *(snipe_it_row(n) for n in range(3))]


def test_check_then_import(operator, municipality_a, rows):
    client = api_as(operator)
    checked = post(client, kind="assets", municipality=municipality_a.pk, file=upload(rows))
    assert checked.status_code == 200, checked.json()
    body = checked.json()
    assert (body["ok"], body["applied"], body["created"]) == (True, False, 3)
    assert body["to_create"]["persons"][0] == "user0"
    assert not Asset.objects.exists()

    done = post(
        client, kind="assets", municipality=municipality_a.pk, dry_run="false", file=upload(rows)
    )
    assert done.status_code == 201
    assert done.json()["applied"] is True
    assert Asset.objects.count() == 3
    summary = ObjectChange.objects.get(object_id=0)
    assert summary.user == operator and summary.actor == "operator"

    again = post(
        client, kind="assets", municipality=municipality_a.pk, dry_run="false", file=upload(rows)
    )
    assert again.status_code == 200
    assert again.json()["unchanged"] == 3


def test_errors_answer_400_with_every_row(operator, municipality_a, rows):
    rows.append(snipe_it_row(9, **{"Purchase Cost": "mye"}))
    rows.append(snipe_it_row(10, **{"Serial": "SN00000001"}))
    response = post(
        api_as(operator),
        kind="assets",
        municipality=municipality_a.pk,
        dry_run="false",
        file=upload(rows),
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [(5, "Purchase Cost"), (6, "Serial")]
    assert not Asset.objects.exists()


def test_a_municipality_contact_may_not_import(contact_a, municipality_a, rows):
    response = post(
        api_as(contact_a), kind="assets", municipality=municipality_a.pk, file=upload(rows)
    )
    assert response.status_code == 403


def test_a_login_that_may_not_import_learns_nothing_else(municipality_a, municipality_b, rows):
    # Refused for the role first: not told whether the municipality named exists for it.
    reader = factories.make_user("read_only", municipality=municipality_b, username="elvdal-reader")
    response = post(
        api_as(reader), kind="assets", municipality=municipality_a.pk, file=upload(rows)
    )
    assert response.status_code == 403
    assert "municipality" not in response.json()


def test_the_csv_text_may_come_as_json(operator, municipality_a):
    client = api_as(operator)
    body = {
        "kind": "service-areas",
        "municipality": municipality_a.pk,
        "filename": "areas.csv",
        "content": "Tjenesteområde;Ansvar\nOppvekst;2000\n",
        "dry_run": False,
    }
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 1
    encoded = base64.b64encode(xlsx_bytes([["Name", "Cost centre"], ["Helse", "3000"]])).decode()
    body = {"kind": "service-areas", "municipality": municipality_a.pk, "content_base64": encoded}
    response = client.post(URL, body, format="json")
    assert response.status_code == 200 and response.json()["created"] == 1
    both = client.post(URL, {**body, "content": "x"}, format="json")
    assert both.status_code == 400 and "file" in both.json()


def test_finance_may_import_products_but_not_assets(finance_user, municipality_a, rows):
    products = [["Name", "Category"], ["Smarttelefon", "Mobiltelefon"]]
    response = post(
        api_as(finance_user), kind="products", dry_run="false", file=upload(products, "p.csv")
    )
    assert response.status_code == 201, response.json()
    response = post(
        api_as(finance_user), kind="assets", municipality=municipality_a.pk, file=upload(rows)
    )
    assert response.status_code == 403


def test_a_municipality_is_required_for_assets(operator, rows):
    response = post(api_as(operator), kind="assets", file=upload(rows))
    assert response.status_code == 400
    assert "municipality" in response.json()


def test_anonymous_is_refused(api, municipality_a, rows):
    response = post(api, kind="assets", municipality=municipality_a.pk, file=upload(rows))
    assert response.status_code in (401, 403)


def test_the_kinds_and_their_columns(operator):
    response = api_as(operator).get(URL)
    assert response.status_code == 200
    kinds = {k["kind"]: k for k in response.json()}
    assert set(kinds) == {
        "service-areas",
        "locations",
        "persons",
        "products",
        "assets",
        "usage",
        "portfolio",
        "incidents",
        "outages",
    }
    assert kinds["incidents"]["municipality_optional"] is True
    sources = [value for value, _label in kinds["incidents"]["options"][0]["choices"]]
    assert sources == ["servicenow", "topdesk", "glpi", "jsm"]
    asset_columns = {c["key"]: c for c in kinds["assets"]["columns"]}
    assert "Serienummer" in asset_columns["serial_number"]["aliases"]
    assert "Checked Out To: Username" in asset_columns["person"]["aliases"]
    assert kinds["products"]["per_municipality"] is False


def test_the_schema_documents_the_endpoint(operator):
    schema = api_as(operator).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/imports/" in schema["paths"]
    assert (
        "multipart/form-data" in schema["paths"]["/api/imports/"]["post"]["requestBody"]["content"]
    )


def test_a_mapping_is_given_by_name_id_or_inline(operator, municipality_a):
    build_importing_world(municipality_a)
    header = ["Inv.nr", "Maskin", "Tilstand", "Kjøpt"]
    rows = [header, ["K-1", "ThinkPad T14", "Hyllevare", "03/04/2024"]]
    inline = {
        "columns": {"Inv.nr": "asset_tag", "Maskin": "product", "Tilstand": "status",
                    "Kjøpt": "acquisition_date"},
        "values": {"status": {"Hyllevare": "in_stock"}},
        "date_order": "mdy",
    }  # fmt: skip
    client = api_as(operator)
    base = {"kind": "assets", "municipality": municipality_a.pk}

    unmapped = post(client, **base, file=upload(rows)).json()
    assert not unmapped["ok"]

    # Inline, as JSON (an object) and as multipart (its JSON text).
    as_json = client.post(
        URL, {**base, "content": csv_bytes(rows).decode(), "mapping": inline}, format="json"
    )
    assert as_json.status_code == 200 and as_json.json()["ok"], as_json.json()
    multipart = post(client, **base, file=upload(rows), mapping=json.dumps(inline))
    assert multipart.status_code == 200 and multipart.json()["ok"], multipart.json()

    # Saved: by name and by id (not saved for this header row: only given explicitly).
    saved = ImportMapping.objects.create(
        name="Gammel liste", kind="assets", fingerprint="other", headers=header,
        columns=inline["columns"], values=inline["values"], date_order="mdy",
    )  # fmt: skip
    for given in ("Gammel liste", str(saved.pk)):
        done = post(client, **base, dry_run="false", file=upload(rows), mapping=given)
        assert done.status_code in (200, 201), done.json()
        assert done.json()["reading"] == "Gammel liste"
    asset = Asset.objects.get(asset_tag="K-1")
    assert (asset.status, asset.acquisition_date.isoformat()) == ("in_stock", "2024-03-04")

    # Bad mappings are 400s naming the field.
    for bad, words in [
        ("Ingen slik", "No saved assets mapping is called (or has the id) Ingen slik"),
        ("{not json", "not valid JSON"),
        ({"date_order": "ymd"}, "“date_order” is mdy, dmy or empty"),
        ([1, 2], "a saved mapping's name or id, or a mapping object"),
    ]:
        response = client.post(
            URL, {**base, "content": csv_bytes(rows).decode(), "mapping": bad}, format="json"
        )
        assert response.status_code == 400
        assert words in str(response.json()["mapping"]), response.json()


def test_the_schema_documents_the_mapping(operator):
    schema = api_as(operator).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    request = schema["components"]["schemas"]["ImportRequestRequest"]["properties"]
    assert "samdrift import --map" in request["mapping"]["description"]
    result = schema["components"]["schemas"]["ImportResult"]["properties"]
    assert "unknown_values" in result
