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

from samdrift.catalogue.models import ProductCategory
from samdrift.core.permissions import can_write, restrict
from samdrift.planning.forms import ProductSupportForm, ReplacementRuleForm
from samdrift.planning.models import ProductSupport, ReplacementRule
from samdrift.planning.services import delete_rule, delete_support, save_rule, save_support
from samdrift.ui.confirm import confirm_delete
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


def _edit(request, *, model, related: str, pk, form_class, save, title, delete_name: str):
    """Create (``pk`` None; the related object may come preset from ``?<related>=``) or
    change one row through its service, and show its form again with the service's
    errors next to their fields."""
    user = request.user
    require_write(user, model)
    obj = get_restricted_or_404(model.objects.select_related(related), user, pk=pk) if pk else None
    preset = request.GET.get(related)
    initial = {related: preset} if preset and obj is None else None
    form = form_class(request.POST or None, instance=obj, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        target = obj or form.instance
        if _save(request, form, lambda: save(target, changes)):
            return redirect("planning:rules")
    delete_url = reverse(delete_name, args=[obj.pk]) if obj else None
    return _form_page(request, form=form, title=title(obj), obj=obj, delete_url=delete_url)


def _delete(request, *, model, related: str, pk: int, delete):
    user = request.user
    require_write(user, model)
    obj = get_restricted_or_404(model.objects.select_related(related), user, pk=pk)
    # A GET shows what goes; that page's POST deletes (``ui.confirm.confirm_delete``).
    rules = reverse("planning:rules")
    return confirm_delete(
        request,
        obj,
        delete=lambda: delete(obj),
        page_url=request.path,
        cancel_url=rules,
        done_url=rules,
    )


@login_required
def rule_edit(request, pk: int | None = None):
    return _edit(
        request,
        model=ReplacementRule,
        related="category",
        pk=pk,
        form_class=ReplacementRuleForm,
        save=lambda rule, changes: save_rule(rule=rule, changes=changes),
        title=lambda rule: (
            _("Replacement rule for %(category)s") % {"category": rule.category}
            if rule
            else _("New replacement rule")
        ),
        delete_name="planning:rule_delete",
    )


@login_required
def rule_delete(request, pk: int):
    return _delete(
        request,
        model=ReplacementRule,
        related="category",
        pk=pk,
        delete=lambda rule: delete_rule(rule=rule),
    )


@login_required
def support_edit(request, pk: int | None = None):
    return _edit(
        request,
        model=ProductSupport,
        related="product",
        pk=pk,
        form_class=ProductSupportForm,
        save=lambda support, changes: save_support(support=support, changes=changes),
        title=lambda support: (
            _("End of support of %(product)s") % {"product": support.product}
            if support
            else _("New end of support")
        ),
        delete_name="planning:support_delete",
    )


@login_required
def support_delete(request, pk: int):
    return _delete(
        request,
        model=ProductSupport,
        related="product",
        pk=pk,
        delete=lambda support: delete_support(support=support),
    )
