from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.request_action, name="action"),
    path("incident/<int:incident_pk>/", views.incident_part, name="incident_part"),
    path("incident/<int:incident_pk>/new/", views.incident_request, name="incident_request"),
]
