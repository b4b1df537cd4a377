"""Channel accounts: list, create and edit. Credentials go in write-only and only ever come back masked."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from chuhai.channels.models import ChannelAccount
from chuhai.channels.services import create_account, save_account

from .. import queries, specs
from ..filters import AccountFilter
from ..forms import AccountCreateForm, AccountEditForm, add_service_errors
from ..tables import table_response
from .common import form_page


@permission_required("channels.view_channelaccount", raise_exception=True)
def account_list(request):
    filters = AccountFilter(request.GET)
    can_add = request.user.has_perm("channels.add_channelaccount")
    return table_response(
        request, spec=specs.ACCOUNTS, queryset=queries.accounts(**filters.values()), template="web/pages/list.html",
        context={
            "title": _("Channel accounts"),
            "filter_form": filters,
            "create_url": reverse("account-create") if can_add else None,
            "create_label": _("New account"),
        },
    )


@permission_required("channels.add_channelaccount", raise_exception=True)
def account_create(request):
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = create_account(
                code=data["code"], platform=data["platform"], marketplace=data["marketplace"],
                currency=data["currency"] or None, operating_model=data["operating_model"] or None,
                name=data["name"], credentials=form.credential_changes()["set"],
            )
        except (ValidationError, ValueError, IntegrityError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Account %(code)s created.") % {"code": account.code})
            return redirect("accounts")
    return form_page(request, form, _("New channel account"), reverse("accounts"), credentials_form=True)


@permission_required("channels.change_channelaccount", raise_exception=True)
def account_edit(request, pk: int):
    account = get_object_or_404(ChannelAccount, pk=pk)
    form = AccountEditForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        changes = form.credential_changes()
        try:
            save_account(form.instance, changes["set"], changes["remove"])
        except (ValidationError, IntegrityError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Account %(code)s saved.") % {"code": account.code})
            return redirect("accounts")
    return form_page(request, form, _("Edit channel account %(code)s") % {"code": account.code},
                     reverse("accounts"), credentials_form=True)
