from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "fengqiao.analysis"
    label = "analysis"
    verbose_name = _("Analysis")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited

        from .models import AnalysisSettings

        register_audited(AnalysisSettings)
