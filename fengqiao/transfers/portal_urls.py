"""The department portal (职能部门工作台), mounted at /portal/."""

from django.urls import path

from . import portal_views as views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.item, name="item"),
    path("<int:pk>/actions/<slug:action>/", views.action, name="action"),
    path("<int:pk>/reveal/", views.reveal_phone, name="reveal_phone"),
]
