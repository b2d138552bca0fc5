"""The append-only audit log."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit row."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit rows cannot be updated")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("audit rows cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit rows cannot be updated")


class AuditEntry(models.Model):
    """One thing that happened: who, when, from where, to what, with what outcome and why.

    Rows are only ever added. The model refuses updates and deletes, and database
    triggers (see the migration) refuse them for any other client too.
    """

    class Action(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOGIN_LOCKED = "login_locked", _("Login refused: account locked")
        LOGOUT = "logout", _("Logged out")
        SESSION_EXPIRED = "session_expired", _("Session expired after inactivity")
        LOCKOUT_RELEASED = "lockout_released", _("Lock-out released")
        ACCESS_REFUSED = "access_refused", _("Access refused")
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Changed")
        DELETED = "deleted", _("Deleted")
        VIEWED_PERSONAL = "viewed_personal", _("Viewed a personal record")
        REVEALED = "revealed", _("Revealed a personal identifier")
        SEARCHED = "searched", _("Searched personal records")
        EXPORTED = "exported", _("Exported a list")
        IMPORTED = "imported", _("Imported records")
        MERGED = "merged", _("Merged duplicate records")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")

    class Outcome(models.TextChoices):
        OK = "ok", _("Done")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    username = models.CharField(_("user name"), max_length=150, blank=True, db_index=True)
    station = models.ForeignKey(
        "organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    actor_station = models.ForeignKey(
        "organisation.Station", verbose_name=_("station of the user"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
        help_text=_("Set when the user belongs to another station than the object, e.g. a refused look across stations."),
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OK)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changes"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_repr}"

    # save() below only refuses updates: a new row may be inserted by fengqiao.core.rows.
    plain_insert = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditLogIsAppendOnly("audit rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit rows cannot be deleted")
