from django.urls import path

from samdrift.organisations import views

app_name = "organisations"

urlpatterns = [
    path("municipalities/", views.MunicipalityListView.as_view(), name="municipality_list"),
    path("municipalities/new/", views.municipality_edit, name="municipality_create"),
    path("municipalities/<int:pk>/", views.municipality_detail, name="municipality_detail"),
    path("municipalities/<int:pk>/edit/", views.municipality_edit, name="municipality_edit"),
    path("contacts/", views.ContactListView.as_view(), name="contact_list"),
    path("contacts/new/", views.contact_edit, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("service-areas/", views.ServiceAreaListView.as_view(), name="service_area_list"),
    path("service-areas/new/", views.service_area_edit, name="service_area_create"),
    path("service-areas/<int:pk>/edit/", views.service_area_edit, name="service_area_edit"),
    path("locations/", views.LocationListView.as_view(), name="location_list"),
    path("locations/new/", views.location_edit, name="location_create"),
    path("locations/<int:pk>/", views.location_detail, name="location_detail"),
    path("locations/<int:pk>/edit/", views.location_edit, name="location_edit"),
    path("persons/", views.PersonListView.as_view(), name="person_list"),
    path("persons/new/", views.person_edit, name="person_create"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.user_edit, name="user_create"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
]
