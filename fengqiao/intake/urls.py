from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.new_call, name="new_call"),
    path("assist/", views.assist, name="assist"),
    path("addresses/", views.address_options, name="addresses"),
]
