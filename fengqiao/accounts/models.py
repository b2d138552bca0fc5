"""User accounts and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in: an officer, a bureau staff member, a department user or an administrator.

    The person's place in the organisation lives on `organisation.Officer` (or
    `BureauMember`); roles are the permission groups of DESIGN.md §2.
    """

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        officer = getattr(self, "officer", None)
        if officer is not None:
            return officer.name
        for related in ("bureau_membership", "department_membership", "unit_membership"):
            membership = getattr(self, related, None)
            if membership is not None:
                return str(membership.name)
        return self.get_full_name() or self.get_username()

    @property
    def role_names(self) -> list[str]:
        return sorted(self.groups.values_list("name", flat=True))


class ApiToken(models.Model):
    """A bearer token for the API. Only a hash of the secret is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
