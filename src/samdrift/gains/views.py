"""The action plan: the list (filtered by status and municipality, overdue shown), an
action's page (its milestones, gains per municipality with their measurements, and its
planned vs realised), and the forms of actions, milestones, gains, shares and
measurements.

Every row comes from ``restrict``: a municipality's users see the actions that concern
their municipality, and of those only their own shares and measurements; another
municipality's object is a 404. Operators and finance write; a municipality contact
records their own municipality's measurements (``Measurement.write_roles``). The writes
go through ``gains.services``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.permissions import can_write, restrict
from samdrift.gains import services
from samdrift.gains.choices import ActionStatus
from samdrift.gains.filtersets import ActionFilterSet
from samdrift.gains.forms import (
    ActionForm,
    GainForm,
    GainShareForm,
    MeasurementForm,
    MilestoneForm,
)
from samdrift.gains.models import Action, Gain, GainShare, Measurement, Milestone
from samdrift.gains.realisation import realisation
from samdrift.gains.tables import ACTION_TABLE, is_overdue
from samdrift.ui.confirm import confirm_delete
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import get_restricted_or_404, require_write


class ActionListView(ObjectListView):
    """``/gains/?status=…&municipality=…&overdue=…``: the improvement and action plan."""

    model = Action
    filterset_class = ActionFilterSet
    table = ACTION_TABLE
    title = gettext_lazy("Action plan")
    filter_fields = ["q", "status", "municipality", "overdue"]
    create_url_name = "gains:action_create"
    template_name = "gains/action_list.html"

    def extra_context(self) -> dict[str, Any]:
        return {"can_export": True}


# Forms ----------------------------------------------------------------------------------


def form_page(request, *, form, title: str, cancel: str, intro: str = "", delete_url=None):
    """A form, answered 400 when it came back with errors (nothing was saved)."""
    return render(
        request,
        "gains/form.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "cancel": cancel,
            "delete_url": delete_url,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def save_or_errors(request, form, call) -> Any | None:
    """Call the service; its errors go next to their fields and nothing is written."""
    try:
        saved = call()
    except (ValidationError, IntegrityError) as error:
        add_service_errors(form, error)
        return None
    messages.success(request, _("Saved %(object)s.") % {"object": saved})
    return saved


def edit_page(
    request,
    *,
    form_class,
    obj,
    parent: dict | None,
    save,
    title: str,
    cancel: str,
    done,
    delete_url: str | None = None,
    intro: str = "",
):
    """Show the form of ``obj`` (a new one when unsaved); on a valid POST call ``save``
    with the changed fields (and the form), then go to ``done(saved)``."""
    form = form_class(request.POST or None, instance=obj, user=request.user, parent=parent)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        for name, value in (parent or {}).items():
            changes.setdefault(name, value)
        saved = save_or_errors(request, form, lambda: save(form.instance, changes, form))
        if saved is not None:
            return redirect(done(saved))
    return form_page(
        request, form=form, title=title, cancel=cancel, delete_url=delete_url, intro=intro
    )


def deleted(request, obj, delete, done: str):
    """Deleting ``obj`` at its delete URL: a GET shows what goes, that page's POST
    deletes, then goes to ``done`` (``ui.confirm.confirm_delete``)."""
    return confirm_delete(
        request,
        obj,
        delete=lambda: delete(obj),
        page_url=request.path,
        cancel_url=done,
        done_url=done,
    )


def action_url(action_id: int) -> str:
    return reverse("gains:action_detail", args=[action_id])


# Actions --------------------------------------------------------------------------------


@login_required
def action_detail(request, pk: int):
    user = request.user
    action = get_restricted_or_404(
        Action.objects.prefetch_related("municipalities", "solutions", "services"), user, pk=pk
    )
    shares = restrict(GainShare.objects.filter(gain__action=action), user).select_related(
        "municipality", "owner_user"
    )
    measurements = restrict(Measurement.objects.filter(gain__action=action), user).select_related(
        "municipality"
    )
    gains = list(
        action.gains.select_related("indicator").prefetch_related(
            Prefetch(
                "shares", queryset=shares.order_by("municipality__name"), to_attr="visible_shares"
            ),
            Prefetch(
                "measurements",
                queryset=measurements.order_by("-measured_on", "pk"),
                to_attr="visible_measurements",
            ),
        )
    )
    visible_actions = restrict(Action.objects.all(), user)
    prerequisites = list(visible_actions.filter(enables=action).order_by("deadline", "pk"))
    enables = list(visible_actions.filter(prerequisites=action).order_by("deadline", "pk"))
    years = _years_of(gains)
    figures = later = None
    this_year = timezone.localdate().year
    shares = restrict(GainShare.objects.filter(gain__action=action), user)
    measurements = restrict(Measurement.objects.filter(gain__action=action), user)
    # Planned vs realised up to this year; what is planned for later years is shown as
    # still expected, not as a shortfall.
    if years and years[0] <= this_year:
        figures = realisation(
            shares=shares,
            measurements=measurements,
            start=datetime.date(years[0], 1, 1),
            end=datetime.date(min(years[-1], this_year) + 1, 1, 1),
        )
    if years and years[-1] > this_year:
        later = realisation(
            shares=shares,
            measurements=measurements,
            start=datetime.date(max(years[0], this_year + 1), 1, 1),
            end=datetime.date(years[-1] + 1, 1, 1),
        )
    by_year = figures.by_year() if figures else {}
    may_measure = can_write(user, Measurement) and (
        user.sees_all_municipalities
        or (user.municipality_id is not None and action.concerns(user.municipality_id))
    )
    return render(
        request,
        "gains/action_detail.html",
        {
            "action": action,
            "overdue": is_overdue(action),
            "remaining_budget": action.budget - action.cost_to_date,
            "over_budget": action.cost_to_date > action.budget,
            "municipalities": list(action.municipalities.all()),
            "solutions": list(action.solutions.all()),
            "services": list(action.services.all()),
            "prerequisites": prerequisites,
            "enables": enables,
            "milestones": list(action.milestones.all()),
            "gains": gains,
            "years": [(year, by_year.get(year)) for year in sorted(by_year)],
            "total": figures.total if figures else None,
            "later": later.total if later else None,
            "later_years": (max(years[0], this_year + 1), years[-1]) if later else None,
            "today": timezone.localdate(),
            "can_edit": can_write(user, Action),
            "can_measure": may_measure and action.status != ActionStatus.CANCELLED,
        },
    )


def _years_of(gains) -> list[int]:
    years = set()
    for gain in gains:
        years.update(range(gain.first_year, gain.last_year + 1))
    return sorted(years)


def _save_action(action, changes, form):
    relations = form.relations()
    for name in relations:
        changes.pop(name, None)
    return services.save_action(action=action, changes=changes, **relations)


@login_required
def action_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, Action)
    action = get_restricted_or_404(Action.objects.all(), user, pk=pk) if pk else Action()
    return edit_page(
        request,
        form_class=ActionForm,
        obj=action,
        parent=None,
        save=_save_action,
        title=_("Change %(action)s") % {"action": action} if pk else _("New action"),
        cancel=action_url(pk) if pk else reverse("gains:action_list"),
        done=lambda saved: action_url(saved.pk),
        delete_url=reverse("gains:action_delete", args=[pk]) if pk else None,
    )


@login_required
def action_delete(request, pk: int):
    user = request.user
    require_write(user, Action)
    action = get_restricted_or_404(Action.objects.all(), user, pk=pk)
    return deleted(
        request,
        action,
        lambda a: services.delete_action(action=a),
        reverse("gains:action_list"),
    )


# Milestones, gains, shares, measurements -----------------------------------------------


def _child_edit(
    request,
    *,
    model,
    form_class,
    pk: int | None,
    parent_model,
    parent_pk: int | None,
    parent_name: str,
    save,
    delete_name: str,
    action_of,
    title_new: str,
):
    """Create a row under its parent (``parent_pk``) or change one (``pk``)."""
    user = request.user
    require_write(user, model)
    if pk:
        obj = get_restricted_or_404(model.objects.all(), user, pk=pk)
        parent = None
        action_id = action_of(obj)
        title = _("Change %(object)s") % {"object": obj}
        delete_url = reverse(delete_name, args=[pk])
    else:
        owner = get_restricted_or_404(parent_model.objects.all(), user, pk=parent_pk)
        obj = model()
        parent = {parent_name: owner}
        action_id = owner.pk if parent_model is Action else owner.action_id
        title = title_new % {"parent": owner}
        delete_url = None
    return edit_page(
        request,
        form_class=form_class,
        obj=obj,
        parent=parent,
        save=save,
        title=title,
        cancel=action_url(action_id),
        done=lambda saved: action_url(action_id),
        delete_url=delete_url,
    )


def _child_delete(request, *, model, pk: int, delete, action_of):
    user = request.user
    require_write(user, model)
    obj = get_restricted_or_404(model.objects.all(), user, pk=pk)
    return deleted(request, obj, delete, action_url(action_of(obj)))


@login_required
def milestone_edit(request, pk: int | None = None, action_pk: int | None = None):
    return _child_edit(
        request,
        model=Milestone,
        form_class=MilestoneForm,
        pk=pk,
        parent_model=Action,
        parent_pk=action_pk,
        parent_name="action",
        save=lambda obj, changes, form: services.save_milestone(milestone=obj, changes=changes),
        delete_name="gains:milestone_delete",
        action_of=lambda m: m.action_id,
        title_new=_("New milestone of %(parent)s"),
    )


@login_required
def milestone_delete(request, pk: int):
    return _child_delete(
        request,
        model=Milestone,
        pk=pk,
        delete=lambda m: services.delete_milestone(milestone=m),
        action_of=lambda m: m.action_id,
    )


@login_required
def gain_edit(request, pk: int | None = None, action_pk: int | None = None):
    return _child_edit(
        request,
        model=Gain,
        form_class=GainForm,
        pk=pk,
        parent_model=Action,
        parent_pk=action_pk,
        parent_name="action",
        save=lambda obj, changes, form: services.save_gain(gain=obj, changes=changes),
        delete_name="gains:gain_delete",
        action_of=lambda g: g.action_id,
        title_new=_("New gain of %(parent)s"),
    )


@login_required
def gain_delete(request, pk: int):
    return _child_delete(
        request,
        model=Gain,
        pk=pk,
        delete=lambda g: services.delete_gain(gain=g),
        action_of=lambda g: g.action_id,
    )


@login_required
def share_edit(request, pk: int | None = None, gain_pk: int | None = None):
    return _child_edit(
        request,
        model=GainShare,
        form_class=GainShareForm,
        pk=pk,
        parent_model=Gain,
        parent_pk=gain_pk,
        parent_name="gain",
        save=lambda obj, changes, form: services.save_share(share=obj, changes=changes),
        delete_name="gains:share_delete",
        action_of=lambda s: s.gain.action_id,
        title_new=_("New gains owner and expected amount of %(parent)s"),
    )


@login_required
def share_delete(request, pk: int):
    return _child_delete(
        request,
        model=GainShare,
        pk=pk,
        delete=lambda s: services.delete_share(share=s),
        action_of=lambda s: s.gain.action_id,
    )


@login_required
def measurement_edit(request, pk: int | None = None, gain_pk: int | None = None):
    """A municipality's gains owner records what their municipality realised; a
    measurement of another municipality is a 404 (``restrict``), and the form offers no
    other municipality."""
    return _child_edit(
        request,
        model=Measurement,
        form_class=MeasurementForm,
        pk=pk,
        parent_model=Gain,
        parent_pk=gain_pk,
        parent_name="gain",
        save=_save_measurement,
        delete_name="gains:measurement_delete",
        action_of=lambda m: m.gain.action_id,
        title_new=_("New measurement of %(parent)s"),
    )


def _save_measurement(measurement, changes, form):
    user = form.user
    municipality = changes.get("municipality", measurement.municipality)
    if not user.sees_all_municipalities and municipality.pk != user.municipality_id:
        raise PermissionDenied  # the form offers no other: a crafted request
    return services.save_measurement(measurement=measurement, changes=changes)


@login_required
def measurement_delete(request, pk: int):
    return _child_delete(
        request,
        model=Measurement,
        pk=pk,
        delete=lambda m: services.delete_measurement(measurement=m),
        action_of=lambda m: m.gain.action_id,
    )
