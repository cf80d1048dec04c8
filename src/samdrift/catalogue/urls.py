from django.urls import path

from samdrift.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("catalogue/categories/", views.CategoryListView.as_view(), name="category_list"),
    path("catalogue/categories/new/", views.category_edit, name="category_create"),
    path("catalogue/categories/<int:pk>/", views.category_detail, name="category_detail"),
    path("catalogue/categories/<int:pk>/edit/", views.category_edit, name="category_edit"),
    path("catalogue/products/", views.ProductListView.as_view(), name="product_list"),
    path("catalogue/products/new/", views.product_edit, name="product_create"),
    path("catalogue/products/<int:pk>/", views.product_detail, name="product_detail"),
    path("catalogue/products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path(
        "catalogue/products/<int:pk>/prices/new/",
        views.product_price_create,
        name="product_price_create",
    ),
    path("catalogue/services/", views.ServiceListView.as_view(), name="service_list"),
    path("catalogue/services/new/", views.service_edit, name="service_create"),
    path("catalogue/services/<int:pk>/", views.service_detail, name="service_detail"),
    path("catalogue/services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path(
        "catalogue/services/<int:pk>/prices/new/",
        views.service_price_create,
        name="service_price_create",
    ),
    path("catalogue/prices/", views.PriceListView.as_view(), name="price_list"),
]
