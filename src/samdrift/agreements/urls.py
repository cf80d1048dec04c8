from django.urls import path

from samdrift.agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.AgreementListView.as_view(), name="agreement_list"),
    path("new/", views.agreement_edit, name="agreement_create"),
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/prices/new/", views.price_create, name="price_create"),
    path("prices/<int:pk>/edit/", views.price_edit, name="price_edit"),
    path("<int:pk>/levels/new/", views.level_create, name="level_create"),
    path("levels/<int:pk>/edit/", views.level_edit, name="level_edit"),
    path("levels/<int:pk>/targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("levels/<int:pk>/credits/new/", views.credit_rule_create, name="credit_rule_create"),
    path("credits/<int:pk>/edit/", views.credit_rule_edit, name="credit_rule_edit"),
    path("service-hours/", views.CalendarListView.as_view(), name="calendar_list"),
    path("service-hours/new/", views.calendar_edit, name="calendar_create"),
    path("service-hours/<int:pk>/", views.calendar_detail, name="calendar_detail"),
    path("service-hours/<int:pk>/edit/", views.calendar_edit, name="calendar_edit"),
    path("service-hours/<int:pk>/hours/", views.calendar_hours_edit, name="calendar_hours"),
    path("service-hours/<int:pk>/days/new/", views.calendar_day_create, name="day_create"),
    path("service-hours/days/<int:pk>/edit/", views.calendar_day_edit, name="day_edit"),
]
