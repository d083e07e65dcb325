"""Security headers that Django's own middleware does not set, and the client address for
login throttling.

``SecurityHeadersMiddleware`` adds:

- ``Content-Security-Policy``: a strict policy for every page (scripts, styles, images and
  fonts only from our own origin, no inline code, never in a frame). The interactive API
  documentation (Swagger UI under ``CSP_RELAXED_PREFIXES``) gets the same policy with inline
  styles allowed, because Swagger UI sets some of its styles inline; scripts stay ``'self'``.
- ``Cache-Control: no-store`` on every response under ``NO_STORE_PREFIXES`` (the API):
  those responses carry registry data that proxies and browsers must not keep.

X-Content-Type-Options, X-Frame-Options, Referrer-Policy and HSTS come from Django's
``SecurityMiddleware`` and ``XFrameOptionsMiddleware`` (see the settings).
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings


def policy_header(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = policy_header(settings.CSP_DIRECTIVES)
        relaxed = {**settings.CSP_DIRECTIVES}
        for name, extra in settings.CSP_RELAXED_DIRECTIVES.items():
            relaxed[name] = [*relaxed.get(name, []), *extra]
        self.relaxed_policy = policy_header(relaxed)
        self.relaxed_prefixes = tuple(settings.CSP_RELAXED_PREFIXES)
        self.no_store_prefixes = tuple(settings.NO_STORE_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path_info
        if "Content-Security-Policy" not in response:
            relaxed = path.startswith(self.relaxed_prefixes)
            response["Content-Security-Policy"] = self.relaxed_policy if relaxed else self.policy
        if path.startswith(self.no_store_prefixes):
            response["Cache-Control"] = "no-store"
        return response


def client_ip(request) -> str | None:
    """The address of the client, for login throttling.

    Behind a proxy (``BEHIND_TLS_PROXY``) every request comes from the proxy, so the address
    the proxy appended last to ``X-Forwarded-For`` is used: it is the one the proxy saw, and a
    client cannot forge it (only addresses before it).
    """
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes in with a request.

    Every login over HTTP (the site, the admin, the API) passes its request and is throttled.
    Code that authenticates without one (``Client.login`` in tests, a shell) has no client
    address to throttle on; axes would refuse it with an error, so it is passed on to the next
    backend unchecked instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
