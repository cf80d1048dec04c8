"""The leasing pages: lease models and the price list (namespace ``pricing``), buyouts and
the financing view (namespace ``buyouts``); the namespaces are kept from before the move."""

from django.urls import include, path

urlpatterns = [
    path("", include("samdrift.leasing.urls.pricing")),
    path("", include("samdrift.leasing.urls.buyouts")),
]
