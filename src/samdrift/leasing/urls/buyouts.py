"""URLs of the buyout pages and the financing view (namespace ``buyouts``)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from samdrift.leasing.views import buyout_steps, buyouts, financing

app_name = "buyouts"

urlpatterns = [
    path("buyouts/", buyouts.buyout_list, name="list"),
    path("buyouts/new/", buyouts.buyout_create, name="create"),
    path("buyouts/<int:pk>/", buyouts.buyout_detail, name="detail"),
    path("buyouts/<int:pk>/valuation.xlsx", buyouts.buyout_xlsx, name="xlsx"),
    path("buyouts/<int:pk>/register/", buyouts.buyout_register, name="register"),
    path("buyouts/<int:pk>/agree/", buyout_steps.buyout_agree, name="agree"),
    path(
        "buyouts/<int:pk>/agree/confirm/", buyout_steps.buyout_agree_confirm, name="agree_confirm"
    ),
    path("buyouts/<int:pk>/complete/", buyout_steps.buyout_complete, name="complete"),
    path(
        "buyouts/<int:pk>/complete/confirm/",
        buyout_steps.buyout_complete_confirm,
        name="complete_confirm",
    ),
    path("buyouts/<int:pk>/delete/", buyout_steps.buyout_delete, name="delete"),
    path(
        "buyouts/<int:pk>/delete/confirm/",
        buyout_steps.buyout_delete_confirm,
        name="delete_confirm",
    ),
    path("buyouts/<int:pk>/items/<int:item_pk>/", buyouts.item_edit, name="item_edit"),
    path(
        "buyouts/<int:pk>/items/<int:item_pk>/remove/",
        buyouts.item_remove,
        name="item_remove",
    ),
    path("financing/", financing.financing, name="financing"),
]


def register_navigation() -> None:
    """Buyouts in the Inventory section, the financing view in Billing (finance's pages);
    called from the app's ``ready``."""
    from samdrift.ui.navigation import register

    register(section="inventory", label=_("Buyouts"), url_name="buyouts:list", order=60)
    register(section="billing", label=_("Financing"), url_name="buyouts:financing", order=80)
