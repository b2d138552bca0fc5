"""The duplicate pages at /records/duplicates/ (namespace "records_merge")."""

from django.urls import path

from . import merge_views

app_name = "records_merge"

urlpatterns = [
    path("", merge_views.duplicate_list, name="list"),
    path("compare/<int:first>/<int:second>/", merge_views.compare, name="compare"),
    path("history/", merge_views.history, name="history"),
]
