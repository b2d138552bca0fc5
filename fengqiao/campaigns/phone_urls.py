"""The officer's campaign list on the phone at /m/campaigns/."""

from django.urls import path

from . import phone_views as views

app_name = "phone_campaigns"
urlpatterns = [
    path("", views.my_items, name="home"),
    # The pieces the pages fetch again when the live stream says one of my campaigns changed.
    path("part/items/", views.items_part, name="items_part"),
    path("part/summary/", views.summary_part, name="summary_part"),
    path("items/<int:pk>/", views.item_card, name="card"),
    path("items/<int:pk>/outcome/", views.record_outcome, name="outcome"),
    path("items/<int:pk>/resident/", views.update_resident, name="update_resident"),
    # "/reveal" in the path: the one answer allowed to carry the clear number (a tel: redirect).
    path("items/<int:pk>/reveal-call/", views.reveal_call, name="reveal_call"),
]
