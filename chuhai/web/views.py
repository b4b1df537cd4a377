"""Pages. Views only translate between HTTP and services; no business logic here."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@permission_required("analytics.view_dashboard", raise_exception=True)
def home(request):
    return render(request, "web/home.html", {})
