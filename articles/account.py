"""The user's own page: personal API tokens, made, listed and revoked.

A new token's secret is shown once, in the answer to the form that made it (never
stored, never redirected through the session); the page is never cached (``no-store``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .tokens import MAX_EXPIRY_DAYS, TokenError, create_token, revoke, tokens_of, why_not_valid

PAGE = "articles/tokens.html"
EXPIRY_CHOICES = [("", "Never"), ("7", "In 7 days"), ("30", "In 30 days"), ("90", "In 90 days"),
                  ("365", "In a year")]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “nightly export”.")
    expires = forms.TypedChoiceField(choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False,
                                     label="Expires")

    def clean_expires(self):
        days = self.cleaned_data["expires"]
        if days is not None and not 1 <= days <= MAX_EXPIRY_DAYS:
            raise forms.ValidationError("Choose when the token expires.")
        return days


def _page(request, *, form=None, new=None, status=200):
    rows = [{"token": token, "ended": why_not_valid(token)} for token in tokens_of(request.user)]
    context = {"form": form or TokenForm(), "rows": rows, "new": new}
    return render(request, PAGE, context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    if request.method == "GET":
        return _page(request)
    if "revoke" in request.POST:
        token = tokens_of(request.user).filter(pk=_int(request.POST["revoke"])).first()
        if token is None:
            messages.error(request, "No such token of yours.")
        else:
            revoke(token)
            messages.success(request, f"Revoked “{token.name}”: it no longer works.")
        return redirect("account-tokens")
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=422)
    try:
        new = create_token(user=request.user, name=form.cleaned_data["name"],
                           expires_days=form.cleaned_data["expires"])
    except TokenError as refused:
        form.add_error("name", str(refused))
        return _page(request, form=form, status=422)
    return _page(request, new=new, status=201)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
