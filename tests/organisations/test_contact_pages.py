"""A municipality's contact persons (issue #17): operators add and edit them on the
municipality page with the API's validation and change log; the municipality's own users
read their own municipality's contacts, never another's."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from samdrift.core.choices import ChangeAction
from samdrift.core.models import ObjectChange
from samdrift.organisations.choices import ContactFunction
from samdrift.organisations.models import MunicipalityContact
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def contact_data(owner, **overrides) -> dict:
    data = {
        "municipality": owner.pk,
        "name": "Ivar Faktura",
        "function": ContactFunction.INVOICE_RECIPIENT,
        "email": "faktura@fjordvik.kommune.no",
        "phone": "+47 75 12 34 56",
        "note": "Wants PDF copies as well",
    }
    data.update(overrides)
    return data


def make_contact(municipality, **fields) -> MunicipalityContact:
    values = {"name": "Ina IKT", "function": ContactFunction.ICT_CONTACT, "email": "ikt@x.no"}
    values.update(fields)
    return MunicipalityContact.objects.create(municipality=municipality, **values)


def changes_of(obj) -> list[ObjectChange]:
    content_type = ContentType.objects.get_for_model(type(obj))
    return list(
        ObjectChange.objects.filter(content_type=content_type, object_id=obj.pk).order_by("id")
    )


def test_operator_adds_a_contact_from_the_municipality_page(
    operator, operator_client, municipality_a
):
    detail = reverse("organisations:municipality_detail", args=[municipality_a.pk])
    add = f"{reverse('organisations:contact_create')}?municipality={municipality_a.pk}"
    assert add.replace("&", "&amp;") in operator_client.get(detail).content.decode()
    form = operator_client.get(add)
    assert str(form.context["form"]["municipality"].value()) == str(municipality_a.pk)

    response = operator_client.post(add, contact_data(municipality_a))
    assert response.status_code == 302
    assert response.url == detail
    contact = MunicipalityContact.objects.get()
    assert (contact.name, contact.function, contact.phone) == (
        "Ivar Faktura",
        ContactFunction.INVOICE_RECIPIENT,
        "+47 75 12 34 56",
    )
    (change,) = changes_of(contact)
    assert (change.action, change.user, change.municipality_id) == (
        ChangeAction.CREATE,
        operator,
        municipality_a.pk,
    )
    page = operator_client.get(detail).content.decode()
    assert "Ivar Faktura" in page
    assert "Invoice recipient" in page
    assert reverse("organisations:contact_edit", args=[contact.pk]) in page


def test_operator_edits_a_contact_and_the_change_is_logged(operator_client, municipality_a):
    contact = make_contact(municipality_a)
    response = operator_client.post(
        reverse("organisations:contact_edit", args=[contact.pk]),
        contact_data(municipality_a, name="Ina IKT", function=ContactFunction.BUDGET_OWNER),
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.function == ContactFunction.BUDGET_OWNER
    update = changes_of(contact)[-1]
    assert update.action == ChangeAction.UPDATE
    assert update.changed_fields()["function"] == (
        ContactFunction.ICT_CONTACT,
        ContactFunction.BUDGET_OWNER,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "", "phone": ""}, "email"),  # one way to reach them at least
        ({"email": "not an address"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"function": "mayor"}, "function"),
        ({"name": ""}, "name"),
        ({"municipality": "999999"}, "municipality"),
    ],
)
def test_bad_contact_input_names_the_field_and_saves_nothing(
    operator_client, municipality_a, overrides, field
):
    changes_before = ObjectChange.objects.count()
    response = operator_client.post(
        reverse("organisations:contact_create"), contact_data(municipality_a, **overrides)
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not MunicipalityContact.objects.exists()
    assert ObjectChange.objects.count() == changes_before


def test_a_municipalitys_users_read_their_own_contacts_only(
    contact_a, manager_a, municipality_a, municipality_b
):
    own = make_contact(municipality_a, name="Ina IKT")
    other = make_contact(municipality_b, name="Eli Elvdal")
    for login in (contact_a, manager_a):
        client = client_for(login)
        detail = client.get(reverse("organisations:municipality_detail", args=[municipality_a.pk]))
        page = detail.content.decode()
        assert "Ina IKT" in page
        assert "Eli Elvdal" not in page
        # Read-only: no edit link, and the form is refused.
        assert reverse("organisations:contact_edit", args=[own.pk]) not in page
        listing = client.get(reverse("organisations:contact_list")).content.decode()
        assert "Ina IKT" in listing
        assert "Eli Elvdal" not in listing
        assert reverse("organisations:contact_edit", args=[own.pk]) not in listing
        assert client.get(reverse("organisations:contact_edit", args=[own.pk])).status_code == 403
        filtered = client.get(reverse("organisations:contact_list"), {"municipality": other.pk})
        assert filtered.status_code == 404 or "Eli Elvdal" not in filtered.content.decode()


def test_another_municipalitys_contact_is_404_in_the_api(api, contact_a, municipality_b):
    other = make_contact(municipality_b, name="Eli Elvdal")
    api.force_authenticate(contact_a)
    assert api.get(f"/api/municipality-contacts/{other.pk}/").status_code == 404
    assert api.get("/api/municipality-contacts/").json()["results"] == []


def test_operator_list_links_each_contact_to_its_form(operator_client, municipality_a):
    contact = make_contact(municipality_a)
    page = operator_client.get(reverse("organisations:contact_list")).content.decode()
    assert reverse("organisations:contact_edit", args=[contact.pk]) in page
