from django.contrib.auth import views as auth_views
from django.urls import path

from samdrift.ui import autocomplete, exportjobs, listsettings, tokens, views

urlpatterns = [
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
    path("search/", views.search_page, name="search"),
    path("autocomplete/<slug:key>/", autocomplete.autocomplete_view, name="autocomplete"),
    path("changes/", views.ChangeListView.as_view(), name="change_list"),
    path("lists/filters/", listsettings.save_filter_view, name="list_filter_save"),
    path(
        "lists/filters/<int:pk>/delete/",
        listsettings.delete_filter_view,
        name="list_filter_delete",
    ),
    path("lists/columns/", listsettings.choose_columns_view, name="list_columns"),
    path("tokens/", tokens.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("exports/", exportjobs.export_list, name="export_list"),
    path("exports/start/", exportjobs.export_start, name="export_start"),
    path("exports/<str:pk>/download/", exportjobs.export_download, name="export_download"),
]
