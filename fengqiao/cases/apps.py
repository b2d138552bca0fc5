from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fengqiao.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited
        from fengqiao.dispatch.services import register_loop_deadlines

        from .deadlines import case_deadlines
        from .models import Case, CaseLimit, CaseSettings

        for model in (Case, CaseLimit, CaseSettings):
            register_audited(model)
        # Case deadlines are raised on the board like overdue orders.
        register_loop_deadlines(case_deadlines)
