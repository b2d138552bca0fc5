from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fengqiao.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from fengqiao.audit.registry import register_audited

        from . import models, roles, signals  # noqa: F401  (connects the login signals)

        register_audited(models.User, exclude=("last_login",), secret=("password",))
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="fengqiao-roles")
