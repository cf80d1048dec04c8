"""Service credits of approved SLA reports become credit lines on the municipality's next
invoice: exact to the øre, split by service area, valid EHF, and billed once however often
billing or the approval is rerun."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from lxml import etree

from samdrift.billing.choices import ChargeSource, InvoiceStatus
from samdrift.billing.ehf import invoice_xml
from samdrift.billing.ehf_rules import check_rules, check_schema
from samdrift.billing.models import Charge, Invoice, InvoiceLine
from samdrift.billing.services.issuing import issue_invoice, issue_period
from samdrift.billing.services.one_offs import add_one_off_charge
from samdrift.billing.services.periods import close_period
from samdrift.billing.services.runs import bill_period
from samdrift.core.choices import Role
from samdrift.core.permissions import restrict
from samdrift.servicedesk.models import ServiceCredit, SlaReport
from tests import factories
from tests.billing.schematron import SCHEMAS, cen_failures, fatal

D = datetime.date
NOV, DEC, JAN = D(2026, 11, 1), D(2026, 12, 1), D(2027, 1, 1)
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CENT = Decimal("0.01")


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def approve(municipality, month, service, *, percent="5", availability="99.12", target="99.50"):
    """What approving a report does to its credits: one row per municipality, service and
    month, updated (not duplicated) when the month is approved again."""
    report, _created = SlaReport.objects.update_or_create(
        municipality=municipality, month=month, defaults={"approved_at": timezone.now()}
    )
    credit, _created = ServiceCredit.objects.update_or_create(
        municipality=municipality,
        service=service,
        month=month,
        defaults={
            "report": report,
            "availability": Decimal(availability),
            "target": Decimal(target),
            "percent": Decimal(percent),
        },
    )
    return credit


def bill(month):
    with translation.override("en"):
        return bill_period(month=month)


def credit_charges(**filters):
    return list(
        Charge.objects.filter(source=ChargeSource.SLA_CREDIT, **filters).order_by(
            "service_area_id", "pk"
        )
    )


def credit_lines(invoice):
    return list(invoice.lines.filter(source=ChargeSource.SLA_CREDIT).order_by("line_number"))


def invoice_of(municipality, month):
    return Invoice.objects.get(municipality=municipality, period__month=month)


@pytest.fixture
def november(world):
    """November billed, issued and closed, with a one-off for the workplace service in the
    school, so the two Fjordvik areas were charged different amounts for it."""
    add_one_off_charge(
        municipality=world.fjordvik,
        service_area=world.school,
        service=world.workplace,
        description="Extra workplace set-up",
        date=D(2026, 11, 10),
        unit_price=Decimal("33.33"),
    )
    bill(NOV)
    issue_period(month=NOV, issue_date=D(2026, 12, 1))
    close_period(month=NOV)
    return world


# What Fjordvik was invoiced for the workplace service in November, by hand: one
# workplace at 150.00 in each area (a whole month), plus the 33.33 one-off in the school.
SCHOOL_BASE = Decimal("150.00") + Decimal("33.33")
HEALTH_BASE = Decimal("150.00")
BASE = SCHOOL_BASE + HEALTH_BASE  # 333.33


def expected_split(credit: Decimal) -> dict[str, Decimal]:
    """The credit split by the areas' parts of the base, by hand: floor each exact share
    to the øre, the øre left over to the larger remainder."""
    exact = {"school": credit * SCHOOL_BASE / BASE, "health": credit * HEALTH_BASE / BASE}
    floors = {
        k: (v / CENT).to_integral_value(rounding="ROUND_FLOOR") * CENT for k, v in exact.items()
    }
    left = int((credit - sum(floors.values())) / CENT)
    for key in sorted(exact, key=lambda k: exact[k] - floors[k], reverse=True)[:left]:
        floors[key] += CENT
    return floors


def test_an_approved_credit_is_a_credit_line_on_the_next_invoice(november):
    world = november
    credit = approve(world.fjordvik, NOV, world.workplace)
    bill(DEC)
    whole = rounded(BASE * 5 / 100)  # 16.6665 → 16.67
    assert whole == Decimal("16.67")
    split = expected_split(whole)
    assert split == {"school": Decimal("9.17"), "health": Decimal("7.50")}

    charges = credit_charges()
    assert [(c.service_area_id, c.amount) for c in charges] == sorted(
        [(world.school.pk, -split["school"]), (world.health.pk, -split["health"])]
    )
    assert {c.source_id for c in charges} == {credit.pk}
    assert all(c.municipality_id == world.fjordvik.pk for c in charges)
    assert sum(c.amount for c in charges) == -whole
    assert all(c.vat_rate == world.workplace.vat_rate for c in charges)

    invoice = invoice_of(world.fjordvik, DEC)
    lines = credit_lines(invoice)
    assert sorted(line.net_amount for line in lines) == sorted([-split["school"], -split["health"]])
    # In the invoice's language (Norwegian Bokmål unless SAMDRIFT_INVOICE_LANGUAGE says
    # otherwise), though the run was made in English: decimal commas, a month in words.
    text = (
        "Tjenestekreditt: User workplace, november 2026, tilgjengelighet 99,12 % "
        "(mål 99,50 %), 5 % — SLA-rapport Fjordvik 2026-11"
    )
    assert {line.description for line in lines} == {text}
    # The rest of December is as without the credit: 2 × (328.69 + 150.00).
    assert invoice.net_total == 2 * (Decimal("328.69") + Decimal("150.00")) - whole
    # Elvdal has no credit.
    assert credit_lines(invoice_of(world.elvdal, DEC)) == []


def test_the_credited_invoice_passes_the_official_ehf_validation(november):
    world = november
    approve(world.fjordvik, NOV, world.workplace)
    bill(DEC)
    invoice = issue_invoice(invoice=invoice_of(world.fjordvik, DEC), issue_date=D(2027, 1, 2))
    document = invoice_xml(invoice)
    assert check_schema(document, SCHEMAS) == []
    assert [str(f) for f in check_rules(document)] == []
    assert fatal(cen_failures(document)) == []
    root = etree.fromstring(document)
    credits = [
        line
        for line in root.findall("cac:InvoiceLine", NS)
        if line.findtext("cac:Item/cbc:Name", namespaces=NS).startswith("Tjenestekreditt:")
    ]
    assert len(credits) == 2
    amounts = sorted(
        Decimal(line.findtext("cbc:LineExtensionAmount", namespaces=NS)) for line in credits
    )
    assert amounts == sorted([Decimal("-9.17"), Decimal("-7.50")])
    for line in credits:
        assert line.findtext("cbc:InvoicedQuantity", namespaces=NS) == "-1"
        assert Decimal(line.findtext("cac:Price/cbc:PriceAmount", namespaces=NS)) > 0
        assert line.findtext("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", namespaces=NS) == "S"


def test_rerunning_billing_gives_the_same_single_credit(november):
    world = november
    approve(world.fjordvik, NOV, world.workplace)
    bill(DEC)
    first = [(c.service_area_id, c.amount, c.source_id) for c in credit_charges()]
    bill(DEC)
    bill(DEC)
    again = [(c.service_area_id, c.amount, c.source_id) for c in credit_charges()]
    assert again == first
    assert sum(c.amount for c in credit_charges()) == -Decimal("16.67")
    assert len(credit_lines(invoice_of(world.fjordvik, DEC))) == 2


def test_an_issued_credit_is_never_billed_again(november):
    world = november
    approve(world.fjordvik, NOV, world.workplace)
    bill(DEC)
    issued = issue_invoice(invoice=invoice_of(world.fjordvik, DEC), issue_date=D(2027, 1, 2))
    # The credit knows the invoice that billed it (the SLA page warns on a later change).
    assert [c.billed_in for c in ServiceCredit.objects.all()] == [issued.number]
    # A rerun of the open month leaves the issued invoice alone and bills nothing new.
    bill(DEC)
    assert sum(c.amount for c in credit_charges()) == -Decimal("16.67")
    issue_period(month=DEC, issue_date=D(2027, 1, 2))
    close_period(month=DEC)
    # Approving November again after the credit was issued changes nothing billed.
    approve(world.fjordvik, NOV, world.workplace, percent="10")
    bill(JAN)
    bill(JAN)
    assert credit_charges(period__month=JAN) == []
    assert credit_lines(invoice_of(world.fjordvik, JAN)) == []


def test_re_approval_before_billing_gives_the_updated_amount_once(november):
    world = november
    approve(world.fjordvik, NOV, world.workplace, percent="5")
    bill(DEC)
    approve(world.fjordvik, NOV, world.workplace, percent="10", availability="98.90")
    assert ServiceCredit.objects.count() == 1
    bill(DEC)
    whole = rounded(BASE * 10 / 100)  # 33.333 → 33.33
    charges = credit_charges()
    assert sum(c.amount for c in charges) == -whole
    assert sorted(-c.amount for c in charges) == sorted(expected_split(whole).values())
    lines = credit_lines(invoice_of(world.fjordvik, DEC))
    assert len(lines) == 2
    assert all("tilgjengelighet 98,90 %" in line.description for line in lines)
    assert all(", 10 % —" in line.description for line in lines)


def test_a_month_whose_next_period_is_closed_is_credited_in_the_next_open_one(november):
    world = november
    bill(DEC)
    issue_period(month=DEC, issue_date=D(2027, 1, 2))
    close_period(month=DEC)
    # November's report is approved only after December was closed: January credits it.
    approve(world.fjordvik, NOV, world.workplace, percent="5")
    bill(JAN)
    whole = rounded(BASE * 5 / 100)
    assert sum(c.amount for c in credit_charges(period__month=JAN)) == -whole


def test_adjustments_to_the_credited_month_count_once_issued(november):
    world = november
    add_one_off_charge(
        municipality=world.fjordvik,
        service_area=world.health,
        service=world.workplace,
        description="Late workplace fee",
        date=D(2026, 11, 20),
        unit_price=Decimal("66.67"),
    )
    bill(DEC)  # the late fee: an adjustment of November on December's invoice
    assert Charge.objects.filter(adjusts_period__month=NOV).count() == 1
    issue_period(month=DEC, issue_date=D(2027, 1, 2))
    close_period(month=DEC)
    approve(world.fjordvik, NOV, world.workplace, percent="5")
    bill(JAN)
    base = BASE + Decimal("66.67")  # 400.00
    assert sum(c.amount for c in credit_charges(period__month=JAN)) == -rounded(base * 5 / 100)


def test_no_line_when_the_service_was_not_charged_that_month(november):
    world = november
    unused = factories.make_service(name="Video meetings")
    approve(world.fjordvik, NOV, unused, percent="10")
    bill(DEC)
    assert credit_charges() == []


def test_a_credit_of_the_month_being_billed_waits_for_the_next_month(november):
    world = november
    approve(world.fjordvik, DEC, world.workplace)
    bill(DEC)
    assert credit_charges() == []


def test_each_service_area_sees_its_part_and_other_municipalities_nothing(november):
    world = november
    approve(world.fjordvik, NOV, world.workplace)
    bill(DEC)
    invoice = invoice_of(world.fjordvik, DEC)
    school_manager = factories.make_user(
        Role.SERVICE_AREA, municipality=world.fjordvik, service_area=world.school
    )
    lines = restrict(InvoiceLine.objects.filter(source=ChargeSource.SLA_CREDIT), school_manager)
    assert [line.net_amount for line in lines] == [-Decimal("9.17")]
    charges = restrict(Charge.objects.filter(source=ChargeSource.SLA_CREDIT), school_manager)
    assert [c.amount for c in charges] == [-Decimal("9.17")]

    elvdal = factories.make_user(Role.MUNICIPALITY, municipality=world.elvdal)
    assert not restrict(Charge.objects.filter(source=ChargeSource.SLA_CREDIT), elvdal).exists()
    assert not restrict(InvoiceLine.objects.filter(source=ChargeSource.SLA_CREDIT), elvdal).exists()
    page = factories.client_for(elvdal).get(reverse("billing:invoice_detail", args=[invoice.pk]))
    assert page.status_code == 404

    fjordvik = factories.make_user(Role.MUNICIPALITY, municipality=world.fjordvik)
    page = factories.client_for(fjordvik).get(reverse("billing:invoice_detail", args=[invoice.pk]))
    assert page.status_code == 200
    assert "Tjenestekreditt: User workplace, november 2026" in page.content.decode()


def test_the_specification_lists_the_credit(november):
    world = november
    approve(world.fjordvik, NOV, world.workplace)
    bill(DEC)
    invoice = invoice_of(world.fjordvik, DEC)
    operator = factories.make_user(Role.OPERATOR)
    response = factories.client_for(operator).get(
        reverse("billing:invoice_specification", args=[invoice.pk, "csv"])
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "Tjenestekreditt: User workplace" in body.decode("utf-8-sig")
    assert invoice.status == InvoiceStatus.DRAFT
