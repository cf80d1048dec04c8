from django.urls import path

from samdrift.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("catalogue/products/", views.ProductListView.as_view(), name="product_list"),
    path("catalogue/services/", views.ServiceListView.as_view(), name="service_list"),
    path("catalogue/prices/", views.PriceListView.as_view(), name="price_list"),
]
