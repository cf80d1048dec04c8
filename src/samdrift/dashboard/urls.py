from django.urls import path

from samdrift.dashboard import views

urlpatterns = [
    path("", views.home, name="home"),
]
