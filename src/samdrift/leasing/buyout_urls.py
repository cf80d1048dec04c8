"""URLs of the buyout pages and the financing view (namespace ``buyouts``)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from samdrift.leasing import buyout_views as views

app_name = "buyouts"

urlpatterns = [
    path("buyouts/", views.buyout_list, name="list"),
    path("buyouts/new/", views.buyout_create, name="create"),
    path("buyouts/<int:pk>/", views.buyout_detail, name="detail"),
    path("buyouts/<int:pk>/valuation.xlsx", views.buyout_xlsx, name="xlsx"),
    path("buyouts/<int:pk>/register/", views.buyout_register, name="register"),
    path("buyouts/<int:pk>/agree/", views.buyout_agree, name="agree"),
    path("buyouts/<int:pk>/agree/confirm/", views.buyout_agree_confirm, name="agree_confirm"),
    path("buyouts/<int:pk>/complete/", views.buyout_complete, name="complete"),
    path(
        "buyouts/<int:pk>/complete/confirm/",
        views.buyout_complete_confirm,
        name="complete_confirm",
    ),
    path("buyouts/<int:pk>/delete/", views.buyout_delete, name="delete"),
    path("buyouts/<int:pk>/delete/confirm/", views.buyout_delete_confirm, name="delete_confirm"),
    path("buyouts/<int:pk>/items/<int:item_pk>/", views.item_edit, name="item_edit"),
    path(
        "buyouts/<int:pk>/items/<int:item_pk>/remove/",
        views.item_remove,
        name="item_remove",
    ),
    path("financing/", views.financing, name="financing"),
]


def register_navigation() -> None:
    """Buyouts in the Inventory section, the financing view in Billing (finance's pages);
    called from the app's ``ready``."""
    from samdrift.ui.navigation import register

    register(section="inventory", label=_("Buyouts"), url_name="buyouts:list", order=60)
    register(section="billing", label=_("Financing"), url_name="buyouts:financing", order=80)
