"""Permission-matrix entries of ordering's endpoints (see tests/core/matrix.py).

The world gets offers for the shared laptop and workplace service, a bundle with a part,
an approval rule per municipality (self-approval allowed, so that the budget owner who
placed an order may also approve it here), and a draft order with one laptop line per
tenant: A's education area (``own``, placed by manager_a), A's health area
(``own_other_area``, by contact_a), B's (``foreign``, by contact_b).

A step needs its order in the state before it: the payload of such an action moves the
order there first (a direct update, no change-log row), so each step is tried on its
own. Budget owners approve (operators may not: 403); operators accept, review, deliver
and take returns.
"""

from __future__ import annotations

from decimal import Decimal

from samdrift.core.actor import acting_as
from samdrift.ordering.choices import LineKind, OrderState
from samdrift.ordering.models import (
    ApprovalRule,
    Bundle,
    BundlePart,
    CatalogueOffer,
    Order,
    OrderLine,
)
from samdrift.ordering.services import add_line, create_order
from tests import factories
from tests.core.matrix import OPERATORS, Action, Resource, unique
from tests.worlds import MatrixWorld

ORDER_WRITERS = frozenset({"operator", "contact_a", "contact_b", "manager_a"})
BUDGET_OWNERS = frozenset({"contact_a", "contact_b", "manager_a"})
RULE_WRITERS = frozenset({"operator", "contact_a", "contact_b"})
EVERYONE = frozenset(
    {"operator", "finance", "auditor", "auditor_a", "contact_a", "contact_b", "manager_a"}
)


def extend_world(world: MatrixWorld) -> None:
    product = world.objects["product"]["shared"]
    workplace = world.objects["service"]["shared"]
    world.add("catalogueoffer", "shared", CatalogueOffer.objects.create(product=product))
    world.add(
        "catalogueoffer",
        "shared_service",
        CatalogueOffer.objects.create(service=workplace, one_off_fee=Decimal("500.00")),
    )
    bundle = Bundle.objects.create(name="Teacher workstation", code="teacher")
    world.add("bundle", "shared", bundle)
    world.add("bundlepart", "shared", BundlePart.objects.create(bundle=bundle, product=product))
    a, b = world.municipality_a, world.municipality_b
    for target, municipality in (("own", a), ("foreign", b)):
        rule = ApprovalRule.objects.create(municipality=municipality, allow_self_approval=True)
        world.add("approvalrule", target, rule)
    areas = {s.name: s for s in world.objects["servicearea"].values()}
    for target, by, municipality, area in (
        ("own", "manager_a", a, world.objects["servicearea"]["own"]),
        ("own_other_area", "contact_a", a, world.objects["servicearea"]["own_other_area"]),
        ("foreign", "contact_b", b, world.objects["servicearea"]["foreign"]),
    ):
        with acting_as(world.users[by]):
            order = create_order(municipality=municipality, service_area=area)
            line = add_line(order=order, kind=LineKind.PRODUCT, product=product)
        world.add("order", target, order)
        world.add("orderline", target, line)
    del areas


def _in_state(order: Order, state: str) -> None:
    Order.objects.filter(pk=order.pk).update(state=state)


def _then(state: str, body: dict | None = None):
    def payload(world, order):
        _in_state(order, state)
        return dict(body or {})

    return payload


def _to_review(world, line: OrderLine) -> dict:
    """Make the line a non-standard request of a submitted order, then price it."""
    OrderLine.objects.filter(pk=line.pk).update(
        kind=LineKind.NON_STANDARD,
        product=None,
        description="Ergonomic mouse",
        justification="Doctor's note",
    )
    _in_state(line.order, OrderState.SUBMITTED)
    return {"monthly_price": "25.00", "one_off_fee": "0.00", "note": "Checked"}


def _delivery(world) -> dict:
    line = world.objects["orderline"]["own"]
    _in_state(line.order, OrderState.ACCEPTED)
    n = unique()
    return {
        "line": line.pk,
        "on": "2026-03-02",
        "new_asset": {
            "serial": f"SN{n:08d}",
            "asset_tag": f"D-{n:05d}",
            "acquisition_cost": "9000",
        },
    }


def _return(world) -> dict:
    return {
        "municipality": world.municipality_a.pk,
        "on": "2026-03-01",
        "items": [{"asset": world.objects["asset"]["own"].pk, "disposition": "stock"}],
        "reason": "Leaves the school",
    }


def _new_offer(world) -> dict:
    return {"service": world.extra["page_service"].pk, "lead_time_days": 3}


RESOURCES: dict[str, Resource] = {
    "catalogueoffer": Resource(
        create=_new_offer, patch=lambda w, o: {"note": f"Checked {unique()}"}
    ),
    "bundle": Resource(
        create=lambda w: {"name": f"Bundle {unique()}", "code": f"bundle-{unique()}"},
        patch=lambda w, o: {"description": "Laptop and two monitors."},
    ),
    "bundlepart": Resource(
        create=lambda w: {
            "bundle": w.objects["bundle"]["shared"].pk,
            "service": w.objects["service"]["shared"].pk,
            "quantity": 1,
        },
        patch=lambda w, o: {"quantity": 2},
        destroy=True,
    ),
    "approvalrule": Resource(
        writers=RULE_WRITERS,
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "contact_approval_above": "10000.00",
        },
        patch=lambda w, o: {"contact_approval_above": f"{5000 + unique()}.00"},
        actions={"create": Action("post", False, status=201, allowed=OPERATORS)},
    ),
    "order": Resource(
        writers=ORDER_WRITERS,
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "service_area": w.objects["servicearea"]["own"].pk,
            "comment": f"For the new class {unique()}",
        },
        patch=lambda w, o: {"comment": f"Needed in August {unique()}"},
        # Municipality A's order: contact_b may not order for A (403, whatever the id).
        actions={
            "create": Action(
                "post", False, status=201, allowed=frozenset({"operator", "contact_a", "manager_a"})
            ),
            "add_line": Action(
                "post",
                True,
                lambda w, o: {"kind": "product", "product": w.objects["product"]["shared"].pk},
                201,
            ),
            "submit": Action("post", True, lambda w, o: {"note": "Please"}),
            "approve": Action("post", True, _then(OrderState.SUBMITTED), allowed=BUDGET_OWNERS),
            "reject": Action(
                "post", True, _then(OrderState.SUBMITTED, {"reason": "Too expensive"})
            ),
            "cancel": Action("post", True, lambda w, o: {"reason": "Not needed"}),
            "accept": Action("post", True, _then(OrderState.APPROVED), allowed=OPERATORS),
            "approval_queue": Action("get", False),
            "delivery_queue": Action("get", False, allowed=OPERATORS),
        },
    ),
    "orderline": Resource(
        writers=ORDER_WRITERS,
        patch=lambda w, o: {"quantity": 3},
        destroy=True,
        actions={
            "review": Action("post", True, _to_review, allowed=OPERATORS),
        },
    ),
    "ordertransition": Resource(),
    "delivery": Resource(create=_delivery),
    "return": Resource(create=_return),
    "purchasing": Resource(
        changes=False,
        retrieve=False,
        list_rows=False,
        actions={
            "non_standard_share": Action("get", False),
            "pending": Action("get", False),
            "lead_times": Action("get", False),
            "stock": Action("get", False),
        },
    ),
    "notification": Resource(
        changes=False,
        actions={"read": Action("post", True, lambda w, o: {}, allowed=EVERYONE, logs=False)},
    ),
}

__all__ = ["RESOURCES", "extend_world", "factories"]
