"""The API tokens page (``/tokens/``): a login's own tokens — an operator's view shows
everyone's — with a form to make one (its key shown once, on the answer to the form)
and a button to revoke each. The rules of tokens live in ``core.tokens``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samdrift.core.models import ApiToken
from samdrift.core.tokens import DEFAULT_DAYS, MAX_DAYS, issue


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. the script that uses it."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
    )


def _tokens_for(user):
    tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created")
    return tokens if user.is_operator else tokens.filter(user=user)


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                _token, new_key = issue(
                    request.user, form.cleaned_data["name"].strip(), form.cleaned_data["days"]
                )
        except IntegrityError:
            form.add_error("name", _("You already have a token with this name."))
        else:
            form = TokenForm()
    return render(
        request,
        "web/tokens.html",
        {
            "tokens": _tokens_for(request.user),
            "form": form,
            "new_key": new_key,
            "now": timezone.now(),
            "show_owner": request.user.is_operator,
        },
        status=400 if request.method == "POST" and new_key is None else 200,
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = _tokens_for(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404(_("No such token."))
    token.delete()
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("token_list")
