"""The permission matrix: every endpoint of the API router, as every kind of login.

The endpoints are read from the router's registry; the ``RESOURCES`` of every
``tests/<app>/api_matrix.py`` say what each offers and how to exercise it
(tests/core/matrix.py). A new endpoint or action without an entry makes
``test_every_routed_endpoint_is_in_the_matrix`` fail, so nothing reaches the API untried.

Expected, for each login (tests/worlds.py):
- anonymous: 401 everywhere, nothing changes;
- a user of another municipality: 404 for objects by id, lists without foreign rows;
- a service-area manager: only their own service area where the model has one;
- read-only, municipality contacts and managers: never write (403, nothing changes);
- finance: writes the catalogue (the models' ``write_roles``), nothing else;
- operator: everything.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from samdrift.core.filtersets import ScopedFilterBackend, ScopedFilterMixin
from samdrift.core.models import ObjectChange
from samdrift.urls import router
from tests.core.matrix import all_resources
from tests.worlds import ROLES, SEES_ALL, MatrixWorld, may_see

RESOURCES = all_resources()
EXTENDED_WORLD = True  # every app's objects, for every app's endpoints
SUCCESS = {"create": 201, "update": 200, "partial_update": 200, "destroy": 204}


def routed_endpoints() -> dict[tuple[str, str], tuple[str, str, bool]]:
    """(basename, action) -> (HTTP method, URL name, detail) for every routed endpoint."""
    found = {}
    for _prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            for method, action in router.get_method_map(viewset, route.mapping).items():
                name = route.name.format(basename=basename)
                found[(basename, action)] = (method, name, route.detail)
    return found


ENDPOINTS = routed_endpoints()
MATRIX = sorted(
    (basename, action)
    for basename, resource in RESOURCES.items()
    for action in resource.action_names()
)


def test_every_routed_endpoint_is_in_the_matrix():
    missing = sorted(set(ENDPOINTS) - set(MATRIX))
    assert missing == [], (
        "endpoints without a permission-matrix entry; declare them in RESOURCES of "
        "tests/<app>/api_matrix.py (see tests/core/matrix.py)"
    )
    unrouted = sorted(set(MATRIX) - set(ENDPOINTS))
    assert unrouted == [], "matrix entries for endpoints that are not routed"


def _put_body(world: MatrixWorld, basename: str, obj, patch: dict) -> dict:
    """Every writable field as the API shows it, with ``patch`` applied (a full PUT)."""
    viewset = next(v for _p, v, b in router.registry if b == basename)
    serializer = viewset.serializer_class(obj)
    writable = {name for name, f in serializer.fields.items() if not f.read_only}
    body = {k: v for k, v in serializer.data.items() if k in writable}
    body.update(patch)
    return body


def _body(world: MatrixWorld, basename: str, action: str, obj) -> dict | None:
    resource = RESOURCES[basename]
    if action == "create":
        return resource.create(world)
    if action == "partial_update":
        return resource.patch(world, obj)
    if action == "update":
        return _put_body(world, basename, obj, resource.patch(world, obj))
    custom = resource.actions.get(action)
    if custom is not None and custom.payload is not None:
        return custom.payload(world, obj)
    return None


def _expected_rows(world: MatrixWorld, basename: str, role: str) -> set[int]:
    if basename == "objectchange":
        rows = ObjectChange.objects.all()
        user = world.users[role]
        if role not in SEES_ALL:
            rows = rows.filter(municipality_id=user.municipality_id)
            if user.service_area_id:
                rows = rows.filter(service_area_id=user.service_area_id)
        return set(rows.values_list("pk", flat=True))
    return {obj.pk for target, obj in world.targets(basename).items() if may_see(role, target)}


def _check_rows(world: MatrixWorld, basename: str, role: str, response) -> list[str]:
    """The list shows exactly the rows the login may see."""
    if basename == "me":
        got = response.json()["username"]
        want = world.users[role].username
        return [] if got == want else [f"me: {got} not {want}"]
    body = response.json()
    rows = {row["id"] for row in body["results"]}
    if body["count"] != len(rows):
        return [f"list: count {body['count']} but {len(rows)} rows"]
    want = _expected_rows(world, basename, role)
    if rows != want:
        return [f"list: extra rows {sorted(rows - want)}, missing {sorted(want - rows)}"]
    return []


def _expected_status(role: str, target: str, basename: str, action: str, method: str) -> int:
    resource = RESOURCES[basename]
    custom = resource.actions.get(action)
    if role == "anonymous":
        return 401
    if not resource.allows(role, action, method):
        return 403
    if not may_see(role, target):
        return 404
    return custom.status if custom else SUCCESS.get(action, 200)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("basename", "action"), MATRIX)
def test_endpoint_as_role(world, basename, action, role):
    method, url_name, detail = ENDPOINTS[(basename, action)]
    resource = RESOURCES[basename]
    custom = resource.actions.get(action)
    client = world.client(role)
    problems: list[str] = []
    # A request naming no object (a list, a create) is about shared ground: whether the
    # login may call it at all; what it then shows is checked row by row.
    targets = world.targets(basename).items() if detail else [("shared", None)]
    for target, obj in targets:
        url = reverse(url_name, kwargs={"pk": obj.pk}) if detail else reverse(url_name)
        body = _body(world, basename, action, obj)
        if method == "get":
            body = {"page_size": 1000, **(body or {})}
        changes_before = ObjectChange.objects.count()
        response = getattr(client, method)(url, body)
        want = _expected_status(role, target, basename, action, method)
        where = f"{method.upper()} {url} [{target}]"
        if response.status_code != want:
            problems.append(f"{where}: {response.status_code} not {want}: {response.content[:300]}")
            continue
        if action == "list" and want == 200 and resource.list_rows:
            problems += _check_rows(world, basename, role, response)
        logged = ObjectChange.objects.count() - changes_before
        writes = method != "get" and (custom is None or custom.logs)
        no_op = (action, target) in resource.no_ops
        if logged and not (writes and want < 300):
            problems.append(f"{where}: answered {want}, yet {logged} change(s) were logged")
        if writes and want < 300 and not logged and not no_op:
            problems.append(f"{where}: succeeded without a change-log entry")
    assert problems == []


def _filterset_class(basename: str):
    """The FilterSet the API uses for the endpoint (a declared one, or the one made from
    the view's ``filterset_fields``)."""
    viewset = next(v for _p, v, b in router.registry if b == basename)
    view = viewset()
    return ScopedFilterBackend().get_filterset_class(view, getattr(viewset, "queryset", None))


def _scoped_filters(basename: str) -> dict[str, type]:
    filterset = _filterset_class(basename)
    if filterset is None:
        return {}
    return {
        name: f.scoped_model
        for name, f in filterset.base_filters.items()
        if isinstance(f, ScopedFilterMixin)
    }


SCOPED_FILTERS = [
    (basename, name)
    for basename in sorted(RESOURCES)
    if (basename, "list") in ENDPOINTS
    for name in sorted(_scoped_filters(basename))
]


def test_the_tenant_filters_are_all_tried():
    assert ("asset", "municipality") in SCOPED_FILTERS
    assert ("objectchange", "municipality") in SCOPED_FILTERS
    assert len(SCOPED_FILTERS) >= 20


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
@pytest.mark.parametrize(("basename", "filter_name"), SCOPED_FILTERS)
def test_filtering_by_an_object_the_user_may_not_see_is_404(world, basename, filter_name, role):
    """Naming another municipality's object in a filter answers 404, like fetching it."""
    model = _scoped_filters(basename)[filter_name]
    url = reverse(ENDPOINTS[(basename, "list")][1])
    problems = []
    for target, obj in world.objects_of_model(model).items():
        response = world.client(role).get(url, {filter_name: obj.pk, "page_size": 1000})
        want = 200 if may_see(role, target) else 404
        if response.status_code != want:
            problems.append(f"?{filter_name}={obj.pk} [{target}]: {response.status_code}")
            continue
        if want == 200:
            shown = {row["id"] for row in response.json()["results"]}
            allowed = _expected_rows(world, basename, role)
            if not shown <= allowed:
                problems.append(f"?{filter_name}={obj.pk}: foreign rows {shown - allowed}")
    assert problems == []


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
@pytest.mark.parametrize(("basename", "filter_name"), SCOPED_FILTERS)
def test_filtering_by_an_id_that_does_not_exist_answers_like_a_hidden_one(
    world, basename, filter_name, role
):
    """No existence oracle: an id nobody has answers 404, as another municipality's does."""
    model = _scoped_filters(basename)[filter_name]
    missing = (model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    url = reverse(ENDPOINTS[(basename, "list")][1])
    response = world.client(role).get(url, {filter_name: missing})
    assert response.status_code == 404, response.content[:300]


# The relations the issue named: auto-generated from Meta.fields, once plain filters.
NAMED_RELATIONS = [
    ("charge", "invoice"),
    ("charge", "asset"),
    ("charge", "subscription"),
    ("invoiceline", "invoice"),
    ("creditnote", "invoice"),
    ("billingrun", "period"),
]


def test_the_relations_generated_from_meta_fields_are_tried():
    assert set(NAMED_RELATIONS) <= set(SCOPED_FILTERS)


@pytest.mark.parametrize("basename", ["charge", "invoiceline", "creditnote"])
def test_the_browsable_api_filter_form_offers_only_what_the_user_may_see(world, basename):
    """The filter form of ``?format=api`` lists no other municipality's invoices, asset tags
    or subscriptions."""
    url = reverse(ENDPOINTS[(basename, "list")][1])
    html = world.client("contact_b").get(url, {"format": "api"}).content.decode()
    own_invoice = world.objects["invoice"]["foreign"]  # B's, contact_b's own
    foreign_invoice = world.objects["invoice"]["own"]  # A's
    assert f">{own_invoice}<" in html
    assert f">{foreign_invoice}<" not in html
    if basename == "charge":
        for target in ("own", "own_other_area", "stock"):
            assert f">{world.objects['asset'][target]}<" not in html
        assert f">{world.objects['asset']['foreign']}<" in html
        choices = html.split('name="subscription"', 1)[1].split("</select>", 1)[0]
        offered = set(re.findall(r'<option value="(\d+)"', choices))
        assert offered == {str(world.objects["subscription"]["foreign"].pk)}
