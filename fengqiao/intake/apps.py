from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "fengqiao.intake"
    label = "intake"
    verbose_name = _("Intake and triage")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited

        from . import signals  # noqa: F401
        from .models import Category, CategoryFamily, IntakeSettings

        for model in (CategoryFamily, Category, IntakeSettings):
            register_audited(model)
