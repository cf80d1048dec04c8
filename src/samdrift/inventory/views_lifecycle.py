"""Pages for an asset's lifecycle: a step on one asset (returned to stock, sent to
repair, back from repair, retired, disposed) and the asset list's bulk actions on a
selection (a lifecycle step, another service area, the planned replacement).

The list posts its selection (the filters as a query string, and the ticked assets or
"all matching the filter") to the bulk page, which shows how many assets the action
takes with the action's fields; only the post of that page, with the count it showed,
writes. A selection is always the list's own rows again: restricted, filtered, then
narrowed to the ticked ids.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samdrift.core.permissions import restrict
from samdrift.inventory.choices import AssetEventKind, events_allowed
from samdrift.inventory.filtersets import AssetFilterSet
from samdrift.inventory.forms import (
    AssetEventForm,
    BulkAction,
    BulkLifecycleForm,
    BulkReplacementForm,
    BulkSelectionForm,
    BulkServiceAreaForm,
)
from samdrift.inventory.models import Asset, AssetEvent
from samdrift.inventory.services import (
    reassign_service_area,
    record_asset_event,
    record_events_in_bulk,
    set_planned_replacement,
)
from samdrift.ui.formatting import format_number
from samdrift.ui.forms import add_service_errors
from samdrift.ui.permissions import get_restricted_or_404, require_write


@login_required
def asset_event(request, pk: int):
    """Record one lifecycle step of an asset (``?kind=`` preselects it)."""
    user = request.user
    require_write(user, AssetEvent)
    asset = get_restricted_or_404(Asset.objects.select_related("product"), user, pk=pk)
    kinds = events_allowed(asset.status)
    if not kinds:
        messages.error(
            request,
            _("%(asset)s is %(status)s: no further lifecycle step is possible.")
            % {"asset": asset, "status": asset.get_status_display()},
        )
        return redirect("inventory:asset_detail", pk=asset.pk)
    if request.method == "POST":
        # Every step is accepted by the form; the service says which are not open now.
        form = AssetEventForm(request.POST, kinds=list(AssetEventKind.values))
        if form.is_valid():
            try:
                event = record_asset_event(asset=asset, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(asset)s: %(step)s on %(date)s.")
                    % {
                        "asset": asset,
                        "step": event.get_kind_display(),
                        "date": event.on.strftime("%d.%m.%Y"),
                    },
                )
                return redirect("inventory:asset_detail", pk=asset.pk)
        form.fields["kind"].choices = [
            (k, label) for k, label in AssetEventKind.choices if k in kinds
        ]
    else:
        kind = request.GET.get("kind")
        form = AssetEventForm(
            kinds=kinds,
            initial={"kind": kind if kind in kinds else kinds[0], "on": timezone.localdate()},
        )
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "inventory/asset_event.html",
        {"form": form, "asset": asset, "disposal": AssetEventKind.DISPOSED in kinds},
        status=status,
    )


def selection(request, query: str, pks: list[int] | None):
    """The assets of the list's filters (``query``), as the list shows them to the user,
    narrowed to ``pks`` when given. A filter naming a hidden object is a 404; an invalid
    filter selects nothing."""
    data = QueryDict(query or "", mutable=True)
    for name in ("page", "cursor", "per_page", "sort", "export"):
        data.pop(name, None)
    for name in list(data):
        values = [v for v in data.getlist(name) if v != ""]
        if values:
            data.setlist(name, values)
        else:
            del data[name]
    filterset = AssetFilterSet(
        data, queryset=restrict(Asset.objects.all(), request.user), request=request
    )
    if not filterset.is_valid():
        if filterset.scoped_errors():
            raise Http404("No such filter object.")
        return Asset.objects.none()
    assets = filterset.qs
    if pks is not None:
        assets = assets.filter(pk__in=pks)
    return assets


_FORMS = {
    BulkAction.LIFECYCLE: BulkLifecycleForm,
    BulkAction.SERVICE_AREA: BulkServiceAreaForm,
    BulkAction.PLANNED_REPLACEMENT: BulkReplacementForm,
}


def _action_form(action: str, user, data=None, initial=None):
    form_class = _FORMS[action]
    kwargs = {"user": user} if form_class is BulkServiceAreaForm else {}
    return form_class(data, initial=initial, **kwargs)


def _apply(action: str, assets, data: dict) -> int:
    if action == BulkAction.LIFECYCLE:
        return record_events_in_bulk(
            assets=assets,
            kind=data["kind"],
            on=data["on"],
            reason=data["reason"],
            certificate_reference=data.get("certificate_reference", ""),
        )
    if action == BulkAction.SERVICE_AREA:
        return reassign_service_area(
            assets=assets, service_area=data["service_area"], on=data["on"]
        )
    return set_planned_replacement(assets=assets, on=data["planned_replacement"])


@login_required
def asset_bulk(request):
    """The confirmation of a bulk action (how many assets, the action's fields) and,
    when confirmed with the same count, the change."""
    user = request.user
    require_write(user, Asset)
    if request.method != "POST":
        return redirect("inventory:asset_list")
    chosen = BulkSelectionForm(request.POST)
    if not chosen.is_valid():
        for error in chosen.non_field_errors():
            messages.error(request, error)
        query = request.POST.get("query", "")
        return redirect(reverse("inventory:asset_list") + (f"?{query}" if query else ""))
    action = chosen.cleaned_data["action"]
    query = chosen.cleaned_data["query"]
    pks = None if chosen.cleaned_data["all"] else chosen.cleaned_data["pk"]
    assets = selection(request, query, pks)
    count = assets.count()
    list_url = reverse("inventory:asset_list") + (f"?{query}" if query else "")
    if request.POST.get("confirm"):
        form = _action_form(action, user, data=request.POST)
        if form.is_valid():
            if form.cleaned_data["count"] != count:
                form.add_error(
                    None,
                    _(
                        "The selection changed meanwhile: it now holds %(n)s assets. "
                        "Check and confirm again."
                    )
                    % {"n": format_number(count)},
                )
            else:
                try:
                    changed = _apply(action, assets, form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(action)s: %(n)s asset changed.",
                            "%(action)s: %(n)s assets changed.",
                            changed,
                        )
                        % {"action": BulkAction(action).label, "n": format_number(changed)},
                    )
                    return redirect(list_url)
    else:
        form = _action_form(action, user, initial={"on": timezone.localdate()})
    form.initial["count"] = count
    if form.is_bound:
        form.data = form.data.copy()
        form.data["count"] = count
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "inventory/asset_bulk.html",
        {
            "form": form,
            "action": action,
            "action_label": BulkAction(action).label,
            "count": count,
            "query": query,
            "all": chosen.cleaned_data["all"],
            "pks": pks or [],
            "list_url": list_url,
        },
        status=status,
    )
