from django.urls import path

from . import incident_views as views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/lock/", views.take_lock, name="lock"),
    path("<int:pk>/unlock/", views.release_lock, name="unlock"),
    path("<int:pk>/change/", views.change, name="change"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/invalid/", views.mark_invalid, name="invalid"),
    path("<int:pk>/notes/", views.add_note, name="note"),
    path("<int:pk>/log/<int:entry_id>/strike/", views.strike, name="strike"),
    path("calls/<int:call_id>/reveal/", views.reveal_phone, name="reveal_phone"),
]
