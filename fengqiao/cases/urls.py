from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.case_action, name="action"),
    path("incident/<int:incident_id>/", views.incident_part, name="incident_part"),
    path("incident/<int:incident_id>/accept/", views.accept, name="accept"),
]
