"""The leasing pages: lease models and the price list (namespace ``pricing``), buyouts and
the financing view (namespace ``buyouts``); the namespaces are kept from before the move."""

from django.urls import include, path

urlpatterns = [
    path("", include("samdrift.leasing.pricing_urls")),
    path("", include("samdrift.leasing.buyout_urls")),
]
