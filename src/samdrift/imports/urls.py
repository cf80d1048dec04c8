from django.urls import path

from samdrift.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("<uuid:pk>/", views.preview, name="preview"),
    path("<uuid:pk>/apply/", views.apply, name="apply"),
    path("<uuid:pk>/recheck/", views.recheck, name="recheck"),
    path("<uuid:pk>/errors.csv", views.errors_csv, name="errors"),
    path("template/<slug:kind>.csv", views.template_csv, name="template"),
    path("<uuid:pk>/map/", views.map_columns, name="map"),
    path("mappings/", views.mappings, name="mappings"),
    path("mappings/<int:pk>/", views.mapping_edit, name="mapping_edit"),
]
