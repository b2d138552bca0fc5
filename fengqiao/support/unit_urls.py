"""The unit portal, mounted at /unit/ (namespace "unit")."""

from django.urls import path

from . import unit_views

app_name = "unit"

urlpatterns = [
    path("", unit_views.home, name="home"),
    path("<int:pk>/", unit_views.detail, name="detail"),
    path("<int:pk>/reveal/", unit_views.reveal_contact, name="reveal_contact"),
    path("<int:pk>/<str:action>/", unit_views.action, name="action"),
]
