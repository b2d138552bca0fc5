from django.urls import path

from . import views

app_name = "transfers"

urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.transfer_action, name="action"),
    path("<int:pk>/reveal/", views.reveal_phone, name="reveal_phone"),
    path("incident/<int:incident_id>/", views.incident_part, name="incident_part"),
    path("incident/<int:incident_id>/transfer/", views.transfer_incident, name="transfer_incident"),
]
