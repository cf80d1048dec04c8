"""The gains app's pages (namespace ``gains``), mounted at /gains/."""

from django.urls import path

from samdrift.gains import views_report

app_name = "gains"

urlpatterns = [
    path("board-report/", views_report.board_report_page, name="board_report"),
    path("board-report.pdf", views_report.board_report_pdf, name="board_report_pdf"),
]
