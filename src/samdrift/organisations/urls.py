from django.urls import path

from samdrift.organisations import views

app_name = "organisations"

urlpatterns = [
    path("municipalities/", views.MunicipalityListView.as_view(), name="municipality_list"),
    path("municipalities/<int:pk>/", views.municipality_detail, name="municipality_detail"),
    path("service-areas/", views.ServiceAreaListView.as_view(), name="service_area_list"),
    path("service-areas/new/", views.service_area_edit, name="service_area_create"),
    path("service-areas/<int:pk>/edit/", views.service_area_edit, name="service_area_edit"),
    path("locations/", views.LocationListView.as_view(), name="location_list"),
    path("persons/", views.PersonListView.as_view(), name="person_list"),
    path("persons/new/", views.person_edit, name="person_create"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
]
