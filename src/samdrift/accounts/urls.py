from django.urls import path

from samdrift.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("sso/start/", views.SignOnStartView.as_view(), name="sso_start"),
    path("sso/callback/", views.SignOnCallbackView.as_view(), name="sso_callback"),
]
