"""URL map: pages (web), REST API (/api/v1/), Django admin, login, language switch."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("chuhai.api.urls")),
    path("", include("chuhai.web.urls")),
]
