"""The operator's pages for the ordering catalogue (offers, bundles and their parts) and
the approval rule of a municipality (its contact sets their own; operators any)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samdrift.ordering.forms import ApprovalRuleForm, BundleForm, BundlePartForm, OfferForm
from samdrift.ordering.models import ApprovalRule, Bundle, BundlePart, CatalogueOffer
from samdrift.ordering.services import set_approval_rule
from samdrift.ordering.services.catalogue import (
    remove_bundle_part,
    save_bundle,
    save_bundle_part,
    save_offer,
)
from samdrift.ordering.views.common import chosen_municipality, form_page, municipality_choices
from samdrift.ui.forms import add_service_errors
from samdrift.ui.permissions import get_restricted_or_404, require_write


@login_required
def offer_list(request):
    offers = CatalogueOffer.objects.select_related("product", "service").order_by(
        "product__name", "service__name"
    )
    bundles = Bundle.objects.prefetch_related("parts__product", "parts__service").order_by("name")
    return render(
        request,
        "ordering/offer_list.html",
        {
            "offers": offers,
            "bundles": bundles,
            "can_edit": request.user.is_operator,
        },
    )


def _saved(request, form, call, redirect_to):
    try:
        saved = call()
    except (ValidationError, IntegrityError) as error:
        add_service_errors(form, error)
        return None
    messages.success(request, _("Saved %(object)s.") % {"object": saved})
    return redirect(redirect_to)


@login_required
def offer_edit(request, pk: int | None = None):
    require_write(request.user, CatalogueOffer)
    offer = get_restricted_or_404(CatalogueOffer.objects.all(), request.user, pk=pk) if pk else None
    form = OfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        done = _saved(
            request, form, lambda: save_offer(offer=form.instance), reverse("ordering:offer_list")
        )
        if done:
            return done
    title = _("Edit offer") if offer else _("New offer")
    return form_page(request, form=form, title=title, cancel=reverse("ordering:offer_list"))


@login_required
def bundle_edit(request, pk: int | None = None):
    require_write(request.user, Bundle)
    bundle = get_restricted_or_404(Bundle.objects.all(), request.user, pk=pk) if pk else None
    form = BundleForm(request.POST or None, instance=bundle)
    if request.method == "POST" and form.is_valid():
        done = _saved(
            request,
            form,
            lambda: save_bundle(bundle=form.instance),
            reverse("ordering:offer_list"),
        )
        if done:
            return done
    title = _("Edit bundle") if bundle else _("New bundle")
    extra = {}
    if bundle is not None:
        extra = {
            "bundle": bundle,
            "parts": bundle.parts.select_related("product", "service"),
            "part_form": BundlePartForm(prefix="part"),
        }
    return form_page(
        request, form=form, title=title, cancel=reverse("ordering:offer_list"), extra=extra
    )


@login_required
@require_POST
def bundle_part_add(request, pk: int):
    require_write(request.user, BundlePart)
    bundle = get_restricted_or_404(Bundle.objects.all(), request.user, pk=pk)
    form = BundlePartForm(request.POST, prefix="part", instance=BundlePart(bundle=bundle))
    if form.is_valid():
        done = _saved(
            request,
            form,
            lambda: save_bundle_part(part=form.instance),
            reverse("ordering:bundle_edit", args=[bundle.pk]),
        )
        if done:
            return done
    return form_page(
        request,
        form=BundleForm(instance=bundle),
        title=_("Edit bundle"),
        cancel=reverse("ordering:offer_list"),
        extra={
            "bundle": bundle,
            "parts": bundle.parts.select_related("product", "service"),
            "part_form": form,
        },
        status=400,
    )


@login_required
@require_POST
def bundle_part_remove(request, pk: int):
    require_write(request.user, BundlePart)
    part = get_restricted_or_404(BundlePart.objects.all(), request.user, pk=pk)
    try:
        remove_bundle_part(part=part)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Removed the part."))
    return redirect("ordering:bundle_edit", pk=part.bundle_id)


@login_required
def approval_rule(request):
    """A municipality's approval rule: the amount above which the contact must approve
    too, and whether one may approve one's own orders."""
    user = request.user
    require_write(user, ApprovalRule)
    municipality = chosen_municipality(request)
    form = None
    if municipality is not None:
        rule = ApprovalRule.objects.filter(municipality=municipality).first()
        initial = (
            {
                "contact_approval_above": rule.contact_approval_above,
                "allow_self_approval": rule.allow_self_approval,
            }
            if rule
            else {}
        )
        form = ApprovalRuleForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                set_approval_rule(municipality=municipality, **form.cleaned_data)
            except (ValidationError, IntegrityError) as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Saved the approval rule of %(m)s.") % {"m": municipality}
                )
                url = reverse("ordering:approval_rule")
                if user.sees_all_municipalities:
                    url += f"?municipality={municipality.pk}"
                return redirect(url)
    return render(
        request,
        "ordering/approval_rule.html",
        {
            "municipality": municipality,
            "form": form,
            "municipalities": municipality_choices(user) if user.sees_all_municipalities else None,
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )
