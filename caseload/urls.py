from django.urls import path

from . import search, views

app_name = "caseload"

urlpatterns = [
    path("mine/", views.my_caseload, name="mine"),
    path("all/", views.all_caseloads, name="all"),
    path("search/", search.child_search, name="search"),
    path("children/<int:pk>/", views.child_detail, name="child"),
    path("children/<int:pk>/access-log/", views.child_access_log, name="child_access_log"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:panel>.<str:fmt>", views.dashboard_export, name="dashboard_export"),
    path("report/", views.annual_report_view, name="report"),
    path("report/narrative/", views.report_narrative, name="report_narrative"),
    path("report/pdfs/", views.report_pdf_ask, name="report_pdf_ask"),
    path("report/pdfs/<int:pk>/", views.report_pdf, name="report_pdf"),
    path("report/pdfs/<int:pk>/download/", views.report_pdf_download, name="report_pdf_download"),
]
