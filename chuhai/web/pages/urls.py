"""URLs of the core pages. The list pages' names are fixed: chuhai.web.navigation links to them."""

from django.urls import path

from .views import (
    accounts,
    company_settings,
    fx,
    imports,
    listings,
    orders,
    products,
    stock,
    unmapped,
    warehouses,
)

urlpatterns = [
    path("products/", products.product_list, name="products"),
    path("products/new/", products.product_create, name="product-create"),
    path("products/<int:pk>/", products.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", products.product_edit, name="product-edit"),
    path("listings/", listings.listing_list, name="listings"),
    path("channel-accounts/", accounts.account_list, name="accounts"),
    path("channel-accounts/new/", accounts.account_create, name="account-create"),
    path("channel-accounts/<int:pk>/edit/", accounts.account_edit, name="account-edit"),
    path("warehouses/", warehouses.warehouse_list, name="warehouses"),
    path("warehouses/new/", warehouses.warehouse_create, name="warehouse-create"),
    path("stock/", stock.stock_list, name="stock"),
    path("stock/<path:sku>/", stock.stock_detail, name="stock-detail"),
    path("orders/", orders.order_list, name="orders"),
    path("orders/<int:pk>/", orders.order_detail, name="order-detail"),
    path("imports/", imports.import_page, name="imports"),
    path("unmapped-skus/", unmapped.unmapped_list, name="unmapped-skus"),
    path("unmapped-skus/<int:pk>/map/", unmapped.unmapped_map, name="unmapped-sku-map"),
    path("fx/", fx.fx_page, name="fx"),
    path("settings/company/", company_settings.company_settings, name="company-settings"),
]
