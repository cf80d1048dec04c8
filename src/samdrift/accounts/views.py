"""The login page and the two ends of single sign-on (start and callback).

The callback is Samdrift's own rather than mozilla-django-oidc's: a refusal (no mapping,
ambiguous groups) is a page saying why, not a bare redirect; a provider that fails or
answers wrongly gives a page too, never a 500; and the code is exchanged by calling the
backend directly, not through ``django.contrib.auth.authenticate``, so django-axes does
not count a refused sign-on as a wrong password against the office's address.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from samdrift.accounts import policy
from samdrift.accounts.backends import SignOnBackend
from samdrift.accounts.forms import LoginForm
from samdrift.accounts.services import SignOnRefused

logger = logging.getLogger(__name__)

SIGN_ON_BACKEND = "samdrift.accounts.backends.SignOnBackend"


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            sign_on_enabled=policy.sign_on_enabled(),
            provider_name=policy.provider_name(),
            password_login=settings.SAMDRIFT_PASSWORD_LOGIN,
        )
        return context


class SignOnStartView(OIDCAuthenticationRequestView):
    """To the provider's sign-in (state, nonce and PKCE kept in the session)."""

    def dispatch(self, request, *args, **kwargs):
        if not policy.sign_on_enabled():
            raise Http404("Single sign-on is not configured.")
        return super().dispatch(request, *args, **kwargs)


def _failed(request, message: str, status: int):
    context = {"message": message, "provider_name": policy.provider_name()}
    return render(request, "accounts/sign_on_failed.html", context, status=status)


class SignOnCallbackView(View):
    """Back from the provider: check the state, exchange the code, sign in or say why not."""

    http_method_names = ["get"]

    def get(self, request):
        if not policy.sign_on_enabled():
            raise Http404("Single sign-on is not configured.")
        states = request.session.get("oidc_states") or {}
        state = request.GET.get("state", "")
        entry = states.pop(state, None)
        request.session["oidc_states"] = states  # each state is used once
        if request.GET.get("error"):
            logger.warning(
                "Single sign-on: the provider answered %s (%s)",
                request.GET.get("error"),
                request.GET.get("error_description", ""),
            )
            return _failed(request, _("The identity provider did not sign you in."), 400)
        if entry is None or not request.GET.get("code"):
            return _failed(
                request,
                _("This sign-in link has expired or was already used. Start again."),
                400,
            )
        backend = SignOnBackend()
        try:
            user = backend.authenticate(
                request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
            )
        except SignOnRefused as exc:
            return _failed(request, exc.message, 403)
        except (
            SuspiciousOperation,
            jwt.PyJWTError,  # expired or not yet valid token: the library lets these through
            requests.RequestException,
            ValueError,
            KeyError,
        ) as exc:
            logger.warning("Single sign-on failed: %s", exc)
            return _failed(
                request,
                _(
                    "The answer of the identity provider could not be verified. Try again, "
                    "or ask the ICT organisation's operators if it keeps failing."
                ),
                502,
            )
        if user is None or not user.is_active:
            return _failed(request, _("The identity provider did not sign you in."), 403)
        auth.login(request, user, backend=SIGN_ON_BACKEND)
        next_url = request.session.pop("oidc_login_next", None)
        return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
