"""Login on every page: an allow-list of public paths, everything else redirects to the login page.

The API authenticates on its own (bearer token or session) and answers 401 rather than redirecting.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/i18n/", "/healthz", "/api/")


class LoginRequiredEverywhereMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
