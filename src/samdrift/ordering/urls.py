"""Ordering's pages (namespace ``ordering``); the inbox keeps its own ``urlpatterns``."""

from django.urls import path

from samdrift.ordering import views_inbox
from samdrift.ordering.views import offers, orders, purchasing, queues, returns

app_name = "ordering"

urlpatterns = [
    path("", orders.OrderListView.as_view(), name="order_list"),
    path("catalogue/", orders.catalogue, name="catalogue"),
    path("basket/", orders.basket, name="basket"),
    path("<int:pk>/", orders.order_detail, name="order_detail"),
    path("<int:pk>/edit/", orders.order_edit, name="order_edit"),
    path("<int:pk>/lines/<int:line_pk>/edit/", orders.line_edit, name="line_edit"),
    path("<int:pk>/lines/<int:line_pk>/remove/", orders.line_remove, name="line_remove"),
    path("<int:pk>/non-standard/", orders.non_standard_add, name="non_standard_add"),
    path("<int:pk>/submit/", orders.order_submit, name="order_submit"),
    path("<int:pk>/approve/", orders.order_approve, name="order_approve"),
    path("<int:pk>/reject/", orders.order_reject, name="order_reject"),
    path("<int:pk>/cancel/", orders.order_cancel, name="order_cancel"),
    path("<int:pk>/accept/", orders.order_accept, name="order_accept"),
    path("lines/<int:pk>/review/", queues.line_review, name="line_review"),
    path("lines/<int:pk>/deliver/", queues.line_deliver, name="line_deliver"),
    path("approvals/", queues.approvals, name="approvals"),
    path("deliveries/", queues.deliveries, name="deliveries"),
    path("returns/", returns.ReturnListView.as_view(), name="return_list"),
    path("returns/new/", returns.return_create, name="return_create"),
    path("returns/<int:pk>/", returns.return_detail, name="return_detail"),
    path("purchasing/", purchasing.purchasing, name="purchasing"),
    path("offers/", offers.offer_list, name="offer_list"),
    path("offers/new/", offers.offer_edit, name="offer_create"),
    path("offers/<int:pk>/edit/", offers.offer_edit, name="offer_edit"),
    path("bundles/new/", offers.bundle_edit, name="bundle_create"),
    path("bundles/<int:pk>/edit/", offers.bundle_edit, name="bundle_edit"),
    path("bundles/<int:pk>/parts/", offers.bundle_part_add, name="bundle_part_add"),
    path("bundle-parts/<int:pk>/remove/", offers.bundle_part_remove, name="bundle_part_remove"),
    path("approval-rule/", offers.approval_rule, name="approval_rule"),
    *views_inbox.urlpatterns,
]
