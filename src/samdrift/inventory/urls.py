from django.urls import path

from samdrift.inventory import views, views_lifecycle, views_subscriptions

app_name = "inventory"

urlpatterns = [
    path("assets/", views.AssetListView.as_view(), name="asset_list"),
    path("assets/bulk/", views_lifecycle.asset_bulk, name="asset_bulk"),
    path("assets/new/", views.asset_edit, name="asset_create"),
    path("assets/<int:pk>/", views.asset_detail, name="asset_detail"),
    path("assets/<int:pk>/edit/", views.asset_edit, name="asset_edit"),
    path("assets/<int:pk>/lifecycle/", views_lifecycle.asset_event, name="asset_event"),
    path("assets/<int:pk>/assign/", views.asset_assign, name="asset_assign"),
    path(
        "assets/<int:pk>/assignments/<int:assignment_pk>/correct/",
        views.assignment_correct,
        name="assignment_correct",
    ),
    path(
        "subscriptions/",
        views_subscriptions.SubscriptionListView.as_view(),
        name="subscription_list",
    ),
    path(
        "subscriptions/new/",
        views_subscriptions.subscription_create,
        name="subscription_create",
    ),
    path(
        "subscriptions/<int:pk>/end/",
        views_subscriptions.subscription_end,
        name="subscription_end",
    ),
    path("usage/", views_subscriptions.UsageRecordListView.as_view(), name="usage_list"),
    path("usage/new/", views_subscriptions.usage_edit, name="usage_create"),
    path("usage/<int:pk>/edit/", views_subscriptions.usage_edit, name="usage_edit"),
    path("assets/person-suggestions/", views.person_suggestions, name="person_suggestions"),
]
