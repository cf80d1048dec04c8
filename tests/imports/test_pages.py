"""The upload page: check a file, see what it would do, confirm; the file waits in the
database in between (any app process may take the confirmation)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.core.importing.mapping import header_fingerprint
from samdrift.imports.models import ImportMapping, ImportStatus, ImportUpload
from samdrift.inventory.models import Asset
from tests import factories
from tests.factories import SNIPE_IT_HEADER, client_for, csv_bytes, snipe_it_row
from tests.worlds import build_importing_world

pytestmark = pytest.mark.django_db


def upload_file(rows, name="assets.csv"):
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


@pytest.fixture
def rows(municipality_a):
    build_importing_world(municipality_a)
    return [SNIPE_IT_HEADER, *(snipe_it_row(n) for n in range(3))]


def send(client, municipality, rows, **extra):
    data = {
        "kind": "assets",
        "municipality": municipality.pk,
        "on": "2026-01-05",
        "file": upload_file(rows),
        **extra,
    }
    return client.post("/imports/", data)


def test_upload_preview_confirm(operator, municipality_a, rows):
    client = client_for(operator)
    page = client.get("/imports/")
    assert page.status_code == 200
    assert b'data-testid="import-form"' in page.content
    assert b"Checked Out To: Username" in page.content  # the columns, documented

    response = send(client, municipality_a, rows)
    assert response.status_code == 302
    stored = ImportUpload.objects.get()
    assert response.url == f"/imports/{stored.pk}/"
    assert bytes(stored.content) == csv_bytes(rows)  # in the database, not on disk
    assert stored.status == ImportStatus.PREVIEWED

    preview = client.get(response.url)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert 'data-testid="created">3<' in text
    assert "user0" in text  # to be created
    assert 'data-testid="confirm-form"' in text
    assert not Asset.objects.exists()

    done = client.post(f"/imports/{stored.pk}/apply/")
    assert done.status_code == 302
    assert Asset.objects.count() == 3
    stored.refresh_from_db()
    assert stored.status == ImportStatus.APPLIED and bytes(stored.content) == b""
    after = client.get(f"/imports/{stored.pk}/").content.decode()
    assert 'data-testid="import-done"' in after and 'data-testid="confirm-form"' not in after
    again = client.post(f"/imports/{stored.pk}/apply/")
    assert again.status_code == 302 and Asset.objects.count() == 3


def test_a_file_with_errors_lists_them_and_offers_no_confirmation(operator, municipality_a, rows):
    rows.append(snipe_it_row(7, **{"Purchase Date": "31/31/2026"}))
    client = client_for(operator)
    response = send(client, municipality_a, rows)
    preview = client.get(response.url).content.decode()
    assert 'data-testid="import-errors"' in preview
    assert "date not understood: 31/31/2026" in preview
    assert 'data-testid="confirm-form"' not in preview
    stored = ImportUpload.objects.get()
    errors = client.get(f"/imports/{stored.pk}/errors.csv")
    assert errors["Content-Type"].startswith("text/csv")
    assert '5,Purchase Date,"date not understood: 31/31/2026' in errors.content.decode("utf-8-sig")
    assert client.post(f"/imports/{stored.pk}/apply/").status_code == 302
    assert not Asset.objects.exists()


def test_an_upload_whose_check_was_cut_off_is_shown_as_not_checked(
    operator, municipality_a, rows, monkeypatch
):
    # The file is kept before it is checked; a check cut off (a timeout, a crash) leaves
    # it with no result, and it is still listed under the user's recent imports.
    def cut_off(**_options):
        raise TimeoutError("the app process was stopped")

    client = client_for(operator)
    monkeypatch.setattr("samdrift.imports.services.run_import", cut_off)
    with pytest.raises(TimeoutError):
        send(client, municipality_a, rows)
    monkeypatch.undo()
    stored = ImportUpload.objects.get()
    assert stored.result == {}
    page_url = f"/imports/{stored.pk}/"
    assert page_url in client.get("/imports/").content.decode()

    preview = client.get(page_url)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert 'data-testid="import-unchecked"' in text
    assert 'data-testid="confirm-form"' not in text and "errors.csv" not in text
    # No check, so no list of errors (an empty CSV would say there are none).
    assert client.get(page_url + "errors.csv").status_code == 404
    mapping = client.get(page_url + "map/")
    assert (mapping.status_code, mapping.url) == (302, page_url)
    assert not Asset.objects.exists()


def test_bad_form_input_is_shown_next_to_the_field(operator, municipality_a, rows):
    client = client_for(operator)
    response = client.post(
        "/imports/", {"kind": "assets", "on": "2026-01-05", "file": upload_file(rows)}
    )
    assert response.status_code == 400
    assert b"Choose the municipality" in response.content
    assert not ImportUpload.objects.exists()


def test_uploads_are_private_to_their_user(operator, municipality_a, rows):
    send(client_for(operator), municipality_a, rows)
    stored = ImportUpload.objects.get()
    from tests import factories

    other = factories.make_user("operator", username="other-operator")
    client = client_for(other)
    assert client.get(f"/imports/{stored.pk}/").status_code == 404
    assert client.post(f"/imports/{stored.pk}/apply/").status_code == 404
    assert client.get(f"/imports/{stored.pk}/errors.csv").status_code == 404
    assert not Asset.objects.exists()


def test_roles_that_may_not_import(contact_a, read_only_user, municipality_a):
    for user in (contact_a, read_only_user):
        assert client_for(user).get("/imports/").status_code == 403


def test_finance_imports_products_only(finance_user, municipality_a):
    page = client_for(finance_user).get("/imports/").content.decode()
    assert '<option value="products"' in page
    assert '<option value="assets"' not in page


def test_the_template_lists_the_columns(operator):
    response = client_for(operator).get("/imports/template/persons.csv")
    header = response.content.decode("utf-8-sig").strip()
    assert header.startswith("Username;First name;Last name")
    assert client_for(operator).get("/imports/template/nothing.csv").status_code == 404


def test_the_page_is_in_the_navigation(operator):
    page = client_for(operator).get("/imports/").content.decode()
    assert 'href="/imports/"' in page


def test_the_pages_cost_a_fixed_number_of_queries(
    operator, municipality_a, rows, django_assert_max_num_queries
):
    client = client_for(operator)
    for n in range(3):
        send(client, municipality_a, rows + [snipe_it_row(100 + k) for k in range(n * 20)])
    stored = ImportUpload.objects.first()
    with django_assert_max_num_queries(12):
        assert client.get("/imports/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/imports/{stored.pk}/").status_code == 200


def test_the_mapping_step_maps_columns_and_values_and_is_reused(operator, municipality_a):
    build_importing_world(municipality_a)
    header = ["Inv.nr", "Maskin", "Gruppe", "Tilstand hos oss"]
    file_rows = [header, ["K-1", "ThinkPad T14", "Laptop", "Hyllevare"]]
    client = client_for(operator)
    response = send(client, municipality_a, file_rows)
    preview = client.get(response.url).content.decode()
    assert 'data-testid="mapping-step"' in preview
    map_url = response.url + "map/"
    page = client.get(map_url).content.decode()
    assert "K-1" in page and "ThinkPad T14" in page  # the first rows, to see what is what
    assert 'name="col-0"' in page

    posted = client.post(
        map_url,
        {"col-0": "asset_tag", "col-1": "product", "col-2": "category", "col-3": "status",
         "name": "Gammel liste"},
    )  # fmt: skip
    assert posted.status_code == 302
    stored = ImportUpload.objects.get()
    # The status value nobody knows is listed once, to be mapped on the same page.
    assert stored.result["unknown_values"]["status"]["Hyllevare"][0] == 1
    page = client.get(map_url).content.decode()
    assert 'data-testid="value-map-status"' in page
    client.post(
        map_url,
        {"col-0": "asset_tag", "col-1": "product", "col-2": "category", "col-3": "status",
         "val-status-0": "in_stock", "name": "Gammel liste"},
    )  # fmt: skip
    stored.refresh_from_db()
    assert stored.result["ok"], stored.result["errors"]
    assert stored.result["reading"] == "Gammel liste"

    # The next file with these columns is read with the saved mapping at once.
    again = send(client, municipality_a, file_rows)
    assert ImportUpload.objects.get(pk=again.url.split("/")[2]).result["ok"]
    listing = client.get("/imports/mappings/").content.decode()
    assert "Gammel liste" in listing
    mapping = ImportMapping.objects.get()
    assert mapping.created_by == operator
    client.post("/imports/mappings/", {"delete": mapping.pk})
    assert not ImportMapping.objects.exists()


def test_the_mapping_step_is_not_for_roles_that_may_not_import(operator, contact_a, municipality_a):
    build_importing_world(municipality_a)
    response = send(client_for(operator), municipality_a, [["Inv.nr"], ["K-1"]])
    assert client_for(contact_a).get(response.url + "map/").status_code == 404
    assert client_for(contact_a).get("/imports/mappings/").status_code == 403


def test_the_mapping_step_maps_categories_areas_and_companies_to_what_the_user_sees(
    operator, municipality_a, municipality_b
):
    world = build_importing_world(municipality_a)
    factories.make_service_area(municipality_b, name="Skole i Elvdal", cost_centre="9000")
    header = ["Company", "Asset Tag", "Model", "Category", "Department", "Username"]
    file_rows = [header] + [
        ["Fjordvik IKT", f"K-{n}", "Ny PC", "Bærbare", "Skole", ""] for n in range(3)
    ]
    client = client_for(operator)
    response = send(client, municipality_a, file_rows)
    map_url = response.url + "map/"
    page = client.get(map_url).content.decode()
    for key in ("municipality", "category", "service_area"):
        assert f'data-testid="value-map-{key}"' in page
    # Chosen from lists: this municipality's areas (not Elvdal's), the categories, the
    # municipalities (by number) and the collaboration's pool.
    assert '<option value="Oppvekst">' in page and "Skole i Elvdal" not in page
    assert '<option value="laptop">' in page and '<option value="4601">' in page
    columns = {"col-0": "municipality", "col-1": "asset_tag", "col-2": "product",
               "col-3": "category", "col-4": "service_area", "col-5": "person"}  # fmt: skip

    # A value not offered (another municipality's area, typed into the request) is
    # refused with a message, and nothing is saved.
    refused = client.post(
        map_url, {**columns, "val-service_area-0": "Skole i Elvdal", "name": "Gammel"}
    )
    assert refused.status_code == 302 and refused.url == map_url
    assert "not one of the choices offered" in client.get(map_url).content.decode()
    assert not ImportMapping.objects.exists()

    client.post(
        map_url,
        {**columns, "val-municipality-0": "4601", "val-category-0": "laptop",
         "val-service_area-0": "Oppvekst", "name": "Gammel"},
    )  # fmt: skip
    mapping = ImportMapping.objects.get()
    assert mapping.values == {
        "municipality": {"Fjordvik IKT": "4601"},
        "category": {"Bærbare": "laptop"},
        "service_area": {"Skole": "Oppvekst"},
    }
    stored = ImportUpload.objects.get()
    # Held by a service area, the new product needs a price first: the only error left.
    assert stored.result["unknown_values"] == {}
    errors = stored.result["errors"]
    assert len(errors) == 1 and "“Ny PC” has no price" in errors[0]["message"], errors
    assert world.laptop.code == "laptop"


def test_a_saved_mapping_is_edited_with_validation(operator, municipality_a, contact_a):
    world = build_importing_world(municipality_a)
    header = ["Inv.nr", "Maskin", "Gruppe", "Tilstand"]
    mapping = ImportMapping.objects.create(
        name="Gammel liste",
        kind="assets",
        fingerprint=header_fingerprint("assets", header),
        headers=header,
        columns={"Inv.nr": "asset_tag", "Maskin": "product", "Gruppe": "", "Tilstand": "status"},
        values={"status": {"Hyllevare": "in_stock", "Utlånt": "deployed"}},
        date_order="dmy",
    )
    ImportMapping.objects.create(name="Annen", kind="assets", fingerprint="x", headers=["a"])
    client = client_for(operator)
    url = f"/imports/mappings/{mapping.pk}/"
    assert url in client.get("/imports/mappings/").content.decode()
    page = client.get(url).content.decode()
    assert 'data-testid="mapping-form"' in page and "Hyllevare" in page
    # The fields as stored: header i is col_i; the values sorted by text.
    good = {"name": "Gammel liste 2", "date_order": "mdy", "col_0": "asset_tag",
            "col_1": "product", "col_2": "category", "col_3": "status",
            "val_status_0": "in_stock", "val_status_1": ""}  # fmt: skip

    # Two headers read as one column, a name taken, a meaning that is not a status.
    bad = {**good, "col_2": "product", "name": "annen", "val_status_0": "on_the_moon"}
    response = client.post(url, bad)
    assert response.status_code == 400
    form = response.context["form"]
    assert "“Maskin” is read as Product already" in form.errors["col_2"][0]
    assert "Another assets mapping is called “annen”" in form.errors["name"][0]
    assert "val_status_0" in form.errors
    mapping.refresh_from_db()
    assert mapping.name == "Gammel liste" and mapping.date_order == "dmy"

    assert client.post(url, good).status_code == 302
    mapping.refresh_from_db()
    assert (mapping.name, mapping.date_order) == ("Gammel liste 2", "mdy")
    assert mapping.columns == {
        "Inv.nr": "asset_tag", "Maskin": "product", "Gruppe": "category", "Tilstand": "status"
    }  # fmt: skip
    assert mapping.values == {"status": {"Hyllevare": "in_stock"}}  # "Utlånt" removed
    # The edited mapping reads the next file: Gruppe is now the category.
    rows = [header, ["K-1", "Ny maskin", "Laptop", "Hyllevare"]]
    response = send(client, municipality_a, rows)
    result = ImportUpload.objects.get(pk=response.url.split("/")[2]).result
    assert result["ok"] and result["to_create"] == {"products": ["Ny maskin"]}, result["errors"]
    assert world.laptop.name == "Laptop"

    # Not for roles that may not import.
    assert client_for(contact_a).get(url).status_code == 403
