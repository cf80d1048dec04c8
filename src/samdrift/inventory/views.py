"""Pages for assets: the list, an asset with its assignment timeline and change log, and
the operator forms (register, edit, assign from a date).

Every page starts from ``restrict``. A municipality's users see only their own
assignments of an asset (not who held it before) and only change-log rows of their own
municipality, with references to another's objects redacted (``redact_for``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.db.models import Q
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.changelog import changes_for
from samdrift.core.choices import ChangeAction
from samdrift.core.models import ObjectChange
from samdrift.core.permissions import can_write, restrict
from samdrift.core.redaction import redact_for
from samdrift.core.validators import parse_id
from samdrift.inventory.choices import OUT_OF_SERVICE, AssetEventKind, events_allowed
from samdrift.inventory.filtersets import AssetFilterSet
from samdrift.inventory.forms import AssetForm, AssignForm, BulkAction, CorrectionForm
from samdrift.inventory.markers import markers_for
from samdrift.inventory.models import Asset, AssetEvent, Assignment
from samdrift.inventory.selectors import mark_in_force
from samdrift.inventory.services import (
    assign_asset,
    correct_assignment,
    create_asset,
    plan_correction,
    update_asset,
)
from samdrift.inventory.tables import ASSET_TABLE
from samdrift.organisations.models import Person
from samdrift.ui.changes import plain_value
from samdrift.ui.formatting import format_day
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.panels import render_panels
from samdrift.ui.permissions import get_restricted_or_404, require_write
from samdrift.ui.timeline import Mark, Span, assignment_timeline

CHANGE_LOG_LIMIT = 50


class AssetListView(ObjectListView):
    model = Asset
    filterset_class = AssetFilterSet
    table = ASSET_TABLE
    title = gettext_lazy("Assets")
    filter_fields = [
        "q",
        "municipality",
        "service_area",
        "category",
        "product",
        "status",
        "in_service",
        "replacement_after",
        "replacement_before",
    ]
    filter_labels = {
        "in_service": gettext_lazy("In service (deployed or in repair)"),
        "replacement_after": gettext_lazy("Replacement due on or after"),
        "replacement_before": gettext_lazy("Replacement due before"),
        "category": gettext_lazy("Category"),
        "product": gettext_lazy("Product"),
    }
    create_url_name = "inventory:asset_create"
    template_name = "inventory/asset_list.html"
    results_template = "inventory/asset_results.html"

    def extra_context(self) -> dict:
        query = self.request.GET.copy()
        for name in ("page", "cursor", "per_page", "sort", "export"):
            query.pop(name, None)
        return {
            "can_bulk": can_write(self.request.user, Asset),
            "bulk_query": query.urlencode(),
            "bulk_actions": BulkAction.choices,
        }


def _fields(model) -> dict[str, models.Field]:
    return {f.attname: f for f in model._meta.concrete_fields}


def _change_rows(change, fields: dict[str, models.Field]) -> list[tuple[str, object, object]]:
    """(label, before, after) of each changed field; a redacted value says so. Days,
    amounts and choices read as on every page (``plain_value``); ids stay as logged."""
    hidden = _("(hidden: not your municipality's or service area's)")
    rows = []
    for name, (before, after) in change.changed_fields().items():
        field = fields.get(name)
        if field is not None and not field.is_relation:
            before, after = plain_value(field, before), plain_value(field, after)
        if ("prechange_data", name) in change.redacted_sides:
            before = hidden
        if ("postchange_data", name) in change.redacted_sides:
            after = hidden
        rows.append((str(field.verbose_name) if field is not None else name, before, after))
    return rows


def _timeline_extra(asset: Asset) -> list[Span | Mark]:
    """The rows the timeline draws under the assignments: the lease (its part after
    today hatched as to come) and the planned replacement."""
    rows: list[Span | Mark] = []
    if asset.lease_start:
        rows.append(Span(_("Lease"), asset.lease_start, asset.lease_end, css="lease"))
    elif asset.lease_end:
        rows.append(Mark(_("Lease end"), asset.lease_end))
    if asset.planned_replacement:
        rows.append(Mark(_("Planned replacement"), asset.planned_replacement))
    return rows


@login_required
def asset_detail(request, pk: int):
    user = request.user
    asset = get_restricted_or_404(
        Asset.objects.select_related(
            "product__category__lease_model", "municipality", "service_area", "person", "location"
        ),
        user,
        pk=pk,
    )
    today = timezone.localdate()
    history = mark_in_force(
        restrict(Assignment.objects.filter(asset=asset), user)
        .select_related("municipality", "service_area", "person", "location")
        .order_by("valid_from", "pk"),
        day=today,
    )
    labels = {**_fields(Assignment), **_fields(Asset)}
    # The previous holder's persons, areas and locations are not this user's to read.
    changes = [
        (change, _change_rows(change, labels))
        for change in redact_for(_asset_changes(asset, user), user)
    ]
    # A retired or disposed asset is not handed out.
    in_service = asset.status not in OUT_OF_SERVICE
    events = list(
        restrict(AssetEvent.objects.filter(asset=asset), user)
        .select_related("created_by")
        .order_by("-on", "-pk")
    )
    can_step = can_write(user, AssetEvent)
    return render(
        request,
        "inventory/asset_detail.html",
        {
            "asset": asset,
            "history": history,
            "timeline": assignment_timeline(history, today=today, extra=_timeline_extra(asset)),
            "changes": changes,
            # What it costs a month is the leasing app's panel (its price resolution).
            "panels": render_panels("inventory:asset_detail", request, asset),
            "in_service": in_service,
            "today": today,
            "can_edit": can_write(user, Asset),
            "can_assign": in_service and can_write(user, Assignment),
            "can_correct": can_write(user, Assignment),
            "events": events,
            "steps": [AssetEventKind(k) for k in events_allowed(asset.status)] if can_step else [],
            "markers": markers_for(user, [asset], today).get(asset.pk, []),
        },
    )


def _asset_changes(asset: Asset, user) -> list[ObjectChange]:
    """The asset's change log with its assignments' (corrections included, with their
    reason; a voided assignment is found by the asset named in what it was), newest
    first, as far as ``user`` may read them."""
    assignment_type = ContentType.objects.get_for_model(Assignment)
    of_assignments = ObjectChange.objects.filter(
        Q(object_id__in=Assignment.objects.filter(asset=asset).values("pk"))
        | Q(action=ChangeAction.DELETE, prechange_data__asset_id=asset.pk),
        content_type=assignment_type,
    )
    rows = restrict(changes_for(asset) | of_assignments, user)
    return list(rows.select_related("content_type").order_by("-time", "-pk")[:CHANGE_LOG_LIMIT])


@login_required
def asset_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, Asset)
    asset = get_restricted_or_404(Asset.objects.all(), user, pk=pk) if pk else None
    if request.method == "POST":
        form = AssetForm(request.POST, instance=asset, user=user)
        if form.is_valid():
            fields = form.service_fields()
            try:
                if asset is None:
                    saved = create_asset(**fields)
                else:
                    # Edit a fresh copy: the form's instance already holds the new values.
                    current = Asset.objects.get(pk=asset.pk)
                    saved = update_asset(asset=current, changes=fields)
            except (ValidationError, IntegrityError) as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved %(object)s.") % {"object": saved})
                return redirect("inventory:asset_detail", pk=saved.pk)
    else:
        form = AssetForm(instance=asset, user=user)
    title = _("Edit %(asset)s") % {"asset": asset} if asset else _("New asset")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "inventory/asset_form.html",
        {"form": form, "title": title, "asset": asset},
        status=status,
    )


@login_required
def asset_assign(request, pk: int):
    user = request.user
    require_write(user, Assignment)
    asset = get_restricted_or_404(Asset.objects.select_related("product"), user, pk=pk)
    if asset.status in OUT_OF_SERVICE:
        messages.error(
            request,
            _("%(asset)s is %(status)s and cannot be assigned.")
            % {"asset": asset, "status": asset.get_status_display()},
        )
        return redirect("inventory:asset_detail", pk=asset.pk)
    if request.method == "POST":
        form = AssignForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assign_asset(
                    asset=asset,
                    municipality=data["municipality"],
                    service_area=data["service_area"],
                    person=data["person"],
                    location=data["location"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                    note=data["note"],
                )
            except (ValidationError, IntegrityError) as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(asset)s is held by %(municipality)s from %(date)s.")
                    % {
                        "asset": asset,
                        "municipality": data["municipality"],
                        "date": data["valid_from"].strftime("%d.%m.%Y"),
                    },
                )
                return redirect("inventory:asset_detail", pk=asset.pk)
    else:
        municipality = parse_id(request.GET.get("municipality"))
        if municipality is not None:
            initial = {"municipality": municipality}
        elif asset.municipality_id:
            initial = {
                "municipality": asset.municipality_id,
                "service_area": asset.service_area_id,
                "location": asset.location_id,
            }
        else:
            initial = {}
        form = AssignForm(user=user, initial=initial)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "inventory/asset_assign.html", {"form": form, "asset": asset}, status=status
    )


@login_required
def assignment_correct(request, pk: int, assignment_pk: int):
    """Correct an assignment entered wrongly (operators): the first post shows what
    would change, the confirmed second one writes it with its reason."""
    user = request.user
    require_write(user, Assignment)
    asset = get_restricted_or_404(Asset.objects.all(), user, pk=pk)
    assignment = get_restricted_or_404(
        Assignment.objects.filter(asset=asset).select_related("municipality", "service_area"),
        user,
        pk=assignment_pk,
    )
    plan = None
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid():
            arguments = form.service_arguments()
            try:
                if form.cleaned_data["confirm"]:
                    correct_assignment(assignment=assignment, **arguments)
                else:
                    plan = plan_correction(assignment=assignment, **arguments)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if plan is None:
                    messages.success(
                        request,
                        _("The assignment from %(date)s is corrected.")
                        % {"date": format_day(assignment.valid_from)},
                    )
                    return redirect("inventory:asset_detail", pk=asset.pk)
    else:
        form = CorrectionForm(
            initial={"valid_from": assignment.valid_from, "valid_to": assignment.valid_to}
        )
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "inventory/assignment_correct.html",
        {"form": form, "asset": asset, "assignment": assignment, "plan": plan},
        status=status,
    )


@login_required
def person_suggestions(request):
    """<option>s for the person field: usernames in the chosen municipality matching ``q``."""
    municipality = parse_id(request.GET.get("municipality"))
    query = request.GET.get("person", "").strip()
    persons = []
    if municipality is not None and len(query) >= 2:
        persons = list(
            restrict(Person.objects.all(), request.user)
            .filter(municipality_id=municipality, username__istartswith=query)
            .order_by("username")[:20]
        )
    return TemplateResponse(request, "inventory/person_options.html", {"persons": persons})
