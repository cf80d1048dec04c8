"""Permission-matrix entries of the foundation endpoints (core, organisations, catalogue,
inventory). See tests/core/matrix.py for what an entry says."""

from __future__ import annotations

from tests.core.matrix import FINANCE, Action, Resource, new_organisation_number, unique
from tests.worlds import MatrixWorld


def _held_by(world: MatrixWorld, asset) -> dict:
    """Move an asset to another service area of its municipality (A's when in stock)."""
    municipality = asset.municipality or world.municipality_a
    areas = municipality.service_areas.exclude(pk=asset.service_area_id).order_by("pk")
    return {
        "municipality": municipality.pk,
        "service_area": areas.first().pk,
        "valid_from": "2026-02-01",
    }


RESOURCES: dict[str, Resource] = {
    "me": Resource(changes=False, retrieve=False),
    "objectchange": Resource(changes=False),
    "collaboration": Resource(patch=lambda w, o: {"city": "Fjordvik"}),
    "municipality": Resource(
        create=lambda w: {
            "name": f"Kommune {unique()}",
            "number": f"{3000 + unique()}",
            "organisation_number": new_organisation_number(),
            "population": 4200,
            "joined_on": "2026-01-01",
        },
        patch=lambda w, o: {"invoice_reference": "IKT-2026"},
    ),
    "municipalitycontact": Resource(
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "name": f"Ivar Faktura {unique()}",
            "function": "invoice_recipient",
            "email": "faktura@fjordvik.kommune.no",
        },
        patch=lambda w, o: {"phone": "+47 75 00 00 00"},
    ),
    "servicearea": Resource(
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "name": f"Kultur {unique()}",
            "kind": "culture",
            "cost_centre": f"7{unique():03d}",
        },
        patch=lambda w, o: {"name": f"{o.name} (renamed)"},
    ),
    "location": Resource(
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "name": f"Rådhuset {unique()}",
            "kind": "town_hall",
        },
        patch=lambda w, o: {"city": "Nordby"},
    ),
    "person": Resource(
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "service_area": w.objects["servicearea"]["own"].pk,
            "username": f"nora{unique()}",
            "first_name": "Nora",
            "last_name": "Berg",
            "active_from": "2026-01-01",
        },
        patch=lambda w, o: {"email": f"{o.username}@example.no"},
    ),
    "leasemodel": Resource(
        writers=FINANCE,
        create=lambda w: {
            "name": f"Phone lease {unique()}",
            "term_months": 24,
            "annual_rate": "0.045",
            "residual_percent": "0",
            "monthly_service_fee": "25.00",
        },
        patch=lambda w, o: {"monthly_service_fee": "60.00"},
    ),
    "productcategory": Resource(
        writers=FINANCE,
        create=lambda w: {"name": f"Tablet {unique()}", "code": f"tablet-{unique()}"},
        patch=lambda w, o: {"useful_life_months": 36},
    ),
    "product": Resource(
        writers=FINANCE,
        create=lambda w: {
            "name": f"Tablet 11in {unique()}",
            "category": w.objects["productcategory"]["shared"].pk,
            "standard_cost": "5400.00",
        },
        patch=lambda w, o: {"description": "Replaced by the 2027 model."},
    ),
    "service": Resource(
        writers=FINANCE,
        create=lambda w: {
            "name": f"Operation of HR system {unique()}",
            "code": f"hr-{unique()}",
            "unit": "fixed",
        },
        patch=lambda w, o: {"description": "Includes nightly backups."},
    ),
    "priceversion": Resource(
        writers=FINANCE,
        create=lambda w: {
            "product": w.objects["product"]["shared"].pk,
            "amount": "470.00",
            "valid_from": f"2026-{unique() % 12 + 1:02d}-01",
        },
    ),
    "asset": Resource(
        create=lambda w: {
            "product": w.objects["product"]["shared"].pk,
            "asset_tag": f"N-{unique():05d}",
            "serial_number": f"PF{unique():08d}",
            "acquisition_date": "2026-10-01",
            "acquisition_cost": "11990.00",
        },
        patch=lambda w, o: {"notes": "Battery replaced."},
        actions={
            "assign": Action("post", True, _held_by, 201),
            "unassign": Action("post", True, lambda w, o: {"on": "2026-03-01"}),
            "set_status": Action(
                "post", True, lambda w, o: {"status": "in_repair", "on": "2026-03-01"}
            ),
            "assignments": Action("get", True),
        },
        # Unassigning an asset nobody holds succeeds with nothing to change.
        no_ops=frozenset({("unassign", "stock")}),
    ),
    "assignment": Resource(
        create=lambda w: {
            "asset": w.objects["asset"]["stock"].pk,
            "municipality": w.municipality_a.pk,
            "service_area": w.objects["servicearea"]["own"].pk,
            "valid_from": "2026-02-01",
        },
        actions={
            "correct": Action(
                "post", True, lambda w, o: {"void": True, "reason": "Entered on the wrong asset"}
            )
        },
    ),
    "subscription": Resource(
        create=lambda w: {
            "service": w.objects["service"]["shared"].pk,
            "municipality": w.municipality_a.pk,
            "service_area": w.objects["servicearea"]["own"].pk,
            "quantity": "3",
            "valid_from": "2026-02-01",
        },
        actions={"end": Action("post", True, lambda w, o: {"on": "2026-06-01"})},
    ),
    "usagerecord": Resource(
        create=lambda w: {
            "service": w.extra["page_service"].pk,
            "municipality": w.municipality_a.pk,
            "service_area": w.objects["servicearea"]["own"].pk,
            "month": "2026-09-01",
            "quantity": "4310",
        },
        patch=lambda w, o: {"quantity": "1250", "note": "Meter re-read."},
    ),
}
