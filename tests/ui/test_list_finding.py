"""Finding things on every list page (ui.lists, ui.listsettings; #17 item 3): multiple-
choice filters, saved filters, the go-to-page box, the column chooser and the service
areas narrowed to the chosen municipality. Shown on the asset and person lists; the
machinery is the same for every ObjectListView."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from samdrift.inventory.choices import AssetStatus
from samdrift.ui.models import ListSetting
from tests import factories
from tests.factories import client_for

ASSETS = reverse("inventory:asset_list")
PERSONS = reverse("organisations:person_list")


def tags(response) -> set[str]:
    return set(re.findall(r"TAG\d{6}|LF-[A-Z0-9-]+", response.content.decode()))


def headers(response) -> list[str]:
    thead = re.search(r"<thead>(.*?)</thead>", response.content.decode(), re.S).group(1)
    cells = [
        re.sub(r"<[^>]+>|[▲▼↑↓]", "", th).strip()
        for th in re.findall(r"<th[^>]*>(.*?)</th>", thead, re.S)
    ]
    # The asset list's own columns around the table's: the bulk selection and markers.
    return [c for c in cells if c not in ("Select", "Attention")]


@pytest.fixture
def fleet(municipality_a, municipality_b, service_area_a, service_area_b):
    holder = factories.make_person(
        municipality_a, service_area_a, first_name="Solveig", last_name="Strand"
    )
    made = {}
    for status in (AssetStatus.DEPLOYED, AssetStatus.IN_REPAIR, AssetStatus.IN_STOCK):
        made[status] = factories.make_asset(
            asset_tag=f"LF-A-{status.upper().replace('_', '-')}",
            status=status,
            municipality=municipality_a,
            service_area=service_area_a,
            person=holder if status == AssetStatus.DEPLOYED else None,
        )
    made["b"] = factories.make_asset(
        asset_tag="LF-B-DEPLOYED",
        status=AssetStatus.DEPLOYED,
        municipality=municipality_b,
        service_area=service_area_b,
    )
    return made


# ---- a) multiple-choice filters ---------------------------------------------------------


@pytest.mark.django_db
def test_several_statuses_filter_together_and_all_are_listed_in_use(operator, fleet):
    response = client_for(operator).get(ASSETS, {"status": ["deployed", "in_repair"]})
    assert response.status_code == 200
    assert tags(response) == {"LF-A-DEPLOYED", "LF-A-IN-REPAIR", "LF-B-DEPLOYED"}
    html = response.content.decode()
    # Checkboxes, both ticked, in a dropdown that names them.
    assert re.search(r'<input type="checkbox" name="status" value="deployed"[^>]*checked', html)
    assert re.search(r'<input type="checkbox" name="status" value="in_repair"[^>]*checked', html)
    assert not re.search(r'<input type="checkbox" name="status" value="in_stock"[^>]*checked', html)
    assert '<span class="chosen">Deployed, In repair</span>' in html
    chips = re.search(r'data-testid="active-filters".*?</ul>', html, re.S).group(0)
    assert "Deployed, In repair" in chips
    # Its remove link keeps nothing of the status filter.
    assert 'href="?"' in chips


@pytest.mark.django_db
def test_one_status_still_filters_alone(operator, fleet):
    response = client_for(operator).get(ASSETS, {"status": "in_stock"})
    assert tags(response) == {"LF-A-IN-STOCK"}


# ---- b) saved filters -------------------------------------------------------------------


def save(client, name: str, query: str, list_path: str = ASSETS):
    return client.post(
        reverse("list_filter_save"), {"list": list_path, "name": name, "query": query}
    )


@pytest.mark.django_db
def test_a_saved_filter_is_listed_applied_and_deleted_by_its_owner_only(operator, fleet):
    owner = client_for(operator)
    response = save(owner, "In repair", "status=in_repair&page=3&q=")
    assert response.status_code == 302
    assert response["Location"] == f"{ASSETS}?status=in_repair"
    saved = ListSetting.objects.get(user=operator)
    assert (saved.name, saved.value, saved.list_path) == ("In repair", "status=in_repair", ASSETS)

    page = owner.get(ASSETS).content.decode()
    assert f'href="{ASSETS}?status=in_repair" data-testid="saved-filter">In repair</a>' in page
    assert tags(owner.get(f"{ASSETS}?{saved.value}")) == {"LF-A-IN-REPAIR"}

    other = client_for(factories.make_user(username="other-operator"))
    assert "In repair</a>" not in other.get(ASSETS).content.decode()
    assert other.post(reverse("list_filter_delete", args=[saved.pk])).status_code == 404
    assert ListSetting.objects.filter(pk=saved.pk).exists()
    # Another list of the owner's does not show it either.
    assert "In repair</a>" not in owner.get(PERSONS).content.decode()

    assert owner.post(reverse("list_filter_delete", args=[saved.pk])).status_code == 302
    assert not ListSetting.objects.filter(pk=saved.pk).exists()


@pytest.mark.django_db
def test_a_saved_filter_reveals_nothing_beyond_the_users_own_rows(contact_a, municipality_b, fleet):
    client = client_for(contact_a)
    save(client, "Deployed", "status=deployed")
    saved = ListSetting.objects.get(user=contact_a)
    assert tags(client.get(f"{ASSETS}?{saved.value}")) == {"LF-A-DEPLOYED"}
    # A saved query naming another municipality answers 404, as the URL itself does.
    save(client, "Theirs", f"municipality={municipality_b.pk}")
    theirs = ListSetting.objects.get(user=contact_a, name="Theirs")
    assert client.get(f"{ASSETS}?{theirs.value}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the filter a name."),
        ("   ", "Give the filter a name."),
        ("x" * 81, "A name has at most 80 characters."),
        ("Mine", "You already have a filter called “Mine” on this list."),
    ],
)
def test_a_bad_name_is_a_message_and_saves_nothing(operator, name, message):
    client = client_for(operator)
    save(client, "Mine", "status=deployed")
    before = ListSetting.objects.count()
    response = save(client, name, "status=retired")
    assert response.status_code == 302
    assert ListSetting.objects.count() == before
    shown = client.get(response["Location"]).content.decode()
    assert f"Name: {message}" in shown.replace("&#x27;", "'").replace("&quot;", '"')


@pytest.mark.django_db
def test_the_same_name_may_be_used_on_another_list_and_by_another_user(operator):
    save(client_for(operator), "Mine", "q=a")
    save(client_for(operator), "Mine", "q=a", list_path=PERSONS)
    save(client_for(factories.make_user(username="second")), "Mine", "q=a")
    assert ListSetting.objects.filter(name="Mine").count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("list_path", ["/nowhere/", "https://evil.example/", "", "/health/"])
def test_saving_for_what_is_not_a_list_is_refused(operator, list_path):
    response = save(client_for(operator), "X", "q=a", list_path=list_path)
    assert response.status_code == 400
    assert not ListSetting.objects.exists()


# ---- c) go to page ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("asked", "shown"),
    [("2", 2), ("0", 1), ("-4", 1), ("99", 3), ("abc", 1), ("1e400", 1), ("", 1), (" 3 ", 3)],
)
def test_a_page_out_of_range_or_garbage_is_clamped(operator, municipality_a, asked, shown):
    for _ in range(55):  # three pages of 25
        factories.make_asset(municipality=municipality_a)
    response = client_for(operator).get(ASSETS, {"per_page": 25, "page": asked})
    assert response.status_code == 200
    assert response.context["page"].number == shown
    html = response.content.decode()
    assert re.search(rf'name="page" min="1" max="3" value="{shown}"', html)
    # The jump form keeps the other parameters but not the page.
    jump = re.search(r'data-testid="jump".*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="per_page" value="25">' in jump
    assert 'type="hidden" name="page"' not in jump


# ---- d) the column chooser --------------------------------------------------------------


@pytest.mark.django_db
def test_chosen_columns_are_shown_remembered_and_the_essential_one_kept(operator, fleet):
    client = client_for(operator)
    everything = headers(client.get(ASSETS))
    assert everything[0] == "Asset tag"
    assert "Serial number" in everything and "Status" in everything
    # Shown only when chosen: the category (the product names it) and the warranty end.
    assert "Category" not in everything and "Warranty end" not in everything
    # Asking without the link column keeps it: it names the row.
    response = client.post(
        reverse("list_columns"),
        {"list": ASSETS, "columns": ["status", "nonsense"], "query": "status=deployed"},
    )
    assert response["Location"] == f"{ASSETS}?status=deployed"
    shown = headers(client.get(ASSETS))
    assert [h for h in shown if h in everything] == ["Asset tag", "Status"]
    # Another user's list is untouched.
    assert headers(client_for(factories.make_user(username="x")).get(ASSETS)) == everything
    # The export keeps every column (files are read back by the importers).
    export = client.get(ASSETS, {"export": "csv"})
    header_line = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert "serial_number" in header_line
    # A column hidden by default is shown when chosen.
    client.post(reverse("list_columns"), {"list": ASSETS, "columns": ["warranty_end"]})
    assert headers(client.get(ASSETS)) == ["Asset tag", "Warranty end"]
    # "Standard columns" forgets the choice.
    client.post(reverse("list_columns"), {"list": ASSETS, "reset": "1"})
    assert headers(client.get(ASSETS)) == everything
    assert not ListSetting.objects.filter(kind=ListSetting.Kind.COLUMNS).exists()


@pytest.mark.django_db
def test_a_list_that_makes_its_table_per_request_offers_no_column_chooser(operator):
    client = client_for(operator)
    html = client.get(reverse("planning:due_devices")).content.decode()
    assert 'data-testid="saved-filters"' in html
    assert 'data-testid="column-chooser"' not in html
    path = reverse("planning:due_devices")
    response = client.post(reverse("list_columns"), {"list": path, "columns": ["x"]})
    assert response.status_code == 400
    assert not ListSetting.objects.exists()


# ---- e) service areas narrowed to the chosen municipality -------------------------------


def area_choices(response) -> set[str]:
    return {str(a) for a in response.context["filter_form"].fields["service_area"].queryset}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [ASSETS, PERSONS])
def test_service_area_choices_narrow_to_the_chosen_municipality(
    operator, municipality_a, service_area_a, service_area_b, url
):
    other_a = factories.make_service_area(municipality_a, name="Kultur")
    client = client_for(operator)
    assert area_choices(client.get(url)) >= {str(service_area_a), str(service_area_b)}
    narrowed = client.get(url, {"municipality": municipality_a.pk})
    assert area_choices(narrowed) == {str(service_area_a), str(other_a)}
    html = narrowed.content.decode()
    assert 'hx-target="#filter-service_area"' in html
    # The htmx refresh answers just the service-area field, narrowed.
    fragment = client.get(
        url,
        {"municipality": municipality_a.pk},
        headers={"HX-Request": "true", "HX-Target": "filter-service_area"},
    ).content.decode()
    assert fragment.lstrip().startswith('<div class="field')
    assert 'id="filter-service_area"' in fragment
    assert service_area_a.name in fragment and "Kultur" in fragment
    assert service_area_b.name not in fragment
    assert "<table" not in fragment

    # Pressing Filter with an area of the other municipality (no JavaScript): the area
    # stays shown and chosen, since it still filters (to nothing).
    mismatched = client.get(
        url, {"municipality": municipality_a.pk, "service_area": service_area_b.pk}
    )
    assert mismatched.status_code == 200
    assert area_choices(mismatched) == {str(service_area_a), str(other_a), str(service_area_b)}
    assert mismatched.context["paginator"].count == 0
    # Asked afresh by the municipality select, it is dropped.
    refreshed = client.get(
        url,
        {"municipality": municipality_a.pk, "service_area": service_area_b.pk},
        headers={"HX-Request": "true", "HX-Target": "filter-service_area"},
    ).content.decode()
    assert service_area_b.name not in refreshed


# ---- f) the asset list's search ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Solveig", {"LF-A-DEPLOYED"}),
        ("solveig strand", {"LF-A-DEPLOYED"}),
        ("Helse", {"LF-B-DEPLOYED"}),
    ],
)
def test_asset_search_finds_the_holder_and_the_service_area(operator, fleet, query, expected):
    assert tags(client_for(operator).get(ASSETS, {"q": query})) == expected


@pytest.mark.django_db
def test_a_model_multiple_choice_filter_is_a_checkbox_dropdown_too(municipality_a, municipality_b):
    from django import forms
    from django.http import QueryDict

    from samdrift.organisations.models import Municipality
    from samdrift.ui.forms import DropdownCheckboxes
    from samdrift.ui.lists import ObjectListView, active_filters

    class Filters(forms.Form):
        q = forms.CharField(required=False)
        municipalities = forms.ModelMultipleChoiceField(
            queryset=Municipality.objects.order_by("name"), required=False
        )

    data = QueryDict(mutable=True)
    data.setlist("municipalities", [str(municipality_a.pk), str(municipality_b.pk)])
    form = Filters(data)
    assert form.is_valid()
    ObjectListView().customise_filter_form(form)
    assert isinstance(form.fields["municipalities"].widget, DropdownCheckboxes)
    html = str(form["municipalities"])
    assert html.count('type="checkbox"') == 2 and html.count("checked") == 2
    assert '<span class="chosen">Elvdal, Fjordvik</span>' in html
    assert "All" not in html.split("</summary>")[1]  # no blank choice among the boxes
    [chip] = active_filters(form, data)
    assert chip["values"] == ["Elvdal", "Fjordvik"]
