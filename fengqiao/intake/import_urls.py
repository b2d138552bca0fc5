"""URLs of the batch import of calls (under /intake/import/)."""

from django.urls import path

from . import import_views

app_name = "intake_import"
urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("template.csv", import_views.template, name="template"),
]
