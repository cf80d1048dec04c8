"""The operator's working day in a real browser, in bokmål (issue #17's acceptance walk):
create a product and its price, register a device, assign it, send it to repair, bring it
back, return it to stock, retire and dispose of it (with the data-wipe certificate), find
it by serial through the header search, and see each step in the change log."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from samdrift.catalogue.models import PriceVersion, Product
from samdrift.core.choices import Role
from samdrift.inventory.models import Asset, AssetEvent
from tests import factories
from tests.ui.browser.conftest import sign_in
from tests.worlds import build_small_world

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    return build_small_world()


@pytest.fixture
def operator_user(transactional_db):
    return factories.make_user(Role.OPERATOR, username="op", first_name="Ola", last_name="Drift")


def iso(day: datetime.date) -> str:
    return day.isoformat()


def nb(day: datetime.date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def step(page, kind: str, on: datetime.date, reason: str, certificate: str = "") -> None:
    """Press the asset page's lifecycle button ``kind`` and record it on ``on``."""
    page.click(f"[data-testid=step-{kind}]")
    page.wait_for_selector("[data-testid=event-form]")
    page.fill("#id_on", iso(on))
    page.fill("#id_reason", reason)
    if certificate:
        page.fill("#id_certificate_reference", certificate)
    page.click("[data-testid=event-submit]")
    page.wait_for_selector("[data-testid=asset-status]")


def test_operator_day_in_bokmal(page, world, operator_user):
    today = datetime.date.today()
    sign_in(page, "op")
    page.click("[data-testid=language-nb]")
    page.wait_for_selector("html[lang=nb]")

    # A product and its price.
    page.goto(page.base_url + reverse("catalogue:product_create"))
    page.fill("#id_name", "Bærbar 15 tommer")
    page.select_option("#id_category", label="Laptops")
    page.fill("#id_standard_cost", "9 990,50")
    page.click("[data-testid=catalogue-form] button[type=submit]")
    page.wait_for_selector("[data-testid=new-price]")
    product = Product.objects.get(name="Bærbar 15 tommer")
    assert product.standard_cost == Decimal("9990.50")
    page.click("[data-testid=new-price]")
    page.fill("#id_amount", "299,50")
    page.fill("#id_valid_from", iso(today - datetime.timedelta(days=60)))
    page.click("[data-testid=catalogue-form] button[type=submit]")
    page.wait_for_selector("[data-testid=price-in-force]")
    assert "299,50" in page.inner_text("[data-testid=price-now]")
    assert PriceVersion.objects.get(product=product).valid_to is None

    # Register a device of it.
    page.goto(page.base_url + reverse("inventory:asset_create"))
    page.select_option("#id_product", value=str(product.pk))
    page.fill("#id_asset_tag", "DAG-0001")
    page.fill("#id_serial_number", "SN-DAGEN-42")
    page.select_option("#id_origin", value="purchased")
    page.fill("#id_acquisition_date", iso(today - datetime.timedelta(days=30)))
    page.fill("#id_acquisition_cost", "9 990,50")
    page.click("button[type=submit].primary")
    page.wait_for_selector("[data-testid=asset-status]")
    asset = Asset.objects.get(asset_tag="DAG-0001")
    assert page.inner_text("[data-testid=asset-status]") == "På lager"

    # Assign it to the municipality.
    page.click("[data-testid=assign-asset]")
    page.wait_for_selector("[data-testid=assign-form]")
    page.select_option("#id_municipality", value=str(world.municipality_a.pk))
    page.fill("#id_valid_from", iso(today - datetime.timedelta(days=20)))
    page.click("[data-testid=assign-submit]")
    page.wait_for_selector("[data-testid=asset-status]")
    asset.refresh_from_db()
    assert asset.municipality_id == world.municipality_a.pk

    # The lifecycle, a button per step.
    step(page, "sent_to_repair", today - datetime.timedelta(days=10), "Knust skjerm")
    assert page.inner_text("[data-testid=asset-status]") == "Til reparasjon"
    step(page, "back_from_repair", today - datetime.timedelta(days=8), "Skjerm byttet")
    step(page, "returned_to_stock", today - datetime.timedelta(days=5), "Sluttet")
    step(page, "retired", today - datetime.timedelta(days=2), "Utrangert")
    step(page, "disposed", today, "Levert til gjenvinning", certificate="SLETT-2026-17")
    asset.refresh_from_db()
    assert asset.status == "disposed"
    kinds = list(
        AssetEvent.objects.filter(asset=asset).order_by("on").values_list("kind", flat=True)
    )
    assert kinds == [
        "sent_to_repair",
        "back_from_repair",
        "returned_to_stock",
        "retired",
        "disposed",
    ]
    # The lifecycle table shows the days in the Norwegian way.
    assert nb(today - datetime.timedelta(days=10)) in page.content()

    # Find it by serial through the header search.
    page.goto(page.base_url + reverse("home"))
    page.fill("#header-search-q", "SN-DAGEN-42")
    page.press("#header-search-q", "Enter")
    page.wait_for_load_state("load")
    if "/search/" in page.url:
        page.click("[data-testid=search-results] a:text('DAG-0001')")
    page.wait_for_selector("[data-testid=asset-status]")
    assert page.url.rstrip("/").endswith(f"/assets/{asset.pk}")

    # Every step is in the change log filtered to the asset (the page's History button):
    # registered, assigned (in use), to repair, back in use, to stock, retired, disposed.
    page.click("[data-testid=history]")
    page.wait_for_load_state("load")
    assert f"object_id={asset.pk}" in page.url
    log = page.inner_text("main")
    assert "SN-DAGEN-42" in log
    for change in (
        "På lager → I bruk",
        "I bruk → Til reparasjon",
        "Til reparasjon → I bruk",
        "I bruk → På lager",
        "På lager → Utfaset",
        "Utfaset → Kassert",
    ):
        assert change in log, (change, log[-1500:])
