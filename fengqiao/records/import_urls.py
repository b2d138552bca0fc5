"""URLs of the import of basic records (under /records/import/)."""

from django.urls import path

from . import import_views

app_name = "records_import"
urlpatterns = [
    path("", import_views.start, name="start"),
    path("template/<str:kind>.csv", import_views.template, name="template"),
    path("<str:token>/", import_views.preview, name="preview"),
    path("<str:token>/commit/", import_views.commit, name="commit"),
]
