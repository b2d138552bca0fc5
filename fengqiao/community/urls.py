from django.urls import path

from . import dispute_views, views, visit_views, volunteer_views

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    path("coverage/", views.coverage_map, name="coverage"),
    path("visits/", visit_views.visit_list, name="visit_list"),
    path("visits/new/", visit_views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", visit_views.visit_detail, name="visit_detail"),
    path("disputes/", dispute_views.dispute_list, name="dispute_list"),
    path("disputes/new/", dispute_views.dispute_new, name="dispute_new"),
    path("disputes/from-incident/<int:incident_id>/", dispute_views.dispute_from_incident, name="dispute_from_incident"),
    path("disputes/<int:pk>/", dispute_views.dispute_detail, name="dispute_detail"),
    path("disputes/<int:pk>/steps/", dispute_views.dispute_add_step, name="dispute_add_step"),
    path("disputes/<int:pk>/close/", dispute_views.dispute_close, name="dispute_close"),
    path("disputes/<int:pk>/reopen/", dispute_views.dispute_reopen, name="dispute_reopen"),
    path("disputes/<int:pk>/change/", dispute_views.dispute_change, name="dispute_change"),
    path("disputes/<int:pk>/parties/", dispute_views.dispute_add_party, name="dispute_add_party"),
    path("disputes/<int:pk>/incidents/", dispute_views.dispute_link_incident, name="dispute_link_incident"),
    path("volunteers/", volunteer_views.volunteer_list, name="volunteer_list"),
    path("volunteers/new/", volunteer_views.volunteer_new, name="volunteer_new"),
    path("volunteers/<int:pk>/", volunteer_views.volunteer_detail, name="volunteer_detail"),
    path("volunteers/<int:pk>/activities/", volunteer_views.volunteer_add_activity, name="volunteer_add_activity"),
    path("volunteers/<int:pk>/members/", volunteer_views.volunteer_add_member, name="volunteer_add_member"),
    path("volunteers/<int:pk>/members/<int:member_id>/leaves/", volunteer_views.volunteer_member_leaves,
         name="volunteer_member_leaves"),
]
