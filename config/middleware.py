"""Middleware of the whole site: login required everywhere (an expired session in an
htmx request sends the whole page to the login form), an absolute session lifetime,
the client's address behind
trusted proxies, the login lockouts (per account and address by django-axes, and per
address across accounts here), and gzip for pages and fragments but not for streamed
exports."""

import ipaddress
import time
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout, user_logged_in
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.cache import cache
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


def client_address(request) -> str | None:
    """The address of whoever sent ``request`` (AXES_CLIENT_IP_CALLABLE).

    Without proxies, ``REMOTE_ADDR``.  Behind ``TRUSTED_PROXY_COUNT`` reverse proxies,
    each of which appends the address it was reached from to X-Forwarded-For, the
    client is that many entries from the right: anything further left was written by
    the client and may be forged.  A header with fewer entries than that did not come
    through the proxies, and then ``REMOTE_ADDR`` stands.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def login_locked_out(request, response=None, credentials=None):
    """django-axes' answer to a locked-out login: the login page again, saying why and
    for how long (AXES_LOCKOUT_CALLABLE).  The same words whether or not the account
    exists, so a lockout tells an attacker nothing."""
    return _locked_login_page(
        request,
        f"Too many failed logins for this account from your address. Logging in is blocked for "
        f"{_minutes(settings.AXES_COOLOFF_TIME.total_seconds())}; wait, or ask an administrator to unlock it.",
    )


def _locked_login_page(request, message: str):
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "next": request.POST.get("next", ""), "locked_out": message}
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


LOGGED_IN_AT = "factmark_logged_in_at"


def _remember_login_time(sender, request, user, **kwargs):
    request.session[LOGGED_IN_AT] = time.time()


user_logged_in.connect(_remember_login_time, dispatch_uid="config.middleware.remember_login_time")


class SessionLifetimeMiddleware:
    """An absolute session lifetime besides the idle one: ``SESSION_MAX_SECONDS`` after
    logging in, a session ends however busy it has been, and the next request meets the
    login page.  A stolen session cookie is worth a bounded time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            logged_in_at = request.session.setdefault(LOGGED_IN_AT, time.time())
            if time.time() - logged_in_at > settings.SESSION_MAX_SECONDS:
                logout(request)
        return self.get_response(request)


class AddressLoginThrottle:
    """Against password spraying, which tries one password on many accounts: after
    ``FACTMARK_LOGIN_ADDRESS_LIMIT`` failed logins from one address, whatever the
    usernames, every login from that address is refused until the window that the
    first failure opened has passed (failures during it do not extend it).  Counted in
    Django's cache, so every server process sharing that cache agrees."""

    LOGIN_PATHS = ("/login/", "/admin/login/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or request.path_info not in self.LOGIN_PATHS:
            return self.get_response(request)
        key = f"login-failures:{client_address(request)}"
        failures = cache.get(key)
        now = time.time()
        if failures and failures["n"] >= settings.FACTMARK_LOGIN_ADDRESS_LIMIT and failures["until"] > now:
            return _locked_login_page(
                request,
                "Too many failed logins from your address. Logging in from it is blocked for "
                f"{_minutes(failures['until'] - now)}; wait, or ask an administrator.",
            )
        response = self.get_response(request)
        if response.status_code == 200 and not getattr(request.user, "is_authenticated", False):
            # The login form came back: a failed attempt.
            if not failures or failures["until"] <= now:
                failures = {"n": 0, "until": now + settings.AXES_COOLOFF_TIME.total_seconds()}
            failures["n"] += 1
            cache.set(key, failures, timeout=max(1, int(failures["until"] - now)))
        return response


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
