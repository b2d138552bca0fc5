"""The basic-records pages, at /records/ (namespace "records"). Other apps link to these names."""

from django.urls import path

from . import views, views_care, views_houses, views_organisations, views_residents

app_name = "records"

urlpatterns = [
    path("", views.home, name="home"),
    path("addresses/options/", views.address_options, name="address_options"),
    path("addresses/<int:pk>/", views.address_detail, name="address_detail"),
    path("residents/", views_residents.resident_list, name="resident_list"),
    path("residents/new/", views_residents.resident_new, name="resident_new"),
    path("residents/<int:pk>/", views_residents.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views_residents.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/reveal/", views_residents.resident_reveal, name="resident_reveal"),
    path("houses/", views_houses.house_list, name="house_list"),
    path("houses/new/", views_houses.house_new, name="house_new"),
    path("houses/<int:pk>/", views_houses.house_detail, name="house_detail"),
    path("houses/<int:pk>/edit/", views_houses.house_edit, name="house_edit"),
    path("organisations/", views_organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", views_organisations.organisation_new, name="organisation_new"),
    path("organisations/<int:pk>/", views_organisations.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views_organisations.organisation_edit, name="organisation_edit"),
    path("care/", views_care.care_list, name="care_list"),
    path("care/new/", views_care.care_new, name="care_new"),
    path("care/<int:pk>/edit/", views_care.care_edit, name="care_edit"),
]
