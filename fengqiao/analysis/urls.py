"""Analysis pages at /analysis/: statistics, hot spots, forecast, repeats, briefings and reports, the inbox."""

from django.urls import path

from . import views

app_name = "analysis"
urlpatterns = [
    path("", views.home, name="home"),
]
