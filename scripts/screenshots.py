"""Save PNGs of the main pages into docs/screenshots/ (``make screenshots``).

Builds a throw-away install from ``samdrift demo --size small --no-serve`` in its own data
directory, serves it on 127.0.0.1, and photographs the pages in headless chromium as the
operator and as a municipality contact, in English and Norwegian. Fails when a page shows
a console error or asks for anything but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import uiserver

OUT = uiserver.ROOT / "docs" / "screenshots"


def targets() -> list[tuple[str, str, str, str]]:
    """(file name, login, language, path) for each screenshot."""
    from django.db.models import Count
    from django.urls import reverse

    from samdrift.core.choices import Role
    from samdrift.core.models import User
    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Municipality, Person

    operator = User.objects.filter(role=Role.OPERATOR).order_by("pk").first()
    if operator is None:
        operator = User.objects.create(username="screenshots-operator", role=Role.OPERATOR)
    municipality = Municipality.objects.order_by("-population").first()
    contact = User.objects.filter(
        role=Role.MUNICIPALITY, municipality=municipality
    ).first() or User.objects.create(
        username="screenshots-contact", role=Role.MUNICIPALITY, municipality=municipality
    )
    asset = (
        Asset.objects.filter(municipality=municipality)
        .annotate(n=Count("assignments"))
        .order_by("-n", "pk")
        .first()
    )
    person = (
        Person.objects.filter(municipality=municipality)
        .annotate(n=Count("assignments"))
        .order_by("-n", "pk")
        .first()
    )
    from samdrift.billing.choices import InvoiceStatus
    from samdrift.billing.models import BillingPeriod, Invoice
    from samdrift.leasing.models import Buyout

    # The demo bills two months: the latest closed one has issued invoices (and a credit
    # note), the open one drafts. The municipality's issued invoice is the one shown.
    period = BillingPeriod.objects.order_by("-month").first()
    invoice = (
        Invoice.objects.filter(municipality=municipality, status=InvoiceStatus.ISSUED)
        .order_by("-period__month")
        .first()
    )
    buyout = Buyout.objects.order_by("-pk").first()
    from samdrift.billing.models import AllocationKey

    key = AllocationKey.objects.order_by("pk").first()
    op, ct = operator.username, contact.username
    billing = [
        ("billing-periods", op, "en", reverse("billing:period_list")),
        (
            "billing-period",
            op,
            "en",
            reverse("billing:period_detail", args=[f"{period.month:%Y-%m}"]),
        ),
        ("invoice", op, "en", reverse("billing:invoice_detail", args=[invoice.pk])),
        ("portal-invoice-nb", ct, "nb", reverse("billing:invoice_detail", args=[invoice.pk])),
        ("buyout", op, "en", reverse("buyouts:detail", args=[buyout.pk])),
        ("financing", op, "en", reverse("buyouts:financing")),
        ("price-list", op, "en", reverse("pricing:price_list")),
        ("lease-models", op, "en", reverse("pricing:lease_model_list")),
        ("import", op, "en", reverse("imports:upload")),
    ]
    inventory = [
        ("overview", op, "en", reverse("home")),
        ("municipalities", op, "en", reverse("organisations:municipality_list")),
        (
            "municipality",
            op,
            "en",
            reverse("organisations:municipality_detail", args=[municipality.pk]),
        ),
        ("assets", op, "en", reverse("inventory:asset_list")),
        ("asset", op, "en", reverse("inventory:asset_detail", args=[asset.pk])),
        ("asset-assign", op, "en", reverse("inventory:asset_assign", args=[asset.pk])),
        ("persons", op, "en", reverse("organisations:person_list")),
        ("person", op, "en", reverse("organisations:person_detail", args=[person.pk])),
        ("products", op, "en", reverse("catalogue:product_list")),
        ("prices", op, "en", reverse("catalogue:price_list")),
        ("portal-overview-nb", ct, "nb", reverse("home")),
        # The working day: the global search, the change log, a device's lifecycle step.
        ("search-nb", op, "nb", reverse("search") + f"?q={person.last_name}&jump=0"),
        ("changes-nb", op, "nb", reverse("change_list") + "?per_page=25"),
        (
            "asset-lifecycle-nb",
            op,
            "nb",
            reverse("inventory:asset_event", args=[asset.pk]),
        ),
        ("portal-assets-nb", ct, "nb", reverse("inventory:asset_list")),
        # What needs attention, a list with several values of a filter, an allocation key.
        ("home-attention-nb", op, "nb", reverse("home")),
        (
            "assets-filters-nb",
            op,
            "nb",
            reverse("inventory:asset_list") + "?status=deployed&status=in_stock&per_page=25",
        ),
        ("allocation-key-nb", op, "nb", reverse("billing:key_detail", args=[key.pk])),
    ]
    return [
        *inventory,
        *billing,
        *service_levels(op, ct, municipality),
        *ordering(op, ct),
        *planning(op, ct, municipality),
        *gains(op, ct, municipality),
    ]


def gains(op: str, ct: str, municipality) -> list[tuple[str, str, str, str]]:
    """The action plan, the action with the most gains, common versus separate, the
    benefit map and the board report of the billed year (the demo's gains step)."""
    from django.db.models import Count
    from django.urls import reverse

    from samdrift.billing.choices import InvoiceStatus
    from samdrift.billing.models import Invoice
    from samdrift.gains.models import Action

    action = Action.objects.annotate(n=Count("gains")).order_by("-n", "pk").first()
    billed = Invoice.objects.filter(status=InvoiceStatus.ISSUED).order_by("-period__month").first()
    year = billed.period.month.year
    return [
        ("gains-plan", op, "en", reverse("gains:action_list")),
        ("gains-action", op, "en", reverse("gains:action_detail", args=[action.pk])),
        ("gains-comparison", op, "en", reverse("gains:comparison")),
        ("gains-benefit-map", op, "en", reverse("gains:benefit_map")),
        ("gains-board-report", op, "en", reverse("gains:board_report") + f"?year={year}"),
        # The municipality's own view, in bokmål: what it pays against alone.
        (
            "gains-portal-comparison-nb",
            ct,
            "nb",
            reverse("gains:comparison_detail", args=[municipality.pk]),
        ),
    ]


def planning(op: str, ct: str, municipality) -> list[tuple[str, str, str, str]]:
    """The replacement plan, the Windows 10 campaign, a scenario beside the baseline, and
    the contact's own forecast."""
    from django.urls import reverse

    from samdrift.planning.models import Campaign, Scenario

    campaign = Campaign.objects.order_by("pk").first()
    scenario = Scenario.objects.filter(is_baseline=False).order_by("pk").first()
    return [
        ("planning-plan", op, "en", reverse("planning:plan")),
        ("planning-campaign", op, "en", reverse("planning:campaign_detail", args=[campaign.pk])),
        ("planning-scenario", op, "en", reverse("planning:scenario_detail", args=[scenario.pk])),
        ("planning-investment", op, "en", reverse("planning:investment")),
        (
            "planning-forecast-nb",
            ct,
            "nb",
            reverse("planning:forecast_detail", args=[municipality.pk]),
        ),
    ]


def ordering(op: str, ct: str) -> list[tuple[str, str, str, str]]:
    """The catalogue as a contact sees it, the bulk school order, the queues, purchasing."""
    from django.db.models import Sum
    from django.urls import reverse

    from samdrift.ordering.models import Order

    bulk = Order.objects.annotate(units=Sum("lines__quantity")).order_by("-units", "pk").first()
    return [
        ("ordering-catalogue-nb", ct, "nb", reverse("ordering:catalogue")),
        ("ordering-order", op, "en", reverse("ordering:order_detail", args=[bulk.pk])),
        ("ordering-deliveries", op, "en", reverse("ordering:deliveries")),
        ("ordering-purchasing", op, "en", reverse("ordering:purchasing")),
    ]


def service_levels(op: str, ct: str, municipality) -> list[tuple[str, str, str, str]]:
    """The SLA pages of the credited month (the demo's one breach), the incidents, and the
    contact's agreement with its document."""
    from django.urls import reverse

    from samdrift.agreements.models import ServiceAgreement
    from samdrift.servicedesk.models import ServiceCredit

    credit = ServiceCredit.objects.order_by("-month").first()
    month = f"{credit.month:%Y-%m}"
    own = ServiceAgreement.objects.filter(municipality=municipality).order_by("-valid_from")[0]
    report = reverse("servicedesk:sla_report", args=[credit.municipality_id, month])
    return [
        ("sla-overview", op, "en", reverse("servicedesk:sla_overview") + f"?month={month}"),
        ("sla-report", op, "en", report),
        (
            "portal-sla-nb",
            ct,
            "nb",
            reverse("servicedesk:sla_report", args=[municipality.pk, month]),
        ),
        ("incidents", op, "en", reverse("servicedesk:incident_list")),
        ("agreement", op, "en", reverse("agreements:agreement_detail", args=[own.pk])),
        (
            "agreement-document-nb",
            ct,
            "nb",
            reverse("agreements:agreement_document", args=[own.pk]),
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse this data dir (default: a temp one)")
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--size",
        default="small",
        choices=["small", "medium", "large"],
        help="demo size (medium: check every page on more data; then --out elsewhere)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="samdrift-screenshots-") as temp:
        data_dir = args.data_dir or Path(temp)
        source = uiserver.prepare_data(data_dir, args.size, reuse=args.data_dir is not None)
        uiserver.setup_django(data_dir)
        shots = targets()
        cookies = {login: uiserver.session_cookie(login) for _n, login, _l, _p in shots}
        args.out.mkdir(parents=True, exist_ok=True)
        from playwright.sync_api import sync_playwright

        problems = []
        with uiserver.running_server(data_dir, args.port) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=uiserver.CHROMIUM, headless=True, args=uiserver.CHROMIUM_ARGS
            )
            for name, login, language, path in shots:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.add_cookies(
                    [
                        {"name": "sessionid", "value": cookies[login], "url": base},
                        {"name": "django_language", "value": language, "url": base},
                    ]
                )
                page = context.new_page()
                guard = uiserver.Guard()
                guard.attach(context, page)
                response = page.goto(base + path, wait_until="networkidle")
                if response is None or response.status != 200:
                    guard.problems.append(f"status {response.status if response else '?'}")
                elif "/login/" in page.url:
                    guard.problems.append("not signed in: the login page")
                target = args.out / f"{name}.png"
                page.screenshot(path=str(target), full_page=True)
                problems += [f"{name} ({path}): {p}" for p in guard.problems]
                print(f"saved {target}  ({login}, {language}, {path})")
                context.close()
            browser.close()
    print(f"data: {source}")
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
