"""Middleware of the whole site: login required everywhere (an expired session in an
htmx request sends the whole page to the login form), the login-lockout answer, and
gzip for pages and fragments but not for streamed exports."""

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render, resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page but login needs a login; an expired session during an htmx request
    sends the whole page to the login form instead of swapping it into a fragment."""

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False):
            back = request.htmx.current_url_abs_path or "/"
            return HttpResponseClientRedirect(f"{resolve_url(settings.LOGIN_URL)}?next={quote(back)}")
        return super().handle_no_permission(request, view_func)


def login_locked_out(request, response=None, credentials=None):
    """django-axes' answer to a locked-out login: the login page again, saying why and
    for how long (AXES_LOCKOUT_CALLABLE).  The same words whether or not the account
    exists, so a lockout tells an attacker nothing."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {
        "form": form,
        "next": request.POST.get("next", ""),
        "locked_out": (
            f"Too many failed logins for this account from your address. Logging in is blocked for "
            f"{minutes} minute{'s' if minutes != 1 else ''}; wait, or ask an administrator to unlock it."
        ),
    }
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


class PageCompression(GZipMiddleware):
    """Gzip pages and fragments for browsers that accept it: the workspace of a long,
    densely annotated article is close to a megabyte of HTML and a tenth of that
    compressed.  Django's middleware pads the output against BREACH-style guessing.
    Streamed downloads are left alone: the exports stream as they are written, and
    compressing hundreds of megabytes would cost the server more than it saves."""

    def process_response(self, request, response):
        if response.streaming:
            return response
        return super().process_response(request, response)
