from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from samdrift.accounts import policy


class LoginForm(AuthenticationForm):
    """The password form: says plainly when password sign-in is off for this username,
    without checking (or counting) the password — so that people who try their password
    out of habit do not lock their office's address for the break-glass operator."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and not policy.password_login_allowed(username):
            if policy.sign_on_enabled():
                message = _("Password sign-in is turned off: use “Sign in with %(provider)s”.")
            else:
                message = _("Password sign-in is turned off for this username.")
            raise forms.ValidationError(
                message, code="password_login_off", params={"provider": policy.provider_name()}
            )
        return super().clean()
