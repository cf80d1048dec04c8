from django.contrib.auth import views as auth_views
from django.urls import path

from samdrift.ui import autocomplete, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
    path("search/", views.search_page, name="search"),
    path("autocomplete/<slug:key>/", autocomplete.autocomplete_view, name="autocomplete"),
    path("changes/", views.ChangeListView.as_view(), name="change_list"),
]
