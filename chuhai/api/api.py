"""The REST API: /api/v1/ with OpenAPI docs at /api/v1/docs (served locally)."""

from ninja import NinjaAPI

from .auth import AUTH

api = NinjaAPI(title="chuhai API", version="1", auth=AUTH, urls_namespace="api")
