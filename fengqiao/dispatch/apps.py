from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "fengqiao.dispatch"
    label = "dispatch"
    verbose_name = _("Dispatch and command board")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited

        from . import signals  # noqa: F401
        from .models import DeadlinePolicy, DispatchSettings

        for model in (DeadlinePolicy, DispatchSettings):
            register_audited(model)
