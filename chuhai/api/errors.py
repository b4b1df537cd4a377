"""One error shape for the whole API, ``{"detail": "..."}``, and the translation of service failures into it.

- 401 no or bad credentials, 403 missing permission or CSRF, 404 unknown object;
- 409 a duplicate key (SKU, account code, warehouse code, channel SKU per account). The database's unique
  constraints decide, not a look-up before the insert: the service runs in its own transaction and an
  ``IntegrityError`` from a unique constraint becomes the 409 (a model-level uniqueness message from the
  service's ``full_clean`` is reported the same way);
- 422 invalid input, the message naming the field (``cost_currency: XYZ is not an ISO 4217 currency code``),
  also for a missing exchange rate, which the user fixes by adding one.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from chuhai.core.validation import validation_message
from chuhai.finance.fx import FxRateMissing

UNIQUE_CODES = {"unique", "unique_together"}
#: Where a request value came from; dropped from the field name shown to the client.
SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _is_unique_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) == "23505":  # PostgreSQL unique_violation
        return True
    return "UNIQUE constraint failed" in str(exc)  # SQLite


def _is_unique_error(exc: DjangoValidationError) -> bool:
    errors = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    codes = {e.code for group in errors for e in group}
    return bool(codes) and codes <= UNIQUE_CODES


@contextmanager
def service_errors(duplicate: str):
    """Run a service call in its own transaction and turn its failures into API errors.

    ``duplicate`` is the 409 message, e.g. ``"A product with SKU 'A1' already exists."``. Nothing the call
    wrote survives a failure.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if _is_unique_violation(exc):
            raise HttpError(409, duplicate) from exc
        raise HttpError(422, f"Rejected by a database rule: {exc}") from exc
    except DjangoValidationError as exc:
        if _is_unique_error(exc):
            raise HttpError(409, duplicate) from exc
        raise HttpError(422, validation_message(exc)) from exc
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc


def _field_name(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in SOURCES:
        source = parts.pop(0)
        # body values sit under the operation's parameter name ("payload"); the client never sees that name
        if source == "body" and len(parts) > 1:
            parts.pop(0)
        if not parts:
            return source
    return ".".join(parts)


def _message(error: dict) -> str:
    msg = str(error.get("msg", "invalid"))
    return msg.removeprefix("Value error, ")


def install(api) -> None:
    """Register the handlers that give every error the ``{"detail": ...}`` shape."""

    def unauthorized(request, exc: AuthenticationError):
        message = str(exc)
        if message == "Unauthorized":
            message = "Authentication required: send 'Authorization: Bearer <token>' or log in."
        response = api.create_response(request, {"detail": message}, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    def invalid_input(request, exc: SchemaValidationError):
        errors = [{"field": _field_name(e.get("loc", ())), "message": _message(e)} for e in exc.errors]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid input"
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    def not_found(request, exc: Http404):
        return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)

    def rate_missing(request, exc: FxRateMissing):
        return api.create_response(request, {"detail": str(exc)}, status=422)

    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(SchemaValidationError, invalid_input)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(FxRateMissing, rate_missing)


def get_or_404(queryset, message: str, **lookup):
    """The one row matching ``lookup`` or a 404 saying what was looked for."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(message) from None
