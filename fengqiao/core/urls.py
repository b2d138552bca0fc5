from django.urls import path

from . import event_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("events/", event_views.event_stream, name="events"),
]
