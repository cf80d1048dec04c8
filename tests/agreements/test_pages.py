"""The agreement pages and the agreement document, as the people who use them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.urls import reverse

from samdrift.agreements import service_level_services as levels
from samdrift.agreements.models import CreditRule, PriorityTarget, ServiceLevel
from samdrift.agreements.selectors import hours_in_words
from samdrift.agreements.services import create_agreement, set_agreed_price
from samdrift.dashboard import agreement_document
from tests import factories
from tests.confirming import confirm

D = datetime.date
T = datetime.time


@pytest.fixture
def office(db):
    calendar = levels.create_calendar(name="Kontortid")
    for weekday in range(5):
        levels.set_calendar_hours(calendar=calendar, weekday=weekday, opens=T(7, 30), closes=T(16))
    return calendar


@pytest.fixture
def agreement(municipality_a, office):
    agreement = create_agreement(
        municipality=municipality_a,
        name="Tjenesteavtale 2026",
        reference="SAK-2026/17",
        valid_from=D(2026, 1, 1),
        maintenance_notice_days=7,
        pause_awaiting_vendor=False,
    )
    service = factories.make_service(name="Sak og arkiv drift", code="app-arkiv")
    set_agreed_price(agreement=agreement, service=service, amount=Decimal("125.00"))
    level = levels.set_service_level(
        agreement=agreement, service=service, availability_target=Decimal("99.5"), calendar=office
    )
    levels.set_priority_target(
        service_level=level, priority=1, response_minutes=30, resolution_minutes=240
    )
    levels.set_credit_rule(service_level=level, shortfall_up_to=Decimal("1"), percent=Decimal("5"))
    return agreement


def test_hours_in_words(office):
    assert hours_in_words(office) == "Mon–Fri 07:30–16:00, closed on public holidays"
    levels.set_calendar_hours(calendar=office, weekday=5, opens=T(10), closes=T(14))
    levels.update_calendar(calendar=office, changes={"public_holidays_closed": False})
    office = type(office).objects.get(pk=office.pk)
    assert hours_in_words(office) == "Mon–Fri 07:30–16:00, Sat 10:00–14:00"
    always = levels.create_calendar(name="24/7", always_open=True)
    assert hours_in_words(always) == "Around the clock, every day of the year"


def test_the_operator_sees_every_agreement_and_the_buttons(agreement, operator, municipality_b):
    other = create_agreement(
        municipality=municipality_b, name="Elvdal 2026", valid_from=D(2026, 1, 1)
    )
    client = factories.client_for(operator)
    page = client.get(reverse("agreements:agreement_list")).content.decode()
    assert agreement.name in page and other.name in page
    detail = client.get(reverse("agreements:agreement_detail", args=[agreement.pk]))
    text = detail.content.decode()
    assert "Mon–Fri 07:30–16:00, closed on public holidays" in text
    assert "SAK-2026/17" in text and "7 days" in text
    assert reverse("agreements:level_create", args=[agreement.pk]) in text


def test_a_contact_sees_their_own_agreement_without_buttons(agreement, contact_a, contact_b):
    own = factories.client_for(contact_a)
    listing = own.get(reverse("agreements:agreement_list")).content.decode()
    assert agreement.name in listing
    detail = own.get(reverse("agreements:agreement_detail", args=[agreement.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "Sak og arkiv drift" in text
    assert reverse("agreements:level_create", args=[agreement.pk]) not in text
    assert reverse("agreements:agreement_edit", args=[agreement.pk]) not in text
    other = factories.client_for(contact_b)
    assert agreement.name not in other.get(reverse("agreements:agreement_list")).content.decode()
    assert other.get(reverse("agreements:agreement_detail", args=[agreement.pk])).status_code == 404
    assert own.get(reverse("agreements:level_create", args=[agreement.pk])).status_code == 403


def test_a_service_area_manager_reads_the_agreement(agreement, manager_a):
    client = factories.client_for(manager_a)
    assert (
        client.get(reverse("agreements:agreement_detail", args=[agreement.pk])).status_code == 200
    )


def test_the_forms_write_through_the_services(agreement, finance_user):
    client = factories.client_for(finance_user)
    level = ServiceLevel.objects.get(agreement=agreement)
    bad = client.post(
        reverse("agreements:target_create", args=[level.pk]),
        {"priority": 2, "response_minutes": 120, "resolution_minutes": 60},
    )
    assert bad.status_code == 400
    assert "shorter than the response" in bad.content.decode()
    assert not PriorityTarget.objects.filter(priority=2).exists()
    good = client.post(
        reverse("agreements:target_create", args=[level.pk]),
        {"priority": 2, "response_minutes": 60, "resolution_minutes": 480},
    )
    assert good.status_code == 302
    rule = CreditRule.objects.get(service_level=level)
    edit = reverse("agreements:credit_rule_edit", args=[rule.pk])
    assert client.post(edit, {"delete": "1"}).status_code == 302  # to the confirmation
    assert CreditRule.objects.filter(pk=rule.pk).exists()
    response = confirm(client, edit, {"delete": "1"}, follow=False)
    assert response.status_code == 302 and not CreditRule.objects.filter(pk=rule.pk).exists()


def test_deleting_a_service_level_says_what_goes_with_it(agreement, operator):
    level = ServiceLevel.objects.get(agreement=agreement)
    edit = reverse("agreements:level_edit", args=[level.pk])
    client = factories.client_for(operator)
    shown = client.get(edit, {"delete": "1"}).content.decode()
    assert (
        "Delete the service level of Sak og arkiv drift from Tjenesteavtale 2026, with its "
        "priority targets (1) and credit rules (1)."
    ) in shown
    response = confirm(client, edit, {"delete": "1"}, follow=False)
    assert response.url == reverse("agreements:agreement_detail", args=[agreement.pk])
    assert not ServiceLevel.objects.filter(pk=level.pk).exists()
    assert not PriorityTarget.objects.filter(service_level_id=level.pk).exists()
    assert not CreditRule.objects.filter(service_level_id=level.pk).exists()


def test_a_refused_delete_deletes_nothing_and_says_why(agreement, office, operator):
    # The service level uses the calendar: deleting it is refused after the confirmation.
    edit = reverse("agreements:calendar_edit", args=[office.pk])
    client = factories.client_for(operator)
    response = confirm(client, edit, {"delete": "1"}, follow=False)
    assert response.status_code == 302 and response.url == edit
    assert type(office).objects.filter(pk=office.pk).exists()
    said = [str(m) for m in response.wsgi_request._messages]
    assert said == ["The calendar is used by a service level and cannot be deleted."]


def test_a_delete_the_database_refuses_is_a_message_not_an_error(office, operator, monkeypatch):
    def refused(*, calendar):
        raise IntegrityError("FOREIGN KEY constraint failed")

    monkeypatch.setattr(levels, "delete_calendar", refused)
    edit = reverse("agreements:calendar_edit", args=[office.pk])
    response = confirm(factories.client_for(operator), edit, {"delete": "1"}, follow=False)
    assert response.status_code == 302 and response.url == edit
    said = [str(m) for m in response.wsgi_request._messages]
    assert said == ["Kontortid cannot be deleted: other records refer to it."]
    assert type(office).objects.filter(pk=office.pk).exists()


def test_weekly_hours_in_one_form(office, operator):
    client = factories.client_for(operator)
    data = {f"opens_{d}": "" for d in range(7)} | {f"closes_{d}": "" for d in range(7)}
    data |= {"opens_0": "08:00", "closes_0": "15:00", "opens_6": "18:00", "closes_6": "09:00"}
    bad = client.post(reverse("agreements:calendar_hours", args=[office.pk]), data)
    assert bad.status_code == 400
    assert [h.opens for h in office.hours.all()] == [T(7, 30)] * 5  # nothing saved
    data |= {"closes_6": "20:00"}
    assert (
        client.post(reverse("agreements:calendar_hours", args=[office.pk]), data).status_code == 302
    )
    assert [(h.weekday, h.opens, h.closes) for h in office.hours.all()] == [
        (0, T(8), T(15)),
        (6, T(18), T(20)),
    ]


def test_a_calendar_is_read_by_every_login(office, contact_b):
    response = factories.client_for(contact_b).get(
        reverse("agreements:calendar_detail", args=[office.pk])
    )
    assert response.status_code == 200
    assert "Mon–Fri 07:30–16:00" in response.content.decode()


# --- the document ----------------------------------------------------------------------


def test_the_document_shows_the_agreement(agreement, contact_a):
    response = factories.client_for(contact_a).get(
        reverse("agreements:agreement_document", args=[agreement.pk])
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'rel="icon"' in text  # the print page has the favicon too
    for expected in (
        "Fjordvik",
        "SAK-2026/17",
        "2026-01-01",  # the English format in tests (01.01.2026 in nb)
        "Sak og arkiv drift",
        "Mon–Fri 07:30–16:00, closed on public holidays",
        "P1 – critical",
        "up to 1.000 points",
        "at least 7 days",
        "Time spent waiting for a vendor counts",
        "Place, date and signature",
    ):
        assert expected in text, expected
    assert "http://" not in text.replace("http://testserver", "") and "https://" not in text


def test_the_document_names_the_contact_persons_by_function(agreement, contact_a):
    """Before any contact person is registered the document names the contact logins;
    after, the registered persons with their function (and never another member's)."""
    from samdrift.organisations.choices import ContactFunction
    from samdrift.organisations.models import MunicipalityContact

    url = reverse("agreements:agreement_document", args=[agreement.pk])
    client = factories.client_for(contact_a)
    login_name = contact_a.get_full_name() or contact_a.username
    assert f"Contacts: {login_name}<" in client.get(url).content.decode()  # no e-mail here
    MunicipalityContact.objects.create(
        municipality=agreement.municipality,
        name="Kari Nordmann",
        function=ContactFunction.AGREEMENT_OWNER,
        email="kari.nordmann@fjordvik.kommune.no",
    )
    other = factories.make_municipality(name="Elsewhere")
    MunicipalityContact.objects.create(
        municipality=other, name="Per Annen", function=ContactFunction.ICT_CONTACT, phone="123"
    )
    text = client.get(url).content.decode()
    assert "Kari Nordmann, agreement owner (kari.nordmann@fjordvik.kommune.no)" in text
    assert "Per Annen" not in text


def test_the_pdf_is_the_document(agreement, contact_a, monkeypatch):
    rendered = []
    real = agreement_document.render_pdf

    def spy(html):
        rendered.append(html)
        return real(html)

    monkeypatch.setattr(agreement_document, "render_pdf", spy)
    response = factories.client_for(contact_a).get(
        reverse("agreements:agreement_pdf", args=[agreement.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "Fjordvik" in rendered[0] and "Sak og arkiv drift" in rendered[0]


def test_another_municipalitys_document_is_hidden(agreement, contact_b):
    client = factories.client_for(contact_b)
    for name in ("agreements:agreement_document", "agreements:agreement_pdf"):
        assert client.get(reverse(name, args=[agreement.pk])).status_code == 404


def test_the_document_lists_what_is_held_at_the_agreed_price(agreement, contact_a):
    from samdrift.inventory.services import subscribe

    service = ServiceLevel.objects.get(agreement=agreement).service
    subscribe(
        service=service,
        municipality=agreement.municipality,
        quantity=Decimal("3"),
        valid_from=D(2026, 2, 1),
    )
    context = agreement_document.document_context(agreement, contact_a, D(2026, 6, 15))
    items = [
        (i["name"], i["quantity"], i["unit_price"], i["amount"], i["source"])
        for i in context["items"]
    ]
    # 3 subscriptions at the agreed 125.00 a month: 375.00.
    assert items == [
        ("Sak og arkiv drift", Decimal("3"), Decimal("125.00"), Decimal("375.00"), "agreed")
    ]
    assert context["quantities_on"] == D(2026, 6, 15)
    before = agreement_document.document_context(agreement, contact_a, D(2025, 6, 15))
    assert before["quantities_on"] == D(2026, 1, 1) and before["items"] == []
