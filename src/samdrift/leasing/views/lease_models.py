"""Pages for lease models and which product category uses which.

Reads are open to every signed-in user (the catalogue is shared); writing needs the
finance or operator role."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.catalogue.models import ProductCategory
from samdrift.core.permissions import can_write
from samdrift.leasing.choices import PaymentTiming
from samdrift.leasing.models import LeaseModel
from samdrift.leasing.pricing.lease_price import HUNDRED, lease_price
from samdrift.leasing.services import save_lease_model, set_category_lease_terms
from samdrift.ui.forms import MoneyField, add_service_errors
from samdrift.ui.permissions import get_restricted_or_404, require_write

EXAMPLE_COST = Decimal("10000")


# --- Lease models -------------------------------------------------------------------------


class LeaseModelForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    term_months = forms.IntegerField(
        label=gettext_lazy("Term (months)"), min_value=1, max_value=120
    )
    annual_rate = forms.DecimalField(
        label=gettext_lazy("Annual interest rate (%)"),
        min_value=Decimal("0"),
        max_value=HUNDRED,
        max_digits=7,
        decimal_places=4,
        help_text=gettext_lazy("In per cent: 4.5 for 4.5 % a year."),
    )
    residual_percent = forms.DecimalField(
        label=gettext_lazy("Residual value (%)"),
        min_value=Decimal("0"),
        max_value=HUNDRED,
        max_digits=5,
        decimal_places=2,
    )
    monthly_service_fee = MoneyField(label=gettext_lazy("Monthly service fee"))
    payment_timing = forms.ChoiceField(
        label=gettext_lazy("Payments"), choices=PaymentTiming.choices
    )

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["annual_rate"] = data["annual_rate"] / HUNDRED  # stored as a fraction
        return data


class CategoryLeaseForm(forms.Form):
    lease_model = forms.ModelChoiceField(
        label=gettext_lazy("Lease model"), queryset=LeaseModel.objects.all(), required=False
    )
    useful_life_months = forms.IntegerField(
        label=gettext_lazy("Useful life (months)"),
        min_value=1,
        max_value=60,
        help_text=gettext_lazy("Straight-line depreciation over at most 60 months."),
    )


@login_required
def lease_model_list(request):
    models_ = list(LeaseModel.objects.annotate(category_count=Count("categories")))
    for model in models_:
        model.example = lease_price(cost=EXAMPLE_COST, lease_model=model)
        model.rate_percent = model.annual_rate * HUNDRED
    categories = ProductCategory.objects.select_related("lease_model").annotate(
        product_count=Count("products")
    )
    return render(
        request,
        "leasing/pricing/lease_models.html",
        {
            "lease_models": models_,
            "categories": categories,
            "example_cost": EXAMPLE_COST,
            "may_write": can_write(request.user, LeaseModel),
        },
    )


def _lease_model_form_page(request, instance: LeaseModel | None):
    require_write(request.user, LeaseModel)
    initial = {}
    if instance is not None:
        initial = {
            "name": instance.name,
            "term_months": instance.term_months,
            "annual_rate": (instance.annual_rate * HUNDRED).normalize(),
            "residual_percent": instance.residual_percent,
            "monthly_service_fee": instance.monthly_service_fee,
            "payment_timing": instance.payment_timing,
        }
    form = LeaseModelForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save_lease_model(
                    lease_model=instance or LeaseModel(), changes=form.changes()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Lease model %(name)s saved.") % {"name": saved})
                return redirect("pricing:lease_model_list")
        status = 400
    title = _("Edit lease model") if instance else _("New lease model")
    return render(
        request,
        "leasing/pricing/lease_model_form.html",
        {"form": form, "title": title, "lease_model": instance},
        status=status,
    )


@login_required
def lease_model_create(request):
    return _lease_model_form_page(request, None)


@login_required
def lease_model_edit(request, pk: int):
    instance = get_restricted_or_404(LeaseModel.objects.all(), request.user, pk=pk)
    return _lease_model_form_page(request, instance)


@login_required
def category_lease_edit(request, pk: int):
    require_write(request.user, ProductCategory)
    category = get_restricted_or_404(ProductCategory.objects.all(), request.user, pk=pk)
    form = CategoryLeaseForm(
        request.POST or None,
        initial={
            "lease_model": category.lease_model_id,
            "useful_life_months": category.useful_life_months,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                set_category_lease_terms(category=category, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(category)s saved.") % {"category": category})
                return redirect("pricing:lease_model_list")
        status = 400
    return render(
        request,
        "leasing/pricing/category_form.html",
        {"form": form, "category": category, "title": category.name},
        status=status,
    )
