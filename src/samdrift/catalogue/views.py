"""Catalogue pages: categories, products, services and their effective-dated prices (read
by every signed-in user; the catalogue is shared), and their forms for operators and
finance (``FINANCE_ROLES``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, DecimalField, OuterRef, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.filtersets import (
    PriceVersionFilterSet,
    ProductCategoryFilterSet,
    ProductFilterSet,
    ServiceFilterSet,
)
from samdrift.catalogue.forms import PriceForm, ProductCategoryForm, ProductForm, ServiceForm
from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
from samdrift.catalogue.services import publish_price, save_category, save_product, save_service
from samdrift.catalogue.tables import CATEGORY_TABLE, PRICE_TABLE, PRODUCT_TABLE, SERVICE_TABLE
from samdrift.core.dating import active_on
from samdrift.core.permissions import can_write, restrict
from samdrift.ui.formatting import format_day, format_money
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.panels import counts
from samdrift.ui.permissions import get_restricted_or_404, require_write


def price_now(item_field: str) -> Subquery:
    """The price in force today of the outer product or service, as one subquery."""
    today = timezone.localdate()
    prices = (
        PriceVersion.objects.filter(active_on(today), **{item_field: OuterRef("pk")})
        .order_by("-valid_from")
        .values("amount")[:1]
    )
    return Subquery(prices, output_field=DecimalField(max_digits=14, decimal_places=4))


class ProductListView(ObjectListView):
    model = Product
    filterset_class = ProductFilterSet
    table = PRODUCT_TABLE
    title = _("Products")
    filter_fields = ["q", "category", "is_standard", "active"]
    create_url_name = "catalogue:product_create"

    def get_queryset(self):
        return Product.objects.annotate(
            price_now=price_now("product"),
            **counts("catalogue:product_list", self.request.user),
        )


class ServiceListView(ObjectListView):
    model = Service
    filterset_class = ServiceFilterSet
    table = SERVICE_TABLE
    title = _("Services")
    filter_fields = ["q", "unit", "active"]
    create_url_name = "catalogue:service_create"

    def get_queryset(self):
        return Service.objects.annotate(price_now=price_now("service"))


class PriceListView(ObjectListView):
    model = PriceVersion
    filterset_class = PriceVersionFilterSet
    table = PRICE_TABLE
    title = _("Prices")
    filter_fields = ["q", "item_kind", "in_force_on", "valid_from_after", "valid_from_before"]
    filter_labels = {
        "item_kind": _("Product or service"),
        "in_force_on": _("In force on"),
        "valid_from_after": _("Valid from on or after"),
        "valid_from_before": _("Valid from before"),
    }


class CategoryListView(ObjectListView):
    model = ProductCategory
    filterset_class = ProductCategoryFilterSet
    table = CATEGORY_TABLE
    title = _("Product categories")
    filter_fields = ["q", "lease_model"]
    create_url_name = "catalogue:category_create"

    def get_queryset(self):
        return ProductCategory.objects.annotate(products_count=Count("products"))


# --- Detail and form pages ------------------------------------------------------------
# Every login reads the catalogue (it is shared data); operators and finance
# (``FINANCE_ROLES``) write it, through the same services as the API.


def _form_page(request, *, form, title: str, cancel: str, obj=None, intro: str = ""):
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "catalogue/form.html",
        {"form": form, "title": title, "object": obj, "cancel": cancel, "intro": intro},
        status=status,
    )


def _edit_view(*, model, form_class, save, item: str, new_title):
    """The create (no ``pk``) and edit view of one kind of catalogue row: it is saved
    through ``save(<item>=row, changes=…)``, the service's errors go next to their fields
    and nothing is written; on success, back to the row's page."""
    detail_name, list_name = f"catalogue:{item}_detail", f"catalogue:{item}_list"

    @login_required
    def view(request, pk: int | None = None):
        user = request.user
        require_write(user, model)
        obj = get_restricted_or_404(model.objects.all(), user, pk=pk) if pk else None
        form = form_class(request.POST or None, instance=obj, user=user)
        if request.method == "POST" and form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                saved = save(**{item: obj or form.instance}, changes=changes)
            except (ValidationError, IntegrityError) as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Saved %(object)s.") % {"object": saved})
                return redirect(detail_name, pk=saved.pk)
        cancel = reverse(detail_name, args=[obj.pk]) if obj else reverse(list_name)
        title = gettext("Edit %(object)s") % {"object": obj} if obj else new_title
        return _form_page(request, form=form, title=title, cancel=cancel, obj=obj)

    return view


def _prices(item_filter: dict) -> tuple[list[PriceVersion], PriceVersion | None]:
    """Every price of the item, newest first, and the one in force today."""
    prices = list(PriceVersion.objects.filter(**item_filter).order_by("-valid_from"))
    today = timezone.localdate()
    in_force = next(
        (p for p in prices if p.valid_from <= today and (p.valid_to is None or p.valid_to > today)),
        None,
    )
    return prices, in_force


@login_required
def category_detail(request, pk: int):
    user = request.user
    category = get_restricted_or_404(
        ProductCategory.objects.select_related("lease_model"), user, pk=pk
    )
    products = list(restrict(category.products.all(), user).order_by("name"))
    return render(
        request,
        "catalogue/category_detail.html",
        {
            "category": category,
            "products": products,
            "can_edit": can_write(user, ProductCategory),
        },
    )


def _item_detail(request, *, queryset, pk: int, item: str):
    """The page of a product or service: its facts and every price, the one in force
    today marked."""
    user = request.user
    obj = get_restricted_or_404(queryset, user, pk=pk)
    prices, in_force = _prices({item: obj})
    return render(
        request,
        f"catalogue/{item}_detail.html",
        {
            item: obj,
            "prices": prices,
            "in_force": in_force,
            "can_edit": can_write(user, queryset.model),
            "can_price": can_write(user, PriceVersion),
        },
    )


@login_required
def product_detail(request, pk: int):
    return _item_detail(
        request, queryset=Product.objects.select_related("category"), pk=pk, item="product"
    )


@login_required
def service_detail(request, pk: int):
    return _item_detail(request, queryset=Service.objects.all(), pk=pk, item="service")


category_edit = _edit_view(
    model=ProductCategory,
    form_class=ProductCategoryForm,
    save=save_category,
    item="category",
    new_title=gettext_lazy("New product category"),
)
product_edit = _edit_view(
    model=Product,
    form_class=ProductForm,
    save=save_product,
    item="product",
    new_title=gettext_lazy("New product"),
)
service_edit = _edit_view(
    model=Service,
    form_class=ServiceForm,
    save=save_service,
    item="service",
    new_title=gettext_lazy("New service"),
)


def _price_create(request, *, model, pk: int, item_field: str, detail_name: str):
    """A new price of the product or service from a date, through ``publish_price`` (which
    closes the price in force the day before; prices are never edited)."""
    user = request.user
    require_write(user, PriceVersion)
    item = get_restricted_or_404(model.objects.all(), user, pk=pk)
    form = PriceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = publish_price(**form.cleaned_data, **{item_field: item})
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("%(item)s costs %(amount)s kr from %(date)s.")
                % {
                    "item": item,
                    "amount": format_money(version.amount),
                    "date": format_day(version.valid_from),
                },
            )
            return redirect(detail_name, pk=item.pk)
    _prices_list, in_force = _prices({item_field: item})
    intro = (
        gettext("Price in force today: %(amount)s kr (from %(date)s).")
        % {"amount": format_money(in_force.amount), "date": format_day(in_force.valid_from)}
        if in_force
        else ""
    )
    return _form_page(
        request,
        form=form,
        title=gettext("New price of %(item)s") % {"item": item},
        cancel=reverse(detail_name, args=[item.pk]),
        obj=item,
        intro=intro,
    )


@login_required
def product_price_create(request, pk: int):
    return _price_create(
        request,
        model=Product,
        pk=pk,
        item_field="product",
        detail_name="catalogue:product_detail",
    )


@login_required
def service_price_create(request, pk: int):
    return _price_create(
        request,
        model=Service,
        pk=pk,
        item_field="service",
        detail_name="catalogue:service_detail",
    )
