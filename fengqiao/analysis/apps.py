from typing import Any

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

        # The briefing at the station's briefing time, the weekly report on Mondays, the
        # monthly on the 1st, each once (issued after the tick's transaction commits).
        register_tick_task(_issue_due_reports)


def _issue_due_reports(now: Any, station_ids: Any) -> None:
    # Imported when the ticker first runs, not at start-up: the reports bring the forecast,
    # scipy and pandas (≈ 1.5 s for every process that starts Django).
    from .issuing import tick_task

    tick_task(now, station_ids)
