from django.contrib import admin

from fengqiao.core.admin import StationScopedAdmin

from .models import Address


@admin.register(Address)
class AddressAdmin(StationScopedAdmin):
    list_display = ("full_text", "community", "beat", "station")
    search_fields = ("full_text", "code")
    list_select_related = ("beat", "station")
