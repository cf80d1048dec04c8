"""The gains pages (namespace ``gains``), mounted at /gains/."""

from django.urls import path

from samdrift.gains import views, views_baselines, views_figures, views_report

app_name = "gains"

urlpatterns = [
    # The action plan
    path("", views.ActionListView.as_view(), name="action_list"),
    path("actions/new/", views.action_edit, name="action_create"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/delete/", views.action_delete, name="action_delete"),
    path("actions/<int:action_pk>/milestones/new/", views.milestone_edit, name="milestone_create"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/delete/", views.milestone_delete, name="milestone_delete"),
    path("actions/<int:action_pk>/gains/new/", views.gain_edit, name="gain_create"),
    path("gains/<int:pk>/edit/", views.gain_edit, name="gain_edit"),
    path("gains/<int:pk>/delete/", views.gain_delete, name="gain_delete"),
    path("gains/<int:gain_pk>/shares/new/", views.share_edit, name="share_create"),
    path("shares/<int:pk>/edit/", views.share_edit, name="share_edit"),
    path("shares/<int:pk>/delete/", views.share_delete, name="share_delete"),
    path(
        "gains/<int:gain_pk>/measurements/new/",
        views.measurement_edit,
        name="measurement_create",
    ),
    path("measurements/<int:pk>/edit/", views.measurement_edit, name="measurement_edit"),
    path("measurements/<int:pk>/delete/", views.measurement_delete, name="measurement_delete"),
    # Figures
    path("realisation/", views_figures.realisation_page, name="realisation"),
    path("comparison/", views_figures.comparison, name="comparison"),
    path(
        "comparison/<int:municipality_id>/",
        views_figures.comparison_detail,
        name="comparison_detail",
    ),
    path("benefit-map/", views_figures.benefit_map, name="benefit_map"),
    path("plan.xlsx", views_figures.plan_xlsx, name="plan_xlsx"),
    # Baselines and reference data
    path("baselines/", views_baselines.baseline_list, name="baseline_list"),
    path(
        "baselines/<int:municipality_id>/",
        views_baselines.baseline_detail,
        name="baseline_detail",
    ),
    path(
        "baselines/<int:municipality_id>/costs/new/",
        views_baselines.baseline_cost_edit,
        name="baseline_cost_create",
    ),
    path(
        "baselines/costs/<int:pk>/edit/",
        views_baselines.baseline_cost_edit,
        name="baseline_cost_edit",
    ),
    path(
        "baselines/costs/<int:pk>/delete/",
        views_baselines.baseline_cost_delete,
        name="baseline_cost_delete",
    ),
    path(
        "baselines/<int:municipality_id>/indicators/new/",
        views_baselines.indicator_baseline_edit,
        name="indicator_baseline_create",
    ),
    path(
        "baselines/indicators/<int:pk>/edit/",
        views_baselines.indicator_baseline_edit,
        name="indicator_baseline_edit",
    ),
    path(
        "baselines/indicators/<int:pk>/delete/",
        views_baselines.indicator_baseline_delete,
        name="indicator_baseline_delete",
    ),
    path("indicators/", views_baselines.indicator_list, name="indicator_list"),
    path("indicators/new/", views_baselines.indicator_edit, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views_baselines.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/delete/", views_baselines.indicator_delete, name="indicator_delete"),
    path("cost-index/", views_baselines.cost_index, name="cost_index"),
    path("cost-index/new/", views_baselines.cost_index_edit, name="cost_index_create"),
    path("cost-index/<int:pk>/edit/", views_baselines.cost_index_edit, name="cost_index_edit"),
    path(
        "cost-index/<int:pk>/delete/",
        views_baselines.cost_index_delete,
        name="cost_index_delete",
    ),
    path(
        "collaboration-costs/",
        views_baselines.collaboration_costs,
        name="collaboration_costs",
    ),
    path(
        "collaboration-costs/new/",
        views_baselines.collaboration_cost_edit,
        name="collaboration_cost_create",
    ),
    path(
        "collaboration-costs/<int:pk>/edit/",
        views_baselines.collaboration_cost_edit,
        name="collaboration_cost_edit",
    ),
    path(
        "collaboration-costs/<int:pk>/delete/",
        views_baselines.collaboration_cost_delete,
        name="collaboration_cost_delete",
    ),
    # The board report
    path("board-report/", views_report.board_report_page, name="board_report"),
    path("board-report.pdf", views_report.board_report_pdf, name="board_report_pdf"),
]
