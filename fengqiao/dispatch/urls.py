from django.urls import path

from . import views

app_name = "dispatch"
urlpatterns = [
    path("", views.board, name="board"),
    path("live/", views.board_live, name="board_live"),
    path("incidents/<int:pk>/", views.incident_panel, name="panel"),
    path("incidents/<int:pk>/pack/", views.incident_pack, name="pack"),
    path("incidents/<int:pk>/dispatch/", views.dispatch_officer, name="dispatch"),
    path("incidents/<int:pk>/orders/<int:order_id>/cancel/", views.cancel_order, name="cancel"),
    path("incidents/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("incidents/<int:pk>/close/", views.close, name="close"),
    path("incidents/<int:pk>/reopen/", views.reopen, name="reopen"),
]
