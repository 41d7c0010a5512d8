from django.urls import path

from . import snapshot_views, views

app_name = "needs"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("summary/", views.summary, name="summary"),
    path("coverage/", views.coverage, name="coverage"),
    path("report/", views.report_new, name="report_new"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:report_pk>/withdraw/", views.report_delete, name="report_delete"),
    path("reports/export.<str:fmt>", views.export_reports, name="export_reports"),
    path("upload/", views.upload, name="upload"),
    path("upload/template.<str:fmt>", views.upload_template, name="upload_template"),
    path("export.<str:fmt>", views.export_aggregate, name="export_aggregate"),
    path("issues/", views.gap_list, name="gap_list"),
    path("issues/new/", views.gap_new, name="gap_new"),
    path("issues/<int:issue_pk>/", views.gap_detail, name="gap_detail"),
    path("issues/<int:issue_pk>/join/", views.gap_join, name="gap_join"),
    path("issues/<int:issue_pk>/entries/", views.gap_entry, name="gap_entry"),
    path("issues/<int:issue_pk>/status/", views.gap_status, name="gap_status"),
    path("snapshots/", snapshot_views.snapshot_admin, name="snapshot_admin"),
    path("snapshots/<int:snapshot_pk>/", snapshot_views.snapshot_state, name="snapshot_state"),
]
