"""Operator forms for the catalogue: categories, products, services and new prices. They
parse and check input; the writes go through ``catalogue.services`` (the whole object
validated, one transaction, change-logged), exactly as the API's serializers do."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
from samdrift.ui.forms import DateField, MoneyField, scoped_queryset


class ProductCategoryForm(forms.ModelForm):
    class Meta:
        model = ProductCategory
        fields = ["name", "code", "useful_life_months", "lease_model"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        lease_model = self.fields["lease_model"]
        lease_model.queryset = scoped_queryset(lease_model.queryset, user)


class ProductForm(forms.ModelForm):
    standard_cost = MoneyField(
        label=_("standard acquisition cost"),
        help_text=Product._meta.get_field("standard_cost").help_text,
    )

    class Meta:
        model = Product
        fields = [
            "name",
            "category",
            "manufacturer",
            "model_number",
            "description",
            "standard_cost",
            "useful_life_months",
            "vat_rate",
            "is_standard",
            "active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = scoped_queryset(ProductCategory.objects.all(), user)


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = [
            "name",
            "code",
            "unit",
            "description",
            "vat_rate",
            "vat_exemption_reason",
            "active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)


class PriceForm(forms.Form):
    """A new price of one product or service from a date (``publish_price`` closes the
    one in force the day before; an existing price is never edited)."""

    amount = MoneyField(
        label=_("Price"),
        decimal_places=PriceVersion._meta.get_field("amount").decimal_places,
        help_text=_("Excluding VAT, in kroner."),
    )
    valid_from = DateField(label=_("Valid from"))
    note = forms.CharField(
        label=_("Note"), max_length=PriceVersion._meta.get_field("note").max_length, required=False
    )
