from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fengqiao.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited

        from .models import Case, CaseLimit, CaseSettings

        for model in (Case, CaseLimit, CaseSettings):
            register_audited(model)
