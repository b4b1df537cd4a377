import pytest
from django.contrib.auth.models import Group

from chuhai.core.roles import ROLES


@pytest.mark.django_db
def test_every_role_group_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


@pytest.mark.django_db
def test_viewer_holds_no_change_permission(role_users):
    viewer = role_users["viewer"]
    perms = viewer.get_all_permissions()
    assert perms, "a viewer must be able to read"
    assert not [p for p in perms if not p.split(".")[1].startswith("view_")]


@pytest.mark.django_db
def test_operations_cannot_open_finance_but_finance_can(role_users):
    assert not role_users["operations"].has_perm("finance.access_finance")
    assert role_users["finance"].has_perm("finance.access_finance")
    assert role_users["operations"].has_perm("catalog.change_product")
    assert not role_users["finance"].has_perm("catalog.change_product")


@pytest.mark.django_db
def test_buyer_personal_data_only_for_roles_that_ship(role_users):
    assert role_users["operations"].has_perm("orders.view_order_customer")
    for role in ("viewer", "finance", "purchasing"):
        assert not role_users[role].has_perm("orders.view_order_customer"), role
        assert role_users[role].has_perm("orders.view_order"), role
