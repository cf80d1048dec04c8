"""Planning's pages (namespace ``planning``), mounted at /planning/."""

from django.urls import path

from samdrift.planning import (
    views,
    views_campaigns,
    views_forecast,
    views_plan,
    views_rules,
    views_scenarios,
)

app_name = "planning"

urlpatterns = [
    path("", views_plan.plan, name="plan"),
    path("devices/", views.DueDeviceListView.as_view(), name="due_devices"),
    path("investment/", views.investment, name="investment"),
    path("rules/", views_rules.rules, name="rules"),
    path("rules/new/", views_rules.rule_edit, name="rule_create"),
    path("rules/<int:pk>/edit/", views_rules.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views_rules.rule_delete, name="rule_delete"),
    path("support/new/", views_rules.support_edit, name="support_create"),
    path("support/<int:pk>/edit/", views_rules.support_edit, name="support_edit"),
    path("support/<int:pk>/delete/", views_rules.support_delete, name="support_delete"),
    path("campaigns/", views_campaigns.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views_campaigns.campaign_create, name="campaign_create"),
    path(
        "campaigns/<int:pk>/", views_campaigns.CampaignDetailView.as_view(), name="campaign_detail"
    ),
    path("campaigns/<int:pk>/refresh/", views_campaigns.campaign_refresh, name="campaign_refresh"),
    path("campaigns/<int:pk>/close/", views_campaigns.campaign_close, name="campaign_close"),
    path("forecast/", views_forecast.forecast_list, name="forecast_list"),
    path("forecast/<int:municipality_id>/", views_forecast.forecast_detail, name="forecast_detail"),
    path("scenarios/", views_scenarios.scenario_list, name="scenario_list"),
    path("scenarios/baseline/", views_scenarios.baseline_edit, name="baseline_edit"),
    path("scenarios/<int:pk>/", views_scenarios.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:pk>/edit/", views_scenarios.scenario_edit, name="scenario_edit"),
    path("scenarios/<int:pk>/compute/", views_scenarios.scenario_compute, name="scenario_compute"),
    path("scenarios/<int:pk>/xlsx/", views_scenarios.scenario_xlsx, name="scenario_xlsx"),
    path("scenarios/<int:pk>/members/", views_scenarios.member_add, name="member_add"),
    path("scenarios/members/<int:pk>/remove/", views_scenarios.member_remove, name="member_remove"),
    path("scenarios/<int:pk>/pools/", views_scenarios.pool_change_add, name="pool_change_add"),
    path(
        "scenarios/pools/<int:pk>/remove/",
        views_scenarios.pool_change_remove,
        name="pool_change_remove",
    ),
]
