"""Analysis pages at /analysis/: statistics, hot spots, forecast, repeats, briefings and reports, the inbox."""

from django.urls import path

from . import views, views_repeats, views_reports

app_name = "analysis"
urlpatterns = [
    path("", views.home, name="home"),
    path("hotspots/", views.hotspots, name="hotspots"),
    path("repeats/", views_repeats.repeats_page, name="repeats"),
    path("escalation/", views_repeats.escalation_page, name="escalation"),
    path("briefing/", views_reports.briefing, name="briefing"),
    path("reports/", views_reports.report_list, name="reports"),
    path("reports/issue/", views_reports.issue_now, name="issue_report"),
    path("reports/<int:pk>/", views_reports.report_detail, name="report"),
    path("reports/<int:pk>/pdf/", views_reports.report_pdf, name="report_pdf"),
    path("inbox/", views_reports.inbox_page, name="inbox"),
    path("inbox/<int:pk>/read/", views_reports.inbox_read, name="inbox_read"),
    path("inbox/read-all/", views_reports.inbox_read_all, name="inbox_read_all"),
]
