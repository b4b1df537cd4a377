"""The REST API, ``/api/v1/``, with OpenAPI docs at ``/api/v1/docs`` served from local static files (no CDN).

Authentication and permissions: see :mod:`chuhai.api.auth` (bearer token or session; one Django permission per
operation). Error bodies: see :mod:`chuhai.api.errors` (always ``{"detail": "..."}``).

The docs page and ``/api/v1/openapi.json`` require a login too. The site-wide login middleware skips ``/api/``
(the API answers 401 instead of redirecting), so :func:`docs_login_required` does it here: the docs page
redirects an anonymous browser to the login page, ``openapi.json`` answers 401 JSON; a bearer token works for
both, so a script can fetch the schema. Any logged-in user may read the schema: it describes what exists, not
the seller's data.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from ninja import NinjaAPI

from . import account_health as account_health_api
from . import advice as advice_api
from . import allocation_rules as allocation_rules_api
from . import ats as ats_api
from . import catalog, channels, errors, fx, imports, inventory, me, orders, stock
from . import costs as costs_api
from . import customer_analytics as customer_analytics_api
from . import fba as fba_api
from . import fee_schedules as fee_schedules_api
from . import fee_types as fee_types_api
from . import inbound as inbound_api
from . import metrics as metrics_api
from . import payouts as payouts_api
from . import profit as profit_api
from . import returns as returns_api
from . import settlements as settlements_api
from . import shipments as shipments_api
from .auth import needs, required_permission, user_from_request

#: Operations open to every authenticated user; every other operation must name a permission.
LOGIN_ONLY = {"/me"}


def docs_login_required(view):
    serves_schema = getattr(view, "func", view).__name__ == "openapi_json"

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if user_from_request(request) is None:
            if serves_schema:
                return JsonResponse({"detail": "Authentication required: send 'Authorization: Bearer <token>' "
                                               "or log in."}, status=401)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return view(request, *args, **kwargs)

    return wrapper


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="chuhai API",
        version="1",
        description="Catalogue, channel accounts, warehouses, orders (read) and exchange rates. "
                    "Authenticate with `Authorization: Bearer <token>` (`chuhai users token NAME`).",
        auth=needs(),
        urls_namespace="api",
        docs_decorator=docs_login_required,
    )
    errors.install(api)
    for module in (me, catalog, channels, inventory, stock, orders, fx, imports, shipments_api,
                   returns_api, fba_api, account_health_api,
                   ats_api, allocation_rules_api, inbound_api, fee_schedules_api,
                   profit_api,
                   settlements_api,
                   fee_types_api, costs_api,
                   payouts_api,
                   customer_analytics_api,
                   metrics_api, advice_api):
        api.add_router("", module.router)
    check_every_operation_needs_a_permission(api)
    return api


def operations(api: NinjaAPI):
    """(path, method, operation) for every operation of ``api``."""
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield path, method, operation


def check_every_operation_needs_a_permission(api: NinjaAPI) -> None:
    """Fail at import if an operation forgot ``auth=needs("app.codename")``: no endpoint is open by accident."""
    missing = [f"{method} {path}" for path, method, op in operations(api)
               if required_permission(op) is None and path not in LOGIN_ONLY]
    if missing:
        raise RuntimeError(f"API operations without a permission: {', '.join(missing)}")


api = build_api()
