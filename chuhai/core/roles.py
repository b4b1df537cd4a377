"""The five roles and what each may do, enforced on the server through Django groups and permissions.

A role is a group whose permissions are exactly the ones listed here; :func:`sync_roles` runs after every migrate,
so adding a model to an app extends the roles without a data migration. Pages and API endpoints check
permissions (``has_perm``), never role names, so a custom group works too.

- admin: everything, including users and settings.
- operations: catalogue, channels, warehouses, stock, orders, logistics — no finance.
- finance: reads operations data; changes exchange rates, fees, costs, reconciliation; runs the advisor.
- purchasing: reads operations data; changes products' purchase data and (later) suppliers and purchase orders.
- viewer: reads everything outside finance; changes nothing.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

ROLES = ("admin", "operations", "finance", "purchasing", "viewer")

#: Apps whose data the operations side of the business works with.
OPERATIONS_APPS = ("catalog", "channels", "inventory", "orders", "logistics", "customers", "compliance", "strategy")
FINANCE_APPS = ("finance",)
#: The operating-model advisor is the owner's and both sides' tool: operations and finance run advice and
#: scenarios (the scenarios price SKUs with finance's figures, which only finance-access users see).
ADVISOR_APPS = ("strategy",)
PURCHASING_APPS = ("purchasing",)
#: Never granted to a role other than admin: users, groups, tokens, company settings, admin log, sessions.
ADMIN_ONLY_APPS = ("auth", "core", "admin", "sessions", "contenttypes")

#: Buyers' personal data (GDPR/PIPL): only roles that ship orders see it, never read-only roles.
PERSONAL_DATA_PERMISSIONS = ("view_order_customer",)

#: Permission that opens the finance pages (custom permission on finance.FxRate's app, see finance.models).
FINANCE_ACCESS = "finance.access_finance"
ANALYTICS_ACCESS = "analytics.view_dashboard"


def _perms(apps: tuple[str, ...], actions: tuple[str, ...] | None = None):
    qs = Permission.objects.filter(content_type__app_label__in=apps)
    if actions is None:
        return qs
    from django.db.models import Q

    cond = Q()
    for action in actions:
        cond |= Q(codename__startswith=f"{action}_")
    return qs.filter(cond)


def role_permissions(role: str):
    """The queryset of permissions a role holds."""
    from django.db.models import Q

    if role == "admin":
        return Permission.objects.all()
    view_ops = Q(pk__in=_perms(OPERATIONS_APPS + PURCHASING_APPS, ("view",)).values("pk")) & ~Q(
        codename__in=PERSONAL_DATA_PERMISSIONS
    )
    dashboard = Q(content_type__app_label="analytics", codename__startswith="view_")
    if role == "operations":
        return Permission.objects.filter(Q(pk__in=_perms(OPERATIONS_APPS).values("pk")) | view_ops | dashboard)
    if role == "finance":
        # Finance takes in settlement and transaction reports itself.
        imports = Q(content_type__app_label="channels", codename="run_import")
        return Permission.objects.filter(Q(pk__in=_perms(FINANCE_APPS + ADVISOR_APPS).values("pk")) | view_ops | dashboard
                                         | imports)
    if role == "purchasing":
        return Permission.objects.filter(
            Q(pk__in=_perms(PURCHASING_APPS).values("pk"))
            | Q(content_type__app_label="catalog", codename__in=["add_product", "change_product"])
            | view_ops
            | dashboard
        )
    if role == "viewer":
        return Permission.objects.filter(view_ops | dashboard)
    raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")


def sync_roles(**_kwargs) -> None:
    """Create the five groups and set their permissions to exactly :func:`role_permissions`."""
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role))


def assign_role(user, role: str) -> None:
    """Give ``user`` exactly one role. Admins also get the Django admin site (staff + superuser)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    group = Group.objects.get(name=role)
    user.groups.set([group])
    user.is_staff = role == "admin"
    user.is_superuser = role == "admin"
    user.save(update_fields=["is_staff", "is_superuser"])


def role_of(user) -> str | None:
    if user.is_superuser:
        return "admin"
    names = set(user.groups.values_list("name", flat=True))
    return next((r for r in ROLES if r in names), None)
