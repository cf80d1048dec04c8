"""URLs of the leasing and price-list pages (namespace ``pricing``)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from samdrift.leasing.views import lease_models, price_list

app_name = "pricing"

urlpatterns = [
    path("catalogue/lease-models/", lease_models.lease_model_list, name="lease_model_list"),
    path("catalogue/lease-models/new/", lease_models.lease_model_create, name="lease_model_create"),
    path(
        "catalogue/lease-models/<int:pk>/edit/",
        lease_models.lease_model_edit,
        name="lease_model_edit",
    ),
    path(
        "catalogue/categories/<int:pk>/financing/",
        lease_models.category_lease_edit,
        name="category_lease_edit",
    ),
    path("catalogue/price-list/", price_list.price_list, name="price_list"),
    path("catalogue/price-list/publish/", price_list.price_list_publish, name="price_list_publish"),
    path(
        "catalogue/price-list/publish/confirm/",
        price_list.price_list_publish_confirm,
        name="price_list_publish_confirm",
    ),
    path("catalogue/price-list/index/", price_list.indexation_publish, name="indexation_publish"),
    path(
        "catalogue/price-list/index/confirm/",
        price_list.indexation_publish_confirm,
        name="indexation_publish_confirm",
    ),
]


def register_navigation() -> None:
    """The pages in the Catalogue section (called from the app's ``ready``)."""
    from samdrift.ui.navigation import register

    register(
        section="catalogue", label=_("Lease models"), url_name="pricing:lease_model_list", order=40
    )
    register(
        section="catalogue", label=_("Yearly price list"), url_name="pricing:price_list", order=50
    )
