from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User
from .services import do_release_lockout, do_revoke_token, is_username_locked


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "roles", "is_active", "locked", "last_login")
    list_filter = ("groups", "is_active", "is_staff")
    actions = ["release_lockout"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    @admin.display(description=_("roles"))
    def roles(self, user: User) -> str:
        return ", ".join(user.role_names)

    @admin.display(description=_("locked"), boolean=True)
    def locked(self, user: User) -> bool:
        return is_username_locked(user.get_username())

    @admin.action(description=_("Release the lock-out of the selected users"))
    def release_lockout(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            do_release_lockout(user.get_username(), acting_user=request.user, reason="released in the admin")
        messages.success(request, _("Lock-out released."))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are created with `fengqiao token create`, which shows the secret once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            do_revoke_token(token, acting_user=request.user, reason="revoked in the admin")
        messages.success(request, _("Tokens revoked."))
