"""The command room's campaign pages at /campaigns/."""

from django.urls import path

from . import views, views_load

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    # Loading a list (A).
    path("new/", views_load.new, name="new"),
    path("new/<str:token>/", views_load.check, name="load_check"),
    path("new/<str:token>/confirm/", views_load.confirm, name="load_confirm"),
    # The command room's pages (C).
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/burndown/", views.campaign_burndown, name="burndown"),
    path("<int:pk>/items/", views.campaign_items, name="items"),
    path("<int:pk>/items/export/", views.campaign_items_export, name="items_export"),
    path("<int:pk>/reassign/", views.campaign_reassign, name="reassign"),
    path("<int:pk>/close/", views.campaign_close, name="close"),
    path("<int:pk>/reopen/", views.campaign_reopen, name="reopen"),
    path("<int:pk>/return/reveal/", views.campaign_return, name="return"),
]
