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

        from . import nearrepeat

        nearrepeat.connect()

        from fengqiao.dispatch.services import register_tick_task

        from .issuing import tick_task

        # The briefing at the station's briefing time, the weekly report on Mondays, the
        # monthly on the 1st, each once (issued after the tick's transaction commits).
        register_tick_task(tick_task)
