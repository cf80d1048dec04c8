from django.urls import path

from samdrift.solutions import views

app_name = "solutions"

urlpatterns = [
    path("", views.SolutionListView.as_view(), name="solution_list"),
    path("new/", views.solution_edit, name="solution_create"),
    path("<int:pk>/", views.solution_detail, name="solution_detail"),
    path("<int:pk>/edit/", views.solution_edit, name="solution_edit"),
    path("functions/new/", views.function_create, name="function_create"),
    path("functions/<int:pk>/candidate/", views.choose_function_candidate, name="candidate"),
    path("usages/", views.SolutionUsageListView.as_view(), name="usage_list"),
    path("usages/new/", views.usage_edit, name="usage_create"),
    path("usages/<int:pk>/edit/", views.usage_edit, name="usage_edit"),
    path("requirements/", views.RequirementListView.as_view(), name="requirement_list"),
    path("requirements/<int:pk>/edit/", views.requirement_edit, name="requirement_edit"),
    path("portfolio/<int:pk>/", views.portfolio, name="portfolio"),
    path("gaps/", views.gaps, name="gaps"),
    path("standardisation/", views.standardisation, name="standardisation"),
]
