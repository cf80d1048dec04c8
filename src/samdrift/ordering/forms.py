"""Forms of the ordering pages. They only parse input: every rule is the services'
(their ValidationError is put next to the field by ``ui.forms.add_service_errors``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import Product, Service
from samdrift.core.permissions import restrict
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset
from samdrift.ordering.choices import ReturnDisposition
from samdrift.ordering.models import Bundle, BundlePart, CatalogueOffer
from samdrift.organisations.models import Location, Person, ServiceArea
from samdrift.ui.forms import AutocompleteSelect, DateField, MoneyField

STOCK_CHOICES_LIMIT = 200


def persons_of(user, municipality_id: int):
    return (
        restrict(Person.objects.filter(municipality_id=municipality_id), user)
        .select_related("service_area", "municipality")
        .order_by("last_name", "first_name")
    )


def pick_person(form: forms.Form, user, municipality_id: int) -> None:
    """The form's person: one of the municipality's the user may see, searched for
    (``ui.forms.AutocompleteSelect``) rather than chosen among thousands."""
    field = form.fields["person"]
    field.queryset = persons_of(user, municipality_id)
    field.widget.params = {"municipality": municipality_id}


class OrderForm(forms.Form):
    """The draft's head: cost centre, needed-by date, delivery location, comment."""

    service_area = forms.ModelChoiceField(
        label=_("Cost centre (service area)"), queryset=ServiceArea.objects.none(), required=False
    )
    needed_by = DateField(label=_("Needed by"), required=False)
    delivery_location = forms.ModelChoiceField(
        label=_("Delivery location"), queryset=Location.objects.none(), required=False
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, order, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = ServiceArea.objects.filter(municipality_id=order.municipality_id, active=True)
        if user.service_area_id and not user.sees_all_municipalities:
            areas = areas.filter(pk=user.service_area_id)
            self.fields["service_area"].disabled = True
        self.fields["service_area"].queryset = areas.order_by("name")
        self.fields["delivery_location"].queryset = Location.objects.filter(
            municipality_id=order.municipality_id
        ).order_by("name")


class LineForm(forms.Form):
    """A line's quantity and recipient (empty: a bulk line for the cost centre)."""

    quantity = forms.IntegerField(label=_("Quantity"))
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        required=False,
        widget=AutocompleteSelect("person"),
    )

    def __init__(self, *args, order, user, **kwargs):
        super().__init__(*args, **kwargs)
        pick_person(self, user, order.municipality_id)


class NonStandardForm(forms.Form):
    description = forms.CharField(label=_("What is needed"), max_length=300)
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3})
    )
    quantity = forms.IntegerField(label=_("Quantity"), initial=1)
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        required=False,
        widget=AutocompleteSelect("person"),
    )

    def __init__(self, *args, order, user, **kwargs):
        super().__init__(*args, **kwargs)
        pick_person(self, user, order.municipality_id)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class ReasonForm(forms.Form):
    """A rejection or cancellation: the reason (required for a rejection: the service says)."""

    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    monthly_price = MoneyField(label=_("Monthly price per unit"))
    one_off_fee = MoneyField(label=_("One-off fee per unit"), required=False)
    product = forms.ModelChoiceField(
        label=_("Deliver as product"), queryset=Product.objects.filter(active=True), required=False
    )
    service = forms.ModelChoiceField(
        label=_("Deliver as service"), queryset=Service.objects.filter(active=True), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class DeliverForm(forms.Form):
    """One delivery of a line: a stock asset or a newly bought one (devices), or a
    quantity (services, bulk); the person and the date."""

    on = DateField(label=_("Delivery date"))
    part = forms.ModelChoiceField(
        label=_("Bundle part"), queryset=BundlePart.objects.none(), required=False
    )
    asset = forms.ModelChoiceField(
        label=_("Asset from stock"), queryset=Asset.objects.none(), required=False
    )
    new_tag = forms.CharField(label=_("New asset: asset tag"), required=False, max_length=50)
    new_serial = forms.CharField(
        label=_("New asset: serial number"), required=False, max_length=100
    )
    new_cost = MoneyField(label=_("New asset: acquisition cost"), required=False)
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        required=False,
        widget=AutocompleteSelect("person"),
    )
    quantity = forms.IntegerField(label=_("Quantity"), required=False, min_value=1)

    def __init__(self, *args, line, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        product_ids = set()
        if line.product_id:
            product_ids.add(line.product_id)
        if line.bundle_id:
            parts = BundlePart.objects.filter(bundle_id=line.bundle_id).select_related(
                "product", "service"
            )
            self.fields["part"].queryset = parts
            product_ids |= {p.product_id for p in parts if p.product_id}
        else:
            del self.fields["part"]
        if product_ids:
            # Any asset id is accepted here, so that the service says why another
            # product's or a deployed asset is refused; the select offers this line's
            # products in stock, at most STOCK_CHOICES_LIMIT of them.
            field = self.fields["asset"]
            field.queryset = Asset.objects.select_related("product")
            stock = (
                Asset.objects.filter(product_id__in=product_ids, status=AssetStatus.IN_STOCK)
                .select_related("product")
                .order_by("asset_tag")[:STOCK_CHOICES_LIMIT]
            )
            field.widget.choices = [("", "---------")] + [
                (a.pk, f"{a.asset_tag} – {a.product} ({a.serial_number or '–'})") for a in stock
            ]
        else:
            for name in ("asset", "new_tag", "new_serial", "new_cost"):
                del self.fields[name]
        pick_person(self, user, line.order.municipality_id)

    def new_asset(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("new_tag") and not data.get("new_serial"):
            return None
        return {
            "tag": data.get("new_tag", ""),
            "serial": data.get("new_serial", ""),
            "acquisition_cost": data.get("new_cost"),
        }


class ReturnStartForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), widget=AutocompleteSelect("person")
    )

    def __init__(self, *args, municipality, user, **kwargs):
        super().__init__(*args, **kwargs)
        pick_person(self, user, municipality.pk)


class ReturnForm(forms.Form):
    """A return of some of the person's assets: the date, the reason and, per asset,
    whether it comes back and where it goes."""

    return_on = DateField(label=_("Return date"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
    end_subscriptions = forms.BooleanField(
        label=_("End the person's subscriptions on the date"), required=False, initial=True
    )

    def __init__(self, *args, assets, **kwargs):
        super().__init__(*args, **kwargs)
        self.assets = list(assets)
        for asset in self.assets:
            self.fields[f"take_{asset.pk}"] = forms.BooleanField(
                label=f"{asset.asset_tag} – {asset.product}", required=False
            )
            self.fields[f"disposition_{asset.pk}"] = forms.ChoiceField(
                label=_("Goes to"), choices=ReturnDisposition.choices, initial="stock"
            )
            self.fields[f"certificate_{asset.pk}"] = forms.CharField(
                label=_("Wipe certificate"), required=False, max_length=100
            )

    def rows(self):
        return [
            (
                asset,
                self[f"take_{asset.pk}"],
                self[f"disposition_{asset.pk}"],
                self[f"certificate_{asset.pk}"],
            )
            for asset in self.assets
        ]

    def items(self):
        return [
            (
                asset,
                self.cleaned_data[f"disposition_{asset.pk}"],
                self.cleaned_data[f"certificate_{asset.pk}"],
            )
            for asset in self.assets
            if self.cleaned_data.get(f"take_{asset.pk}")
        ]


class OfferForm(forms.ModelForm):
    class Meta:
        model = CatalogueOffer
        fields = [
            "product",
            "service",
            "standard",
            "active",
            "lead_time_days",
            "one_off_fee",
            "note",
        ]
        field_classes = {"one_off_fee": MoneyField}


class BundleForm(forms.ModelForm):
    class Meta:
        model = Bundle
        fields = ["name", "code", "description", "lead_time_days", "one_off_fee", "active"]
        field_classes = {"one_off_fee": MoneyField}


class BundlePartForm(forms.ModelForm):
    class Meta:
        model = BundlePart
        fields = ["product", "service", "quantity"]


class ApprovalRuleForm(forms.Form):
    contact_approval_above = MoneyField(
        label=_("Contact's approval needed above (monthly)"), required=False
    )
    allow_self_approval = forms.BooleanField(
        label=_("Allow approving one's own orders"), required=False
    )
