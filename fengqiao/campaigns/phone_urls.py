"""The officer's campaign list on the phone at /m/campaigns/."""

from django.urls import path  # noqa: F401  (the phone pages add their paths here)

app_name = "phone_campaigns"
urlpatterns: list = []
