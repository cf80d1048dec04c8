"""The replacement rules per category and the ends of support per product: one page
with both lists, and their forms. Every login reads them (they are shared data, like the
catalogue); operators and finance change them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samdrift.catalogue.models import ProductCategory
from samdrift.core.permissions import can_write, restrict
from samdrift.planning.forms import ProductSupportForm, ReplacementRuleForm
from samdrift.planning.models import ProductSupport, ReplacementRule
from samdrift.planning.services import delete_rule, delete_support, save_rule, save_support
from samdrift.ui.forms import add_service_errors
from samdrift.ui.permissions import get_restricted_or_404, require_write


@login_required
def rules(request):
    user = request.user
    rule_rows = list(
        restrict(ReplacementRule.objects.all(), user).select_related(
            "category__lease_model", "replacement_product"
        )
    )
    without_rule = list(
        restrict(ProductCategory.objects.filter(replacement_rule__isnull=True), user)
        .order_by("name")
        .values_list("name", flat=True)
    )
    supports = list(
        restrict(ProductSupport.objects.all(), user).select_related("product__category")
    )
    return render(
        request,
        "planning/rules.html",
        {
            "rules": rule_rows,
            "without_rule": without_rule,
            "supports": supports,
            "can_edit_rules": can_write(user, ReplacementRule),
            "can_edit_support": can_write(user, ProductSupport),
        },
    )


def _form_page(request, *, form, title: str, obj=None, delete_url: str | None = None):
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "planning/form.html",
        {
            "form": form,
            "title": title,
            "object": obj,
            "cancel": reverse("planning:rules"),
            "delete_url": delete_url,
        },
        status=status,
    )


def _save(request, form, call) -> bool:
    """Call the service; its errors go next to their fields, nothing is written."""
    try:
        saved = call()
    except (ValidationError, IntegrityError) as error:
        add_service_errors(form, error)
        return False
    messages.success(request, _("Saved %(object)s.") % {"object": saved})
    return True


@login_required
def rule_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, ReplacementRule)
    rule = (
        get_restricted_or_404(ReplacementRule.objects.select_related("category"), user, pk=pk)
        if pk
        else None
    )
    initial = {"category": request.GET["category"]} if request.GET.get("category") else None
    form = ReplacementRuleForm(
        request.POST or None, instance=rule, user=user, initial=None if rule else initial
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        target = rule or form.instance
        if _save(request, form, lambda: save_rule(rule=target, changes=changes)):
            return redirect("planning:rules")
    title = (
        _("Replacement rule for %(category)s") % {"category": rule.category}
        if rule
        else (_("New replacement rule"))
    )
    delete_url = reverse("planning:rule_delete", args=[rule.pk]) if rule else None
    return _form_page(request, form=form, title=title, obj=rule, delete_url=delete_url)


@login_required
@require_POST
def rule_delete(request, pk: int):
    user = request.user
    require_write(user, ReplacementRule)
    rule = get_restricted_or_404(ReplacementRule.objects.select_related("category"), user, pk=pk)
    delete_rule(rule=rule)
    messages.success(request, _("Deleted: %(object)s.") % {"object": rule})
    return redirect("planning:rules")


@login_required
def support_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, ProductSupport)
    support = (
        get_restricted_or_404(ProductSupport.objects.select_related("product"), user, pk=pk)
        if pk
        else None
    )
    initial = {"product": request.GET["product"]} if request.GET.get("product") else None
    form = ProductSupportForm(
        request.POST or None, instance=support, user=user, initial=None if support else initial
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        target = support or form.instance
        if _save(request, form, lambda: save_support(support=target, changes=changes)):
            return redirect("planning:rules")
    title = (
        _("End of support of %(product)s") % {"product": support.product}
        if support
        else _("New end of support")
    )
    delete_url = reverse("planning:support_delete", args=[support.pk]) if support else None
    return _form_page(request, form=form, title=title, obj=support, delete_url=delete_url)


@login_required
@require_POST
def support_delete(request, pk: int):
    user = request.user
    require_write(user, ProductSupport)
    support = get_restricted_or_404(ProductSupport.objects.select_related("product"), user, pk=pk)
    delete_support(support=support)
    messages.success(request, _("Deleted: %(object)s.") % {"object": support})
    return redirect("planning:rules")
