from django.urls import path, re_path

from samdrift.billing.views import credits, invoices, keys, one_offs, periods, pools

app_name = "billing"

MONTH = r"(?P<month>\d{4}-\d{2})"

urlpatterns = [
    path("", periods.period_list, name="period_list"),
    path("run/", periods.period_run, name="period_run"),
    re_path(rf"^{MONTH}/$", periods.period_detail, name="period_detail"),
    re_path(rf"^{MONTH}/issue/$", periods.period_issue, name="period_issue"),
    re_path(
        rf"^{MONTH}/issue/confirm/$", periods.period_issue_confirm, name="period_issue_confirm"
    ),
    re_path(rf"^{MONTH}/close/$", periods.period_close, name="period_close"),
    re_path(
        rf"^{MONTH}/close/confirm/$", periods.period_close_confirm, name="period_close_confirm"
    ),
    re_path(rf"^{MONTH}/accounting\.csv$", periods.period_accounting, name="period_accounting"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/print/", invoices.invoice_print, name="invoice_print"),
    path("invoices/<int:pk>/pdf/", invoices.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/issue/", invoices.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/credit/", credits.invoice_credit, name="invoice_credit"),
    path(
        "invoices/<int:pk>/credit/confirm/",
        credits.invoice_credit_confirm,
        name="invoice_credit_confirm",
    ),
    path("invoices/<int:pk>/ehf.xml", invoices.invoice_ehf, name="invoice_ehf"),
    # Only the formats there are: any other extension is a 404, not a CSV under its name.
    re_path(
        r"^invoices/(?P<pk>[0-9]+)/specification\.(?P<fmt>csv|xlsx|excel\.csv)$",
        invoices.invoice_specification,
        name="invoice_specification",
    ),
    path("one-offs/", one_offs.OneOffChargeListView.as_view(), name="one_off_list"),
    path("one-offs/new/", one_offs.one_off_edit, name="one_off_create"),
    path("one-offs/<int:pk>/edit/", one_offs.one_off_edit, name="one_off_edit"),
    path("keys/", keys.AllocationKeyListView.as_view(), name="key_list"),
    path("keys/new/", keys.key_edit, name="key_create"),
    path("keys/<int:pk>/", keys.key_detail, name="key_detail"),
    path("keys/<int:pk>/edit/", keys.key_edit, name="key_edit"),
    path("pools/", pools.CostPoolListView.as_view(), name="pool_list"),
    path("pools/new/", pools.pool_edit, name="pool_create"),
    path("pools/<int:pk>/edit/", pools.pool_edit, name="pool_edit"),
    path("lines/<int:pk>/", invoices.line_detail, name="line_detail"),
    path("credit-notes/<int:pk>/ehf.xml", credits.credit_note_ehf, name="credit_note_ehf"),
]
